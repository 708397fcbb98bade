// Issue 11 (several accounts) in the browser UI against a real Kamailio: a user with one account adds a
// second one in the settings dialog (Add account), and the account list shows both registered, each
// with its own status; the dial field then offers the account picker; the Network view has a section for
// each account's own socket (the second one's address as Kamailio saw it); a contact can be watched
// through the second account. Signalling only.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKamailio, type KamailioServer } from '../support/kamailio';
import { printOnFailure } from '../support/on-failure';
import { fillAccount, openUi, screenshot, type UiSession } from './ui-harness';

let kam: KamailioServer;
let ui: UiSession | null = null;

beforeAll(async () => {
  kam = await startKamailio();
});
afterEach(async () => {
  await ui?.close();
  ui = null;
});
afterAll(async () => {
  await kam?.stop();
});

describe('two accounts from the browser UI', () => {
  it('adds a second account and sees both registered', async () => {
    printOnFailure(kam);
    ui = await openUi({ name: 'two accounts (ui)', env: { SOFTPHONE_AUDIO: 'null' } });
    const { page } = ui;
    await fillAccount(page, { userId: 'alice', domain: kam.domain, password: 'alicepw', registerWithDomain: true });
    await expect.poll(() => page.getByTestId('registration-text').textContent(), { timeout: 10_000 }).toBe('Registered');

    // Add account: an empty form for the new one, saved beside the first.
    await page.getByRole('button', { name: 'Account settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'SIP Account' });
    await dialog.getByRole('button', { name: 'Add account' }).click();
    await expect.poll(() => page.getByTestId('account-editing').textContent(), { timeout: 5_000 }).toBe('Editing: New account');
    expect(await page.locator('#acc-userId').inputValue()).toBe('');
    await page.locator('#acc-accountName').fill('Home');
    await page.locator('#acc-userId').fill('bob');
    await page.locator('#acc-domain').fill(kam.domain);
    await page.locator('#acc-password').fill('bobpw');
    await dialog.getByRole('button', { name: 'OK', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });

    // Both accounts registered, each with its own status, in the settings dialog's list.
    await page.getByRole('button', { name: 'Account settings' }).click();
    const list = page.getByTestId('account-list');
    await list.waitFor();
    const statuses = () => list.getByTestId('account-status').allTextContents();
    await expect.poll(statuses, { timeout: 15_000 }).toEqual(['Registered', 'Registered']);
    const names = await list.getByTestId('account-row').allTextContents();
    expect(names[0]).toContain('Default');
    expect(names[1]).toContain('Home');
    await screenshot(page, 'two-accounts');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // Two enabled accounts: the dial field says which one a call goes out on.
    const picker = page.getByTestId('dial-account');
    await picker.waitFor();
    const options = await picker.locator('option').allTextContents();
    expect(options).toHaveLength(2);
    expect(options[0]).toContain('(default)');
    expect(options[1]).toBe('Home');

    // The Network view: the default account's socket, then Home's own, each as Kamailio saw it.
    await page.getByRole('tab', { name: 'Network' }).click();
    const headings = () => page.locator('#view-panel-network h3').allTextContents();
    await expect.poll(headings, { timeout: 10_000 }).toEqual([expect.stringMatching(/^SIP signalling: (?!direct IP)/), 'SIP signalling: Home', 'NAT test (STUN)']);
    const homeLocal = page.locator('[data-testid^="sip-local-account-"]');
    const homePort = Number(/port (\d+)|:(\d+)$/.exec((await homeLocal.textContent()) ?? '')?.slice(1).find(Boolean));
    const mainPort = Number(/port (\d+)|:(\d+)$/.exec((await page.getByTestId('sip-local').textContent()) ?? '')?.slice(1).find(Boolean));
    expect(homePort).toBeGreaterThan(0);
    expect(homePort).not.toBe(mainPort);
    // Kamailio's Via received/rport for Home's REGISTER names Home's own port.
    await expect.poll(() => page.locator('[data-testid^="sip-public-account-"]').textContent(), { timeout: 10_000 }).toBe(`127.0.0.1:${homePort}`);
    await screenshot(page, 'network-two-accounts');

    // A contact watched through Home: the form offers the accounts once "watch" is ticked, and keeps the choice.
    await page.getByRole('tab', { name: 'Contacts' }).click();
    await page.getByRole('button', { name: 'Add contact' }).click();
    const form = page.getByTestId('contact-editor');
    await form.getByLabel('Name').fill('Carol');
    await form.getByLabel('SIP address').fill(`sip:carol@${kam.domain}`);
    expect(await form.getByTestId('watch-account').count()).toBe(0);
    await form.getByLabel('Show presence and line state (BLF)').check();
    expect(await form.getByTestId('watch-account').locator('option').allTextContents()).toEqual([
      'Automatic (the account of its domain, else the default)',
      expect.stringContaining('(default)'),
      'Home',
    ]);
    await form.getByTestId('watch-account').selectOption({ label: 'Home' });
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: /Edit Carol/ }).click();
    expect(await page.getByTestId('watch-account').locator('option:checked').textContent()).toBe('Home');
  });
});
