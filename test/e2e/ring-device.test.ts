// Issue 11, "Ring on" against a real sound system: a private PulseAudio whose null sinks "spk" and
// "ringer" are the machine's two sound cards, each an ALSA device of its own name (startPulseAudio's
// alsaDevices), so PortAudio lists them apart. In the browser UI, Audio → Ring on "ringer": Preview and an
// incoming call (a CLI softphone over real UDP) ring on the ringer sink (its monitor recorded, the classic
// 440/480 Hz pair found) and not on the speaker sink. A ring device that is not there (a settings.json
// naming one) rings on the speaker instead, and the user reads why.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { goertzelPower } from '../../src-main/audio/tone-analysis';
import { freePortRange } from '../support/free-port';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import { makeTempDir, removeDir, writeToneWav } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { pulseAudioAvailable, startPulseAudio, type PulseHarness } from '../support/pulseaudio';
import { skipWithoutRealPeer } from '../support/real-peer-gate';
import { openUi, screenshot, type UiSession } from './ui-harness';

const skip = skipWithoutRealPeer('the ring device test (ring-device.test.ts)', pulseAudioAvailable() ? null : 'pulseaudio is missing');

/** The strongest 440 Hz (the classic ring's lower tone) in any 0.4 s window: the ring's on-time is 0.4 s. */
function ringPeak(samples: Int16Array, freq = 440): number {
  let best = 0;
  for (let at = 0; at + 3200 <= samples.length; at += 800) best = Math.max(best, goertzelPower(samples, at, 3200, freq, 8000));
  return best;
}

/** The process environment plus the sound server's (openUi takes strings only). */
function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

describe.skipIf(skip)('Ring on: the ringtone on its own sound card (PortAudio through a private PulseAudio)', () => {
  let pulse: PulseHarness;
  let dir: string;
  let ui: UiSession | null = null;
  beforeAll(async () => {
    pulse = await startPulseAudio({ sinks: ['spk', 'ringer', 'micfeed'], alsaDevices: ['spk', 'ringer'] });
    dir = makeTempDir('e2e-ring-device-');
  });
  afterEach(async () => {
    await ui?.close();
    ui = null;
    await stopAllSoftphones();
  });
  afterAll(async () => {
    await pulse?.stop();
    removeDir(dir);
  });

  /** A caller that gives up after `seconds` of ringing (the UI never answers). */
  async function ringFor(sipPort: number, seconds: number): Promise<void> {
    const rtp = await freePortRange(10);
    const tone = writeToneWav(dir, 1000, 2);
    const a = startSoftphone(
      ['call', `sip:alice@127.0.0.1:${sipPort}`, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--play', tone,
        '--record', join(dir, `caller-${sipPort}.wav`), '--ring-timeout', String(seconds)],
      { name: 'caller' },
    );
    printOnFailure(a);
    await a.waitFor('ended', undefined, 30_000);
  }

  it('Preview and an incoming call ring on the "ringer" card, not on the speaker', async () => {
    // The speaker is the system default (PULSE_SINK=spk), as a user who never touched it has.
    ui = await openUi({ name: 'ui', env: stringEnv(pulse.env({ sink: 'spk', source: 'micfeed.monitor' })) });
    const { page } = ui;
    await page.getByRole('tab', { name: 'Audio' }).click();
    const ringOn = page.getByLabel('Ring on');
    // PortAudio lists both cards by name (not only "pulse"/"default").
    await expect.poll(() => ringOn.locator('option').allTextContents(), { timeout: 15_000 }).toEqual(expect.arrayContaining(['Same as the speaker', 'spk (ALSA)', 'ringer (ALSA)']));
    await ringOn.selectOption('ringer');
    await expect.poll(() => ringOn.inputValue()).toBe('ringer');
    await screenshot(page, 'ring-on-device');

    let ringer = await pulse.record('ringer.monitor');
    let speaker = await pulse.record('spk.monitor');
    await page.getByRole('button', { name: 'Preview' }).click();
    // The button says "Ringing…" for the preview's 4 s, then "Preview" again.
    await expect.poll(() => page.getByRole('button', { name: 'Ringing…' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: 'Preview' }).count(), { timeout: 20_000 }).toBe(1);
    let onRinger = await ringer.stop();
    let onSpeaker = await speaker.stop();
    const previewRinger = ringPeak(onRinger);
    const previewSpeaker = ringPeak(onSpeaker);
    console.log(`preview: 440 Hz peak on ringer ${previewRinger.toExponential(2)}, on speaker ${previewSpeaker.toExponential(2)}`);
    expect(previewRinger, 'the preview did not ring on the ringer card').toBeGreaterThan(1e6);
    expect(previewSpeaker * 1000).toBeLessThan(previewRinger);

    ringer = await pulse.record('ringer.monitor');
    speaker = await pulse.record('spk.monitor');
    await ringFor(ui.sipPort, 6);
    onRinger = await ringer.stop();
    onSpeaker = await speaker.stop();
    const callRinger = ringPeak(onRinger);
    const callSpeaker = ringPeak(onSpeaker);
    console.log(`incoming call: 440 Hz peak on ringer ${callRinger.toExponential(2)}, on speaker ${callSpeaker.toExponential(2)}`);
    expect(callRinger, 'the incoming call did not ring on the ringer card').toBeGreaterThan(1e6);
    expect(ringPeak(onRinger, 480)).toBeGreaterThan(1e6);
    expect(callSpeaker * 1000).toBeLessThan(callRinger);
    expect(ui.stderr()).not.toContain('the ring device');
  }, 90_000);

  it('a ring device that is not there: the call rings on the speaker, and the user is told why', async () => {
    const dataDir = makeTempDir('e2e-ring-missing-');
    try {
      // What a settings.json holds after the USB headset chosen last week was unplugged.
      writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ version: 2, account: null, preferences: { language: 'en', inputDevice: null, outputDevice: null, ringDevice: 'USB headset' }, turnPasswordBlob: '' }), { mode: 0o600 });
      ui = await openUi({ name: 'ui', dataDir, env: stringEnv(pulse.env({ sink: 'spk', source: 'micfeed.monitor' })) });
      const { page } = ui;
      await page.getByRole('tab', { name: 'Audio' }).click();
      const ringOn = page.getByLabel('Ring on');
      await expect.poll(() => ringOn.locator('option:checked').textContent(), { timeout: 15_000 }).toBe('USB headset (not connected: rings on the speaker)');

      const ringer = await pulse.record('ringer.monitor');
      const speaker = await pulse.record('spk.monitor');
      await ringFor(ui.sipPort, 6);
      const onRinger = await ringer.stop();
      const onSpeaker = await speaker.stop();
      const peakSpeaker = ringPeak(onSpeaker);
      console.log(`missing ring device: 440 Hz peak on speaker ${peakSpeaker.toExponential(2)}, on ringer ${ringPeak(onRinger).toExponential(2)}`);
      expect(peakSpeaker, 'the call did not ring on the speaker').toBeGreaterThan(1e6);
      expect(ringPeak(onRinger) * 1000).toBeLessThan(peakSpeaker);
      const warning = "audio: the ring device 'USB headset' is not connected; the ringtone plays on the speaker instead";
      await expect.poll(() => page.getByRole('alert').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(warning)]));
      await screenshot(page, 'ring-on-missing');
    } finally {
      await ui?.close();
      ui = null;
      removeDir(dataDir);
    }
  }, 90_000);
});
