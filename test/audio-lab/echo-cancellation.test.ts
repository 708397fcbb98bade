// Issue 13's echo proof on a real sound card: the callee's speaker (a PulseAudio null sink) is looped back
// into its microphone at -6 dB, so a caller hears itself; with echo cancellation on (speexdsp in native/)
// the echo that comes back is at least 25 dB weaker than with it off, in the same call setup.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pulseAudioAvailable, startPulseAudio, type PulseHarness } from '../support/pulseaudio';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import { makeTempDir, readWavMono, removeDir } from '../support/audio-check';
import { meanPower, writeSpeechLikeWav } from '../support/speech-like';
import { printOnFailure } from '../support/on-failure';
import { skipWithoutRealPeer } from '../support/real-peer-gate';
import { createNativeEchoCanceller } from '../../src-main/audio/native-echo-canceller.node';

function why(): string | null {
  if (!pulseAudioAvailable()) return 'pulseaudio is missing';
  const aec = createNativeEchoCanceller(160, 8000);
  if ('error' in aec) return aec.error;
  aec.destroy();
  return null;
}
const skip = skipWithoutRealPeer('the echo cancellation test (echo-cancellation.test.ts)', why());

const TALK_SECONDS = 10;

describe.skipIf(skip)('echo cancellation on the sound card (speaker looped into the microphone at -6 dB)', () => {
  let pulse: PulseHarness;
  let dir: string;
  let speech: string;
  beforeAll(async () => {
    pulse = await startPulseAudio({ sinks: ['spk'] });
    // The room: the microphone hears the speaker, 6 dB down, and nothing else.
    pulse.pactl(['set-source-volume', 'spk.monitor', '0.501']); // linear amplitude: -6 dB
    dir = makeTempDir('echo-');
    speech = writeSpeechLikeWav(dir, 30);
  });
  afterEach(() => stopAllSoftphones());
  afterAll(async () => {
    await pulse?.stop();
    if (dir) removeDir(dir);
  });

  /** The caller talks to a sound-card callee and records what comes back: its own voice as echo. */
  async function echoPower(mode: 'on' | 'off'): Promise<{ power: number; seconds: number }> {
    const port = await freeUdpPort();
    const rtpB = await freePortRange(10);
    const rtpA = await freePortRange(10);
    const heard = join(dir, `heard-${mode}.wav`);
    const b = startSoftphone(
      ['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtpB.min}-${rtpB.max}`, '--auto-answer', '--max-calls', '1',
        '--echo-cancellation', mode],
      { name: `callee-aec-${mode}`, env: pulse.env({ sink: 'spk', source: 'spk.monitor' }) },
    );
    printOnFailure(b);
    await b.waitFor('listening');
    const a = startSoftphone(
      ['call', `sip:x@127.0.0.1:${port}`, '--bind', '127.0.0.1', '--rtp-ports', `${rtpA.min}-${rtpA.max}`, '--play', speech,
        '--record', heard, '--duration', String(TALK_SECONDS)],
      { name: `caller-${mode}` },
    );
    printOnFailure(a);
    await a.waitFor('ended', undefined, 40_000);
    expect(await b.waitForExit()).toBe(0);
    expect(await a.waitForExit()).toBe(0);
    const { samples, sampleRate } = readWavMono(heard);
    // After convergence: the last 4 s of the call (the echo path and the canceller need the first seconds).
    const to = samples.length;
    const from = Math.max(0, to - 4 * sampleRate);
    return { power: meanPower(samples, from, to), seconds: to / sampleRate };
  }

  it('the echo the caller hears is at least 25 dB weaker with echo cancellation on', async () => {
    const off = await echoPower('off');
    const on = await echoPower('on');
    // The control can fail: without cancellation the caller must really hear itself (an echo path exists).
    const offDb = 10 * Math.log10(off.power / (32768 * 32768));
    expect(offDb, 'echo level with cancellation off (dBFS)').toBeGreaterThan(-40);
    const erle = 10 * Math.log10(off.power / Math.max(1, on.power));
    console.info(`echo: off ${offDb.toFixed(1)} dBFS, on ${(10 * Math.log10(Math.max(1, on.power) / (32768 * 32768))).toFixed(1)} dBFS: ERLE ${erle.toFixed(1)} dB`);
    expect(off.seconds).toBeGreaterThan(TALK_SECONDS - 2);
    expect(on.seconds).toBeGreaterThan(TALK_SECONDS - 2);
    expect(erle).toBeGreaterThanOrEqual(25);
  });
});
