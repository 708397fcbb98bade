// Issue 11 "Add call" in the browser UI, against our own CLI softphones over real UDP (direct IP, no
// server): the UI calls A, Add call puts A on hold (A's card says so, and A's CLI reports the hold from
// the re-INVITE), the dial field takes focus and the UI calls B while A stays held; Conference then
// joins them and, by frequency, each peer hears the other. Cancel, and + then Esc, resume A.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones, type SoftphoneProcess } from '../support/softphone-process';
import { TONE_A_HZ, TONE_B_HZ, makeTempDir, readWavMono, removeDir, writeToneWav } from '../support/audio-check';
import { toneCoverage } from '../../src-main/audio/tone-analysis';
import { printOnFailure } from '../support/on-failure';
import { openUi, screenshot, type UiSession } from './ui-harness';

let dir: string;
let ui: UiSession | null = null;

beforeAll(() => {
  dir = makeTempDir('e2e-add-call-');
});
afterEach(async () => {
  await ui?.close();
  ui = null;
  await stopAllSoftphones();
});
afterAll(() => removeDir(dir));

/** A `listen --auto-answer` CLI peer playing `tone`, recording NAME.wav, exiting after its one call. */
async function peer(name: string, tone: number): Promise<{ p: SoftphoneProcess; uri: string; wav: string }> {
  const port = await freeUdpPort();
  const rtp = await freePortRange(10);
  const wav = join(dir, `${name}.wav`);
  const p = startSoftphone(
    ['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--auto-answer', '--max-calls', '1',
      '--play', writeToneWav(dir, tone), '--loop', '--record', wav, '--sip-t1', '100'],
    { name, control: true },
  );
  printOnFailure(p);
  await p.waitFor('listening');
  return { p, uri: `sip:${name.toLowerCase()}@127.0.0.1:${port}`, wav };
}

/** What the peer was told of its hold by our re-INVITEs, in order: true = held by the UI. */
const heldByUi = (p: SoftphoneProcess) => p.all('hold').map((e) => e['remote']);

describe('Add call in the browser UI', () => {
  it('call A, Add call (A held), call B, Conference: each peer hears the other', async () => {
    const a = await peer('A', TONE_A_HZ);
    const b = await peer('B', TONE_B_HZ);
    ui = await openUi({ name: 'ui', env: { SOFTPHONE_AUDIO: 'null' } });
    const { page } = ui;
    await page.locator('#dial-target').fill(a.uri);
    await page.locator('#dial-target').press('Enter');
    await a.p.waitFor('connected');
    const cards = page.getByTestId('call-card');
    await expect.poll(() => cards.first().getByTestId('call-state').textContent(), { timeout: 10_000 }).toMatch(/^Connected/);

    await cards.first().getByRole('button', { name: 'Add call' }).click();
    await expect.poll(() => cards.first().getByTestId('call-state').textContent(), { timeout: 10_000 }).toMatch(/^On hold/);
    await expect.poll(() => heldByUi(a.p), { timeout: 10_000 }).toEqual([true]);
    expect(await page.getByTestId('adding-call').textContent()).toMatch(/Adding a call: \S+ is on hold\s*Cancel/);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('dial-target');
    await screenshot(page, 'add-call');

    // Typed where the focus is: the dial field.
    await page.keyboard.type(b.uri);
    await page.keyboard.press('Enter');
    await b.p.waitFor('connected');
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(2);
    await expect.poll(async () => (await cards.getByTestId('call-state').allTextContents()).map((t) => t.split(' ')[0]), { timeout: 10_000 }).toEqual(['On', 'Connected']);
    expect(heldByUi(a.p)).toEqual([true]);
    expect(await page.getByTestId('adding-call').count()).toBe(0);

    await expect.poll(() => page.getByRole('button', { name: 'Conference' }).count(), { timeout: 10_000 }).toBe(2);
    await cards.nth(0).getByRole('button', { name: 'Conference' }).click();
    await expect.poll(async () => (await page.getByTestId('conference').allTextContents()).length, { timeout: 10_000 }).toBe(2);
    // Joined: A is off hold (its CLI hears the resuming re-INVITE).
    await expect.poll(() => heldByUi(a.p), { timeout: 10_000 }).toEqual([true, false]);
    expect(await page.getByRole('button', { name: 'Resume' }).count()).toBe(0);
    // 2.5 s of joined audio recorded by each peer (8 kHz 16-bit: 16000 bytes a second), then hang up.
    const size = (wav: string) => (existsSync(wav) ? statSync(wav).size : 0);
    const atJoin = { A: size(a.wav), B: size(b.wav) };
    await expect.poll(() => Math.min(size(a.wav) - atJoin.A, size(b.wav) - atJoin.B), { interval: 250, timeout: 15_000 }).toBeGreaterThan(2.5 * 16000);
    await cards.nth(1).getByRole('button', { name: 'Hang up' }).click();
    await cards.nth(0).getByRole('button', { name: 'Hang up' }).click();
    await a.p.waitForExit(15_000);
    await b.p.waitForExit(15_000);
    // The last 2 s of each peer's call (before the BYE): the other peer's tone.
    for (const [who, wav, hz, other] of [['A', a.wav, TONE_B_HZ, TONE_A_HZ], ['B', b.wav, TONE_A_HZ, TONE_B_HZ]] as const) {
      const { sampleRate, samples } = readWavMono(wav);
      const tail = samples.subarray(Math.max(0, samples.length - sampleRate * 2.3), samples.length - sampleRate * 0.3);
      const coverage = toneCoverage(tail, sampleRate, hz, { otherFreqs: [other] });
      console.log(`add-call: ${who} hears ${hz} Hz in ${(coverage * 100).toFixed(0)} % of its last 2 s`);
      expect(coverage, `${who} hears ${hz} Hz`).toBeGreaterThan(0.8);
    }
  }, 90_000);

  it('Cancel resumes A; so does + then Esc in the empty dial field', async () => {
    const a = await peer('A', TONE_A_HZ);
    ui = await openUi({ name: 'ui', env: { SOFTPHONE_AUDIO: 'null' } });
    const { page } = ui;
    await page.locator('#dial-target').fill(a.uri);
    await page.locator('#dial-target').press('Enter');
    await a.p.waitFor('connected');
    const state = page.getByTestId('call-card').getByTestId('call-state');
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toMatch(/^Connected/);

    await page.getByRole('button', { name: 'Add call' }).click();
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toMatch(/^On hold/);
    await expect.poll(() => heldByUi(a.p), { timeout: 10_000 }).toEqual([true]);
    await page.getByTestId('adding-call').getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toMatch(/^Connected/);
    await expect.poll(() => heldByUi(a.p), { timeout: 10_000 }).toEqual([true, false]);
    expect(await page.locator('#dial-target').count()).toBe(0);

    // The keyboard: + on the page adds a call, Esc in the (empty, focused) dial field cancels.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('+');
    await expect.poll(() => heldByUi(a.p), { timeout: 10_000 }).toEqual([true, false, true]);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('dial-target');
    await page.keyboard.press('Escape');
    await expect.poll(() => heldByUi(a.p), { timeout: 10_000 }).toEqual([true, false, true, false]);
    await expect.poll(() => state.textContent(), { timeout: 10_000 }).toMatch(/^Connected/);
    // The call went on throughout: Esc cancelled, it did not hang up.
    expect(a.p.all('ended')).toHaveLength(0);
    await page.getByRole('button', { name: 'Hang up' }).click();
    expect(await a.p.waitFor('ended')).toMatchObject({ by: 'remote' });
  }, 90_000);
});
