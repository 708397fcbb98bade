// A wrong password in the browser UI shows the server's own reason verbatim (Kamailio answers
// "403 Forbidden (wrong password)"); and the UI's web server refuses requests without its token.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKamailio, type KamailioServer } from '../support/kamailio';
import { printOnFailure } from '../support/on-failure';
import { fillAccount, flowArrowLabels, matchInOrder, openUi, type UiSession } from './ui-harness';

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

describe('the browser UI against a real Kamailio', () => {
  it('shows the server\'s reason when the password is wrong', async () => {
    printOnFailure(kam);
    ui = await openUi({ name: 'alice (ui)', env: { SOFTPHONE_AUDIO: 'null' } });
    const { page } = ui;
    await fillAccount(page, { userId: 'alice', domain: kam.domain, password: 'not-alicepw' });
    const registration = page.getByTestId('registration-text');
    // The reason phrase is the one in kamailio.cfg's route[AUTH], passed through the core unchanged.
    await expect.poll(() => registration.textContent(), { timeout: 10_000 }).toBe('Failed: 403 Forbidden (wrong password)');
    // The server really said so: the call-flow view shows the challenge, then that very status line.
    await page.locator('#view-tab-flow').click();
    const order = [/^REGISTER sent to /, /^401 Unauthorized received from /, /^REGISTER sent to /, /^403 Forbidden \(wrong password\) received from /];
    await expect.poll(async () => matchInOrder(await flowArrowLabels(page), order).at(-1), { timeout: 5000 }).toBeGreaterThanOrEqual(0);
    await page.locator('#view-tab-phone').click();
    // Fixing the password from the same dialog registers.
    await fillAccount(page, { userId: 'alice', domain: kam.domain, password: 'alicepw' });
    await expect.poll(() => registration.textContent(), { timeout: 10_000 }).toBe('Registered');
  });

  it('answers 401 to a request without the token, and serves the page with it', async () => {
    ui = await openUi({ env: { SOFTPHONE_AUDIO: 'null' } });
    const token = new URL(ui.url).searchParams.get('token') ?? '';
    expect(token.length).toBeGreaterThanOrEqual(32);

    const bare = await fetch(`${ui.origin}/`);
    expect(bare.status).toBe(401);
    expect(await bare.text()).toContain('Unauthorized');
    const wrong = await fetch(`${ui.origin}/?token=${'0'.repeat(token.length)}`);
    expect(wrong.status).toBe(401);
    const asset = await fetch(`${ui.origin}/index.html`);
    expect(asset.status).toBe(401);

    const good = await fetch(ui.url);
    expect(good.status).toBe(200);
    expect(await good.text()).toContain('<div id="app"');
    // The browser that opened the URL got the UI, connected to the core.
    await expect.poll(() => ui?.page.getByRole('status', { name: 'Registration status' }).textContent(), { timeout: 10_000 }).toContain('No SIP account yet');
  });
});
