// A new user in the browser UI: fills in the X-Lite account for a real Kamailio, sees "Registered", dials
// a registered baresip by typing its number, talks (a 1 kHz tone that baresip must hear), hangs up, and
// finds the call in the history and its INVITE / challenge / 200 / ACK / BYE in the SIP call flow.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Baresip } from '../support/baresip';
import { startKamailio, type KamailioServer } from '../support/kamailio';
import { TONE_A_HZ, TONE_B_HZ, describeReport, makeTempDir, removeDir, toneReport, writeToneWav } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { startRegisteredPeer } from './registered-peer';
import { connectedFor, fillAccount, flowArrowLabels, matchInOrder, openUi, screenshot, type UiSession } from './ui-harness';

let kam: KamailioServer;
let dir: string;
let ui: UiSession | null = null;
let bob: Baresip | null = null;

beforeAll(async () => {
  kam = await startKamailio();
  dir = makeTempDir('e2e-registered-call-');
});
afterEach(async () => {
  await ui?.close();
  await bob?.stop();
  ui = null;
  bob = null;
});
afterAll(async () => {
  await kam?.stop();
  removeDir(dir);
});

describe('registered call from the browser UI', () => {
  it('sets up the account, registers, calls baresip with a tone, hangs up; history and call flow show it', async () => {
    printOnFailure(kam);
    bob = await startRegisteredPeer(kam, { user: 'bob', playWav: writeToneWav(dir, TONE_B_HZ), answerMode: 'auto' });
    printOnFailure(bob);
    ui = await openUi({ name: 'alice (ui)', env: { SOFTPHONE_AUDIO_PLAY: writeToneWav(dir, TONE_A_HZ), SOFTPHONE_AUDIO_LOOP: '1' } });
    const { page } = ui;

    // A new user: no account yet.
    const status = page.getByRole('status', { name: 'Registration status' });
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toContain('No SIP account yet');

    await fillAccount(page, { userId: 'alice', domain: kam.domain, password: 'alicepw', displayName: 'Alice Example', registerWithDomain: true }, 'account-settings');
    const registration = page.getByTestId('registration-text');
    await expect.poll(() => registration.textContent(), { timeout: 10_000 }).toBe('Registered');
    expect(await status.textContent()).toContain(`sip:alice@${kam.domain}`);
    await screenshot(page, 'idle-registered');

    // Dial by typing the number and pressing Call.
    await page.locator('#dial-target').fill('bob');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    const callState = page.getByTestId('call-state');
    await expect.poll(async () => connectedFor(await callState.textContent()), { timeout: 15_000 }).not.toBeNull();
    const connectedSeen = performance.now();
    const established = await bob.waitForEvent('CALL_ESTABLISHED', 10_000);
    expect(String(established['peeruri'])).toContain('alice');
    const card = page.getByRole('region', { name: 'Current call' });
    expect(await card.textContent()).toContain('bob');

    // The timer runs: it reads 3 s or more a few seconds later (while the tone flows to baresip).
    await expect.poll(async () => connectedFor(await callState.textContent()) ?? -1, { timeout: 10_000, interval: 250 }).toBeGreaterThanOrEqual(3);
    await screenshot(page, 'in-call');
    await expect.poll(async () => connectedFor(await callState.textContent()) ?? -1, { timeout: 10_000, interval: 250 }).toBeGreaterThanOrEqual(5);

    // The call's length as this test saw it: from "Connected" on screen to the click on Hang up.
    const talkedSeconds = (performance.now() - connectedSeen) / 1000;
    await page.getByRole('button', { name: 'Hang up' }).click();
    await bob.waitForEvent('CALL_CLOSED', 10_000);
    await expect.poll(() => callState.textContent(), { timeout: 10_000 }).toBe('Ended: you hung up');

    // baresip finished its WAV dump when the call closed: our tone must be in it.
    const heard = bob.recordings().decoded;
    expect(heard, 'baresip wrote no recording').toBeTruthy();
    const report = toneReport(heard as string, TONE_A_HZ);
    // 80 %: the tone arrives; a loaded machine (two CPU burners, two e2e files at once) drops a little of it.
    expect(report.coverage, describeReport('baresip heard', report)).toBeGreaterThanOrEqual(0.8);
    expect(report.measuredSeconds, describeReport('baresip heard', report)).toBeGreaterThan(3);

    // History: one outgoing call to bob, as long as the call was (whole seconds, so within a second).
    await page.locator('#view-tab-history').click();
    const row = page.locator('#view-panel-history li button[aria-pressed]').first();
    await row.waitFor();
    const label = (await row.getAttribute('aria-label')) ?? '';
    expect(label).toMatch(/^bob, Outgoing, /);
    const durationText = (await row.locator('.length').textContent()) ?? '';
    const [mm, ss] = durationText.split(':').map(Number);
    const shown = (mm ?? 0) * 60 + (ss ?? 0);
    expect(shown, `duration "${durationText}", talked ${talkedSeconds.toFixed(2)} s`).toBeGreaterThanOrEqual(Math.floor(talkedSeconds) - 1);
    expect(shown, `duration "${durationText}", talked ${talkedSeconds.toFixed(2)} s`).toBeLessThanOrEqual(Math.ceil(talkedSeconds) + 1);
    await screenshot(page, 'history');

    // Call flow: the call's ladder, in order.
    await page.locator('#view-tab-flow').click();
    const labels = page.getByTestId('flow-label');
    await expect.poll(async () => (await labels.allTextContents()).length, { timeout: 5000 }).toBeGreaterThanOrEqual(6);
    const texts = (await labels.allTextContents()).map((t) => t.trim());
    // The ACK of the 407 belongs to the INVITE transaction (RFC 3261 §17.1.1.3); not asserted.
    const order: Array<string | RegExp> = ['INVITE', /^40[17] /, 'INVITE', /^200 /, 'ACK', 'BYE', /^200 /];
    const found = matchInOrder(texts, order);
    expect(found.every((i) => i >= 0), `${JSON.stringify(order.map(String))} in order in ${JSON.stringify(texts)}`).toBe(true);
    // Each arrow says which way it went: we sent the INVITE, ACK and BYE; the proxy sent the answers.
    const arrows = await flowArrowLabels(page);
    expect(arrows[found[0] as number]).toMatch(new RegExp(`^INVITE \\(SDP\\) sent to ${kam.domain.replace(/\./g, '\\.')}, `));
    expect(arrows[found[1] as number]).toMatch(/ received from /);
    expect(arrows[found[5] as number]).toMatch(/^BYE sent to /);
    await screenshot(page, 'call-flow');
    // A click on the challenge shows the raw message the proxy sent.
    await page.getByTestId('flow-arrow').nth(found[1] as number).click();
    const raw = page.getByLabel('Raw message', { exact: true }).filter({ hasText: 'SIP/2.0' });
    await expect.poll(() => raw.textContent(), { timeout: 5000 }).toMatch(/^SIP\/2\.0 40[17] [^]*(Proxy|WWW)-Authenticate: Digest /);
  });
});
