// Issue 11 in a real browser against the real core: two columns on a wide window, nothing clipped or
// scrolling sideways at 320 px (main view and settings dialog), the dark theme, and a dial the core
// refuses (no account yet) ending on the card at once instead of "Calling…" forever.
import { afterEach, describe, expect, it } from 'vitest';
import { openUi, screenshot, type UiSession } from './ui-harness';

let ui: UiSession | null = null;

afterEach(async () => {
  await ui?.close();
  ui = null;
});

describe('the window at different sizes', () => {
  it('uses a wide window: the phone on the left, History beside it', async () => {
    ui = await openUi({ name: 'wide (ui)', env: { SOFTPHONE_AUDIO: 'null' } });
    const { page } = ui;
    await page.setViewportSize({ width: 1100, height: 720 });
    const column = page.getByTestId('phone-column');
    await column.waitFor();
    const phoneBox = await column.boundingBox();
    const historyBox = await page.getByRole('heading', { name: 'Call history' }).boundingBox();
    expect(phoneBox && historyBox && historyBox.x >= phoneBox.x + phoneBox.width).toBe(true);
    expect(phoneBox && phoneBox.width).toBeGreaterThan(300);
    await screenshot(page, 'window-wide');
    await page.emulateMedia({ colorScheme: 'dark' });
    const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(bg).toBe('rgb(15, 19, 24)');
    await screenshot(page, 'window-wide-dark');
  });

  it('at 320 px: every tab visible, no sideways scroll, in the settings dialog neither', async () => {
    ui = await openUi({ name: 'narrow (ui)', env: { SOFTPHONE_AUDIO: 'null' } });
    const { page } = ui;
    await page.setViewportSize({ width: 320, height: 700 });
    await page.getByRole('tab', { name: 'Network' }).waitFor();
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBe(0);
    for (const tab of await page.getByRole('tab').all()) {
      const box = await tab.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 320).toBe(true);
    }
    await screenshot(page, 'window-320');
    await page.getByRole('button', { name: 'Account settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'SIP Account' });
    await dialog.waitFor();
    for (const tab of ['Account', 'Topology', 'Transport', 'Advanced']) {
      await dialog.getByRole('tab', { name: tab }).click();
      const sideways = await page.evaluate(() => {
        const d = document.querySelector('[role="dialog"]') as HTMLElement;
        const backdrop = d.parentElement as HTMLElement;
        return Math.max(d.scrollWidth - d.clientWidth, backdrop.scrollWidth - backdrop.clientWidth);
      });
      expect(sideways, tab).toBe(0);
    }
    await screenshot(page, 'settings-320');
  });

  it('a dial the core refuses (no account, no domain for "100") ends on the card at once with the reason, in the error colour', async () => {
    ui = await openUi({ name: 'refused (ui)', env: { SOFTPHONE_AUDIO: 'null' } });
    const { page } = ui;
    await page.getByLabel('Number or SIP address').fill('100');
    await page.getByRole('button', { name: 'Call' }).click();
    const state = page.getByTestId('call-state');
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toBe('Ended: not a valid number or address');
    expect(await page.getByRole('region', { name: 'Current call' }).getAttribute('data-tone')).toBe('error');
    await screenshot(page, 'call-refused');
    // The same card in Korean (the screenshot needs a Korean font such as fonts-nanum to be readable).
    await page.getByLabel('Language').selectOption('ko');
    await expect.poll(() => state.textContent(), { timeout: 5000 }).toBe('종료: 올바른 번호나 주소가 아님');
    await screenshot(page, 'call-refused-ko');
  });
});
