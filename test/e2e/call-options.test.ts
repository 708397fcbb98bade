// Issue 11 in the browser UI: do-not-disturb chosen in the Audio view turns a call away with that status
// (baresip, calling through Kamailio, is told 480); auto-answer with a delay connects a call after that
// many seconds of ringing with no click; keys baresip presses (RFC 4733) appear on the call card; the
// Record button writes a stereo WAV whose left channel is the UI's tone and right channel baresip's; while
// the call rang, the ringtone (440 + 480 Hz) went to the UI's output device (a WAV here), and stopped on answer.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../src-main/audio/wav';
import { goertzelPower, toneCoverage } from '../../src-main/audio/tone-analysis';
import type { Baresip } from '../support/baresip';
import { startKamailio, type KamailioServer } from '../support/kamailio';
import { TONE_A_HZ, TONE_B_HZ, makeTempDir, removeDir, writeToneWav } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { startRegisteredPeer } from './registered-peer';
import { connectedFor, fillAccount, openUi, screenshot, type UiSession } from './ui-harness';

let kam: KamailioServer;
let dir: string;
let ui: UiSession | null = null;
let bob: Baresip | null = null;

beforeAll(async () => {
  kam = await startKamailio();
  dir = makeTempDir('e2e-call-options-');
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

describe('incoming-call options in the browser UI', () => {
  it('do-not-disturb 480 turns a call away; auto-answer after 1 s connects the next; its keys show on the card; Record writes both directions; the ringtone plays until answer', async () => {
    printOnFailure(kam);
    const recordings = join(dir, 'recordings');
    const speaker = join(dir, 'speaker.wav');
    ui = await openUi({ name: 'alice (ui)', env: { SOFTPHONE_AUDIO_PLAY: writeToneWav(dir, TONE_A_HZ), SOFTPHONE_AUDIO_LOOP: '1', SOFTPHONE_AUDIO_RECORD: speaker, SOFTPHONE_RECORDINGS: recordings } });
    const { page } = ui;
    await fillAccount(page, { userId: 'alice', domain: kam.domain, password: 'alicepw', displayName: 'Alice' });
    await expect.poll(() => page.getByTestId('registration-text').textContent(), { timeout: 10_000 }).toBe('Registered');

    await page.getByRole('tab', { name: 'Audio' }).click();
    await page.getByLabel('Do not disturb').selectOption('480');
    await expect.poll(() => page.getByLabel('Do not disturb').inputValue()).toBe('480');

    bob = await startRegisteredPeer(kam, { user: 'bob', playWav: writeToneWav(dir, TONE_B_HZ), answerMode: 'manual' });
    printOnFailure(bob);
    await bob.command('uafind', `sip:bob@${kam.domain}`);
    await bob.dial(`sip:alice@${kam.domain}`);
    const closed = await bob.waitForEvent('CALL_CLOSED', 10_000);
    expect(String(closed.param)).toMatch(/^480\b/);
    await screenshot(page, 'call-options-dnd');

    // DND off, auto-answer after 1 s: the next call connects by itself.
    await page.getByLabel('Do not disturb').selectOption('off');
    await page.getByLabel('Answer calls by themselves').check();
    await page.getByLabel('after (seconds of ringing)').fill('1');
    await page.getByLabel('after (seconds of ringing)').blur();
    await expect.poll(() => page.getByLabel('after (seconds of ringing)').inputValue()).toBe('1');
    await page.getByRole('tab', { name: 'Phone' }).click();
    bob.events.length = 0;
    const dialled = Date.now();
    await bob.dial(`sip:alice@${kam.domain}`);
    await bob.waitForEvent('CALL_ESTABLISHED', 10_000);
    // Not before the delay: it rang for at least the second asked for.
    expect(Date.now() - dialled).toBeGreaterThanOrEqual(900);
    const callState = page.getByTestId('call-state');
    await expect.poll(async () => connectedFor(await callState.textContent()), { timeout: 10_000 }).not.toBeNull();

    for (const key of '42#') await bob.command('sndcode', key);
    await expect.poll(() => page.getByTestId('dtmf-received').textContent(), { timeout: 10_000 }).toBe('Keys received: 42#');

    // Record for a while, then stop: one WAV in the recordings folder, both directions by frequency.
    const record = page.getByRole('button', { name: 'Record' });
    await record.click();
    await expect.poll(() => record.getAttribute('aria-pressed'), { timeout: 10_000 }).toBe('true');
    await page.getByTestId('recording').waitFor();
    await screenshot(page, 'call-options-keys');
    const files = () => (existsSync(recordings) ? readdirSync(recordings) : []);
    await expect.poll(files).toHaveLength(1);
    const wav = join(recordings, files()[0] as string);
    expect(files()[0]).toMatch(/^\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d_in_bob@127\.0\.0\.1\.wav$/);
    // Two seconds of call in the file (8 kHz stereo 16-bit: 32000 bytes a second, written about every 0.5 s).
    await expect.poll(() => statSync(wav).size, { timeout: 10_000, interval: 250 }).toBeGreaterThan(44 + 2 * 32000);
    await record.click();
    await expect.poll(() => record.getAttribute('aria-pressed')).toBe('false');
    await bob.hangup();
    const { channels, sampleRate, samples } = parseWav(new Uint8Array(readFileSync(wav)));
    expect(channels).toBe(2);
    const half = (c: 0 | 1) => samples.filter((_, i) => i % 2 === c);
    // Left: the UI's own tone (what it sent); right: baresip's (what it heard). 20 ms windows.
    expect(toneCoverage(half(0), sampleRate, TONE_A_HZ, { otherFreqs: [TONE_B_HZ] })).toBeGreaterThan(0.9);
    expect(toneCoverage(half(1), sampleRate, TONE_B_HZ, { otherFreqs: [TONE_A_HZ] })).toBeGreaterThan(0.8);

    // The UI's speaker: the ring while it rang (1 s of auto-answer delay), then baresip's tone, no more ring.
    await expect.poll(() => page.getByTestId('call-state').textContent(), { timeout: 10_000 }).toMatch(/^Ended/);
    await expect.poll(() => (existsSync(speaker) ? statSync(speaker).size : 0), { timeout: 5000 }).toBeGreaterThan(44 + 3 * 16000);
    const heard = parseWav(new Uint8Array(readFileSync(speaker)));
    const win = heard.sampleRate / 10;
    const marks: string[] = [];
    for (let s = 0; s + win <= heard.samples.length; s += win) {
      const w = heard.samples.subarray(s, s + win);
      const p = (f: number) => goertzelPower(w, 0, w.length, f, heard.sampleRate);
      // The ring is two equal tones: each holds about half the power, and baresip's tone none of it.
      const ring = p(440) > 1e6 && p(480) > 1e6 && p(TONE_B_HZ) * 100 < p(440);
      marks.push(ring ? 'r' : toneCoverage(w, heard.sampleRate, TONE_B_HZ, { windowMs: 100 }) === 1 ? 'b' : '.');
    }
    const timeline = marks.join('');
    const firstBob = timeline.indexOf('b');
    expect(timeline.slice(0, 6), timeline).toMatch(/rrr/); // the cadence starts with 0.4 s of ring
    expect(firstBob, timeline).toBeGreaterThan(timeline.indexOf('r'));
    expect(timeline.slice(firstBob), timeline).not.toContain('r');
  });
});
