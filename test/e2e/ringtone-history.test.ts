// Issue 11 in the browser UI, with a CLI softphone calling it over real UDP (direct IP) and the UI's
// speaker recorded to a WAV: Audio → Ringtone "Trill" + Preview rings 1200/1600 Hz on the speaker; a
// WAV file that is not one is refused next to its field; a real WAV (a 700 Hz tone) chosen as the
// ringtone is what rings for an incoming call; the caller who gave up is "Missed" in the history, and a
// call do-not-disturb turned away (486 on the wire) is "Refused" with the reason.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../src-main/audio/wav';
import { goertzelPower, toneCoverage } from '../../src-main/audio/tone-analysis';
import { freePortRange } from '../support/free-port';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import { makeTempDir, removeDir, writeToneWav } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { openUi, screenshot, type UiSession } from './ui-harness';

let dir: string;
let ui: UiSession | null = null;
beforeAll(() => {
  dir = makeTempDir('e2e-ringtone-');
});
afterEach(async () => {
  await ui?.close();
  ui = null;
  await stopAllSoftphones();
});
afterAll(() => removeDir(dir));

/** The speaker WAV once it holds at least `seconds` of audio and no longer grows (its session closed). */
async function settledSpeaker(path: string, seconds: number): Promise<Int16Array> {
  let last = -1;
  await expect
    .poll(
      () => {
        const size = existsSync(path) ? statSync(path).size : 0;
        const settled = size === last && size > 44 + seconds * 16000;
        last = size;
        return settled;
      },
      { timeout: 20_000, interval: 700 },
    )
    .toBe(true);
  return parseWav(new Uint8Array(readFileSync(path))).samples;
}

describe('ringtone and refused calls in the browser UI', () => {
  it('Trill previews on the speaker; a bad WAV is refused; a chosen WAV rings an incoming call; Missed and Refused in the history', async () => {
    const speaker = join(dir, 'speaker.wav');
    ui = await openUi({ name: 'ui', env: { SOFTPHONE_AUDIO_RECORD: speaker } });
    const { page } = ui;
    await page.getByRole('tab', { name: 'Audio' }).click();
    const ringtone = page.getByLabel('Ringtone');
    await ringtone.selectOption('trill');
    await expect.poll(() => ringtone.inputValue()).toBe('trill');
    await page.getByRole('button', { name: 'Preview' }).click();
    const trill = await settledSpeaker(speaker, 2);
    // The trill's first second from where it starts (the file also holds the silence before the click
    // reached the core; in one CI run that was over a second): both warble tones, nothing of the classic pair.
    const onset = trill.findIndex((v) => Math.abs(v) > 1000);
    expect(onset, 'the preview played nothing on the speaker').toBeGreaterThanOrEqual(0);
    const p = (f: number) => goertzelPower(trill, onset, Math.min(8000, trill.length - onset), f, 8000);
    expect(p(1200)).toBeGreaterThan(1e6);
    expect(p(1600)).toBeGreaterThan(1e6);
    expect(p(440) * 100).toBeLessThan(p(1200));

    // A text file is not a ringtone: the core says why, next to the field.
    const notWav = join(dir, 'notes.wav');
    writeFileSync(notWav, 'just some text');
    await ringtone.selectOption('file');
    const file = page.getByLabel('WAV file (its path on this computer)');
    await file.fill(notWav);
    await page.getByRole('button', { name: 'Use this file' }).click();
    await expect.poll(() => page.getByTestId('ringtone-error').textContent()).toContain('not a WAV file: missing RIFF/WAVE header');
    await screenshot(page, 'ringtone-bad-file');
    const tone = writeToneWav(dir, 700, 2);
    await file.fill(tone);
    await page.getByRole('button', { name: 'Use this file' }).click();
    await expect.poll(() => page.getByTestId('ringtone-error').count()).toBe(0);

    // A caller who gives up after 5 s: the UI rang with the chosen WAV on its speaker.
    const rtp = await freePortRange(10);
    const caller = (extra: string[]) =>
      startSoftphone(['call', `sip:alice@127.0.0.1:${ui!.sipPort}`, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--sip-t1', '100', '--play', tone, '--record', join(dir, 'caller.wav'), ...extra], { name: 'A' });
    // (5 s: under load the UI may take a while from the INVITE to its first ring.)
    const a = caller(['--ring-timeout', '5']);
    printOnFailure(a);
    await a.waitFor('ended');
    const rang = await settledSpeaker(speaker, 1.5);
    expect(toneCoverage(rang.subarray(0, 8000 * 1.5), 8000, 700, { otherFreqs: [440, 480, 1200] })).toBeGreaterThan(0.8);

    // Do-not-disturb 486: turned away before ringing, and "Refused" in the history.
    await page.getByLabel('Do not disturb').selectOption('486');
    await expect.poll(() => page.getByLabel('Do not disturb').inputValue()).toBe('486');
    const b = caller([]);
    printOnFailure(b);
    expect(await b.waitFor('ended')).toMatchObject({ status: 486 });
    await page.getByRole('tab', { name: 'History' }).click();
    const rows = page.getByTestId('history-row');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
    const texts = (await rows.allTextContents()).map((t) => t.replace(/\s+/g, ' '));
    expect(texts[0]).toMatch(/Refused · sip:softphone@127\.0\.0\.1:\d+ .*not connected: do not disturb/);
    expect(texts[1]).toMatch(/Missed · sip:softphone@127\.0\.0\.1:\d+ .*not connected: the caller hung up/);
    await screenshot(page, 'history-refused');
  }, 90_000);
});
