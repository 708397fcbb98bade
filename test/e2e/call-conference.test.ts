// Issue 11 in the browser UI: two of our CLI softphones call the UI (direct IP); the second is a waiting
// call taken with Hold & Answer; the Conference button on a card joins them: both cards say so, and by
// frequency each caller then hears the other (the UI's own microphone is silence here). Attended transfer
// from the Transfer panel: the held caller is sent to the live one (REFER with Replaces, RFC 3891), they
// talk to each other and both of the UI's calls end.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { freePortRange } from '../support/free-port';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import { TONE_A_HZ, TONE_B_HZ, makeTempDir, readWavMono, removeDir, writeToneWav } from '../support/audio-check';
import { toneCoverage } from '../../src-main/audio/tone-analysis';
import { printOnFailure } from '../support/on-failure';
import { openUi, screenshot, type UiSession } from './ui-harness';

let dir: string;
let ui: UiSession | null = null;
beforeAll(() => {
  dir = makeTempDir('e2e-conference-');
});
afterEach(async () => {
  await ui?.close();
  ui = null;
  await stopAllSoftphones();
});
afterAll(() => removeDir(dir));

/** A `call` CLI calling the UI, playing `hz`, recording into NAME.wav; with control for its own requests. */
async function caller(name: string, hz: number, extra: string[] = []) {
  const rtp = await freePortRange(10);
  const p = startSoftphone(
    ['call', `sip:alice@127.0.0.1:${ui!.sipPort}`, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--sip-t1', '100', '--play', writeToneWav(dir, hz), '--loop', '--record', join(dir, `${name}.wav`), '--duration', '60', ...extra],
    { name, control: true },
  );
  printOnFailure(p);
  return p;
}

describe('conference and attended transfer in the browser UI', () => {
  it('Conference joins the held call and the live one: both cards say so, each caller hears the other', async () => {
    ui = await openUi({ name: 'ui', env: { SOFTPHONE_AUDIO: 'null' } });
    const { page } = ui;
    const b = await caller('B', TONE_B_HZ);
    await page.getByRole('region', { name: 'Incoming call' }).getByRole('button', { name: 'Answer' }).click();
    await b.waitFor('connected');
    const c = await caller('C', TONE_A_HZ);
    await page.getByTestId('waiting-call').getByRole('button', { name: 'Hold & Answer' }).click();
    await c.waitFor('connected');
    const cards = page.getByTestId('call-card');
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(2);
    await expect.poll(() => page.getByRole('button', { name: 'Conference' }).count(), { timeout: 10_000 }).toBe(2);

    await cards.nth(0).getByRole('button', { name: 'Conference' }).click();
    await expect.poll(async () => (await page.getByTestId('conference').allTextContents()).length, { timeout: 10_000 }).toBe(2);
    for (const text of await page.getByTestId('conference').allTextContents()) expect(text).toBe('In conference with softphone');
    // Joined: nobody is on hold, and the Conference buttons are gone.
    expect(await page.getByRole('button', { name: 'Resume' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Conference' }).count()).toBe(0);
    await screenshot(page, 'conference');
    // 2.5 s of joined audio recorded by each caller (8 kHz 16-bit: 16000 bytes a second), then hang up.
    const size = (who: string) => (existsSync(join(dir, `${who}.wav`)) ? statSync(join(dir, `${who}.wav`)).size : 0);
    const atJoin = { B: size('B'), C: size('C') };
    await expect.poll(() => Math.min(size('B') - atJoin.B, size('C') - atJoin.C), { interval: 250, timeout: 15_000 }).toBeGreaterThan(2.5 * 16000);
    await cards.nth(1).getByRole('button', { name: 'Hang up' }).click();
    await cards.nth(0).getByRole('button', { name: 'Hang up' }).click();
    await b.waitForExit(15_000);
    await c.waitForExit(15_000);
    // The last 2 s of each caller's call (before the BYE): the other caller's tone.
    for (const [who, hz, other] of [['B', TONE_A_HZ, TONE_B_HZ], ['C', TONE_B_HZ, TONE_A_HZ]] as const) {
      const { sampleRate, samples } = readWavMono(join(dir, `${who}.wav`));
      const tail = samples.subarray(Math.max(0, samples.length - sampleRate * 2.3), samples.length - sampleRate * 0.3);
      const coverage = toneCoverage(tail, sampleRate, hz, { otherFreqs: [other] });
      expect(coverage, `${who} hears ${hz} Hz`).toBeGreaterThan(0.8);
    }
  }, 90_000);

  it('Transfer… on the held call, "To <the other call>": the held caller is sent to the live one with Replaces', async () => {
    ui = await openUi({ name: 'ui', env: { SOFTPHONE_AUDIO: 'null' } });
    const { page } = ui;
    const b = await caller('B', TONE_B_HZ, ['--accept-transfer']);
    await page.getByRole('region', { name: 'Incoming call' }).getByRole('button', { name: 'Answer' }).click();
    const bCall = String((await b.waitFor('connected'))['callId']);
    const c = await caller('C', TONE_A_HZ, ['--accept-transfer']);
    await page.getByTestId('waiting-call').getByRole('button', { name: 'Hold & Answer' }).click();
    const cCall = String((await c.waitFor('connected'))['callId']);
    const cards = page.getByTestId('call-card');
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(2);
    await cards.nth(0).getByRole('button', { name: 'Transfer…' }).click();
    await page.getByTestId('transfer-panel').getByRole('button', { name: /^To softphone/ }).click();
    // B calls C with Replaces naming C's call with the UI; C swaps it without ringing and ends it by BYE.
    const placed = await b.waitFor('transfer_call');
    const replaced = await c.waitFor('replaced');
    expect(replaced['callId']).toBe(placed['callId']);
    expect(await c.waitFor('ended', (e) => e['callId'] === cCall)).toMatchObject({ by: 'local' });
    expect(await b.waitFor('ended', (e) => e['callId'] === bCall)).toMatchObject({ by: 'remote' });
    // The UI: its REFER succeeded (the card it keeps on screen says so), both of its calls are over.
    const shown = async () => (await page.getByTestId('call-card').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    await expect.poll(shown, { timeout: 10_000 }).toEqual([expect.stringMatching(/Ended: you hung up.*Transferred to sip:softphone@127\.0\.0\.1:\d+/)]);
  }, 90_000);
});
