// Issue 11, part 6 (message-waiting, RFC 3842) in the browser UI: the user turns on "Check for new
// voicemail" with the number *97; the core SUBSCRIBEs at the registrar (a scripted one on real UDP); the
// registrar's NOTIFY (2 new, 5 old, 1 urgent) shows as the main window's badge and in the Voicemail tab;
// the Voicemail button dials *97 at the server. Signalling only.
import { afterEach, describe, expect, it } from 'vitest';
import { methodOf, responseTo, startScriptedPeer, type ScriptedPeer } from '../support/scripted-sip-peer';
import { fillAccount, openUi, screenshot, type UiSession } from './ui-harness';

const header = (msg: string, name: string): string | undefined =>
  msg.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim();

let ui: UiSession | null = null;
let peer: ScriptedPeer | null = null;
afterEach(async () => {
  await ui?.close();
  ui = null;
  await peer?.close();
  peer = null;
});

describe('voicemail in the browser UI', () => {
  it('shows the waiting count from the server and calls the voicemail number', async () => {
    const vmTag = 'vm-e2e';
    const server = await startScriptedPeer((req) => {
      const method = methodOf(req);
      if (method === 'REGISTER') return responseTo(req, 200, 'OK', [`Contact: ${header(req, 'Contact')};expires=600`]);
      if (method === 'SUBSCRIBE') {
        const withTag = req.replace(/^(To: .*)$/m, (to) => (/;tag=/.test(to) ? to : `${to};tag=${vmTag}`));
        return responseTo(withTag, 200, 'OK', [`Expires: ${header(req, 'Expires')}`, `Contact: <sip:vm@127.0.0.1:${peer?.port}>`]);
      }
      // The mailbox is "busy": the call attempt is seen, then ends at once.
      if (method === 'INVITE') return responseTo(req, 486, 'Busy Here');
      if (method === 'ACK') return null;
      return responseTo(req, 200, 'OK');
    });
    peer = server;
    ui = await openUi({ name: 'voicemail (ui)', env: { SOFTPHONE_AUDIO: 'null' } });
    const { page } = ui;
    await fillAccount(page, { userId: 'alice', domain: `127.0.0.1:${server.port}`, password: 'pw', registerWithDomain: true });
    await expect.poll(() => page.getByTestId('registration-text').textContent(), { timeout: 10_000 }).toBe('Registered');

    // Account settings → Voicemail: the number and "Check for new voicemail".
    await page.getByRole('button', { name: 'Account settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'SIP Account' });
    await dialog.getByRole('tab', { name: 'Voicemail' }).click();
    await page.locator('#vm-number').fill('*97');
    await page.locator('#vm-subscribe').check();
    await dialog.getByRole('button', { name: 'OK', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });

    const sub = await server.waitFor((m) => methodOf(m) === 'SUBSCRIBE' && header(m, 'Event') === 'message-summary', 15_000);
    const contact = /<sip:alice@([\d.]+):(\d+)/.exec(header(sub, 'Contact') ?? '');
    const body = 'Messages-Waiting: yes\r\nMessage-Account: sip:*97@vm.test\r\nVoice-Message: 2/5 (1/0)\r\n';
    await server.send(
      [
        `NOTIFY sip:alice@127.0.0.1:${contact?.[2]} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${server.port};branch=z9hG4bKvme2e1`,
        `From: <sip:alice@127.0.0.1:${server.port}>;tag=${vmTag}`,
        `To: ${header(sub, 'From')}`,
        `Call-ID: ${header(sub, 'Call-ID')}`,
        'CSeq: 1 NOTIFY',
        `Contact: <sip:vm@127.0.0.1:${server.port}>`,
        'Max-Forwards: 70',
        'Event: message-summary',
        'Subscription-State: active;expires=3599',
        'Content-Type: application/simple-message-summary',
        `Content-Length: ${Buffer.byteLength(body)}`,
        '',
        body,
      ].join('\r\n'),
      Number(contact?.[2]),
    );

    // The main window: the badge with the new count, and the full words for screen readers.
    const button = page.getByTestId('voicemail-button');
    await expect.poll(() => button.locator('.badge').textContent().catch(() => null), { timeout: 10_000 }).toBe('2 new');
    expect(await button.getAttribute('aria-label')).toBe('Voicemail: 2 new, 5 old — call voicemail');
    await screenshot(page, 'voicemail-waiting');

    // The Voicemail tab: the server's counts, urgent included.
    await page.getByRole('button', { name: 'Account settings' }).click();
    await dialog.getByRole('tab', { name: 'Voicemail' }).click();
    expect(await dialog.getByTestId('voicemail-state').textContent()).toContain('New messages are waiting. 2 new, 5 old, 1 urgent');
    await screenshot(page, 'voicemail-tab');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // The button calls the voicemail number at the server.
    await button.click();
    const invite = await server.waitFor((m) => methodOf(m) === 'INVITE', 10_000);
    expect(invite).toMatch(new RegExp(`^INVITE sip:\\*97@127\\.0\\.0\\.1:${server.port} SIP/2\\.0\\r\\n`));
  });
});
