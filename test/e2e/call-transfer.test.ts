// Issue 11 in the browser UI, against our own CLI softphones over real UDP (direct IP, no server):
// (1) the call card's Transfer button: the UI talks to B and transfers it blind to C; B (with
// --accept-transfer) calls C, the UI's card says "Transferred to …" and hangs up. (2) "Ask me": A calls
// the UI and asks it to transfer to C; the UI shows Accept / Decline with the target; Decline sends the
// final NOTIFY "603 Declined" (A reports it as the transfer's outcome); a second request, accepted, makes
// the UI call C (a new card) and A's transfer succeeds.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones, type SoftphoneProcess } from '../support/softphone-process';
import { TONE_A_HZ, TONE_B_HZ, makeTempDir, removeDir, writeToneWav } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { openUi, screenshot, type UiSession } from './ui-harness';

let dir: string;
let ui: UiSession | null = null;

beforeAll(() => {
  dir = makeTempDir('e2e-call-transfer-');
});
afterEach(async () => {
  await ui?.close();
  ui = null;
  await stopAllSoftphones();
});
afterAll(() => removeDir(dir));

/** A `listen --auto-answer` CLI peer on a free port; its URI. */
async function peer(name: string, tone: number, extra: string[] = []): Promise<{ p: SoftphoneProcess; uri: string }> {
  const port = await freeUdpPort();
  const rtp = await freePortRange(10);
  const p = startSoftphone(
    ['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--auto-answer', '--play', writeToneWav(dir, tone), '--loop', '--record', join(dir, `${name}.wav`), '--sip-t1', '100', ...extra],
    { name, control: true },
  );
  printOnFailure(p);
  await p.waitFor('listening');
  return { p, uri: `sip:${name.toLowerCase()}@127.0.0.1:${port}` };
}

describe('transfer in the browser UI', () => {
  it('Transfer… on the call card: blind transfer to a typed address lands B on C; the card says so', async () => {
    const b = await peer('B', TONE_B_HZ, ['--accept-transfer']);
    const c = await peer('C', TONE_A_HZ);
    ui = await openUi({ name: 'ui', env: { SOFTPHONE_AUDIO: 'null' } });
    const { page } = ui;
    await page.locator('#dial-target').fill(b.uri);
    await page.locator('#dial-target').press('Enter');
    await b.p.waitFor('connected');
    const card = page.getByTestId('call-card');
    await expect.poll(() => card.getByTestId('call-state').textContent(), { timeout: 10_000 }).toMatch(/^Connected/);

    await card.getByRole('button', { name: 'Transfer…' }).click();
    const panel = page.getByTestId('transfer-panel');
    await panel.getByLabel('Transfer to (number, name or address)').fill(c.uri);
    await screenshot(page, 'transfer-panel');
    await panel.getByRole('button', { name: 'Transfer', exact: true }).click();

    // B calls C because the UI's REFER asked it to; C hears from B.
    const placed = await b.p.waitFor('transfer_call');
    expect(placed['uri']).toBe(c.uri);
    const incoming = await c.p.waitFor('incoming');
    expect(String(incoming['from'])).toMatch(/^sip:softphone@127\.0\.0\.1:\d+$/);
    await c.p.waitFor('connected');
    // The UI's card: the NOTIFY's 200 sipfrag, then its own BYE to B.
    await expect.poll(() => page.getByTestId('transfer-status').first().textContent(), { timeout: 10_000 }).toBe(`Transferred to ${c.uri}`);
    const ended = await b.p.waitFor('ended', (e) => e['callId'] !== placed['callId']);
    expect(ended['by']).toBe('remote');
    await expect.poll(() => card.getByTestId('call-state').textContent(), { timeout: 10_000 }).toBe('Ended: you hung up');
    expect(await b.p.request('call.hangup', { callId: String(placed['callId']) })).toMatchObject({ ok: true });
  }, 90_000);

  it('"Ask me": the UI shows the request; Decline sends NOTIFY 603 Declined; Accept calls C and A\'s transfer succeeds', async () => {
    const c = await peer('C', TONE_A_HZ);
    ui = await openUi({ name: 'ui', env: { SOFTPHONE_AUDIO: 'null' } });
    const { page } = ui;
    // An account that does not register (a domain nobody answers on), asking about transfers.
    await page.getByRole('button', { name: 'Account settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'SIP Account' });
    await page.locator('#acc-userId').fill('alice');
    await page.locator('#acc-domain').fill('127.0.0.1:9');
    await page.locator('#acc-registerWithDomain').setChecked(false);
    await dialog.getByRole('tab', { name: 'Advanced' }).click();
    await page.locator('#acc-acceptTransfer').selectOption('ask');
    await dialog.getByRole('button', { name: 'OK', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });

    const rtp = await freePortRange(10);
    const a = startSoftphone(
      ['call', `sip:alice@127.0.0.1:${ui.sipPort}`, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--play', writeToneWav(dir, 700), '--loop', '--record', join(dir, 'A.wav'), '--duration', '60', '--sip-t1', '100'],
      { name: 'A', control: true },
    );
    printOnFailure(a);
    await page.getByRole('region', { name: 'Incoming call' }).getByRole('button', { name: 'Answer' }).click();
    const callId = String((await a.waitFor('connected'))['callId']);

    expect(await a.request('call.transfer', { callId, target: c.uri })).toMatchObject({ ok: true });
    const ask = page.getByTestId('transfer-request');
    await ask.waitFor({ timeout: 10_000 });
    expect(await ask.textContent()).toContain(`The other side asks to transfer you to ${c.uri}`);
    await screenshot(page, 'transfer-request');
    await ask.getByRole('button', { name: 'Decline' }).click();
    // RFC 3515 §2.4.5: the REFER was accepted (202), the final NOTIFY's sipfrag says 603 Declined.
    const declined = await a.waitFor('transfer', (e) => e['status'] === 'failed');
    expect(declined).toMatchObject({ callId, code: 603, reason: '603 Declined' });
    expect(a.all('transfer').map((e) => e['status'])).toEqual(['requested', 'accepted', 'trying', 'failed']);
    expect(c.p.all('incoming')).toHaveLength(0);
    await expect.poll(() => ask.count()).toBe(0);

    // Asked again, accepted: the UI calls C (its own card) and A hears of the 200.
    expect(await a.request('call.transfer', { callId, target: c.uri })).toMatchObject({ ok: true });
    await ask.getByRole('button', { name: 'Accept transfer' }).click();
    await c.p.waitFor('connected');
    expect(await a.waitFor('transfer', (e) => e['status'] === 'succeeded')).toMatchObject({ callId, code: 200 });
    expect(await a.waitFor('ended')).toMatchObject({ callId, by: 'local' });
    const cards = page.getByTestId('call-card');
    await expect.poll(async () => (await cards.allTextContents()).some((t) => t.includes(c.uri.replace(/^sip:/, '')) && /Connected/.test(t)), { timeout: 10_000 }).toBe(true);
  }, 90_000);
});
