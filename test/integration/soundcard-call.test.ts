// One CLI call on the sound card: `softphone listen` without --play/--record uses PortAudio, whose
// "sound card" is a private PulseAudio daemon (null sinks, paced in real time). Its microphone hears a
// 1 kHz tone played into a sink; its speaker is recorded from the other sink's monitor.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pulseAudioAvailable, startPulseAudio, type PulseHarness } from '../support/pulseaudio';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import {
  TONE_A_HZ,
  TONE_B_HZ,
  describeReport,
  makeTempDir,
  removeDir,
  toneReport,
  toneReportOf,
  writeToneWav,
} from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { skipWithoutRealPeer } from '../support/real-peer-gate';

const skip = skipWithoutRealPeer('the sound-card CLI test (soundcard-call.test.ts)', pulseAudioAvailable() ? null : 'pulseaudio is missing');

describe.skipIf(skip)('softphone on the sound card (PortAudio through a private PulseAudio)', () => {
  let pulse: PulseHarness;
  let dir: string;
  beforeAll(async () => {
    pulse = await startPulseAudio({ sinks: ['spk', 'micfeed'] });
    dir = makeTempDir('soundcard-');
  });
  afterEach(() => stopAllSoftphones());
  afterAll(async () => {
    await pulse?.stop();
    removeDir(dir);
  });

  it('`devices` lists the pulse device', async () => {
    const p = startSoftphone(['devices'], { env: pulse.env() });
    printOnFailure(p);
    expect(await p.waitForExit()).toBe(0);
    const pulseDev = p.all('device').find((d) => d['name'] === 'pulse');
    expect(pulseDev, JSON.stringify(p.events)).toBeDefined();
    expect(pulseDev?.['maxInputChannels']).toBeGreaterThan(0);
    expect(pulseDev?.['maxOutputChannels']).toBeGreaterThan(0);
  });

  it('a call answered on the sound card: the mic reaches the caller, the caller reaches the speaker', async () => {
    const micTone = writeToneWav(dir, TONE_A_HZ, 30);
    const callerTone = writeToneWav(dir, TONE_B_HZ, 30);
    const callerRec = join(dir, 'caller-heard.wav');
    const port = await freeUdpPort();
    const rtpB = await freePortRange(10);
    const rtpA = await freePortRange(10);

    const feeding = await pulse.play(micTone, 'micfeed');
    const speaker = await pulse.record('spk.monitor');
    const b = startSoftphone(
      ['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtpB.min}-${rtpB.max}`, '--auto-answer', '--max-calls', '1'],
      { name: 'soundcard', env: pulse.env({ sink: 'spk', source: 'micfeed.monitor' }) },
    );
    printOnFailure(b);
    await b.waitFor('listening');
    const a = startSoftphone(
      ['call', `sip:x@127.0.0.1:${port}`, '--bind', '127.0.0.1', '--rtp-ports', `${rtpA.min}-${rtpA.max}`, '--play', callerTone,
        '--record', callerRec, '--duration', '6'],
      { name: 'caller' },
    );
    printOnFailure(a);
    await b.waitFor('connected');
    expect(await a.waitFor('ended', undefined, 20_000)).toMatchObject({ by: 'local' });
    expect(await b.waitFor('ended')).toMatchObject({ by: 'remote' });
    expect(await b.waitForExit()).toBe(0);
    expect(await a.waitForExit()).toBe(0);
    expect(b.all('error')).toEqual([]);
    // naudiodon prints to stdout natively; the CLI's filter must keep that off the event stream.
    expect(b.strayLines).toEqual([]);
    const played = await speaker.stop();
    await feeding.stop();

    // PortAudio capture through PulseAudio takes ~1.5 s to deliver its first samples (seen here; the
    // media engine's own sound-card test measures after the same start-up): allow for it, no more.
    const heardByCaller = toneReport(callerRec, TONE_A_HZ, { warmupMs: 500 });
    const onSpeaker = toneReportOf(played, 8000, TONE_B_HZ, { warmupMs: 500 });
    const mic = describeReport('caller heard the mic', heardByCaller);
    const spk = describeReport('speaker played', onSpeaker);
    // Coverage margin: on a loaded 2-core machine the real-time sound server drops some 20 ms blocks
    // (77 % seen at load average 15); which tone went where is still checked by frequency (other tone 0 %).
    expect(heardByCaller.coverage, mic).toBeGreaterThanOrEqual(0.7);
    // The tone must arrive and then hold for 3 s of a 6 s call (measuredSeconds); how soon it starts is the
    // sound server's start-up, which load stretches, so no limit on the onset itself.
    expect(heardByCaller.onsetSeconds, mic).not.toBeNull();
    expect(heardByCaller.measuredSeconds, mic).toBeGreaterThan(3);
    expect(onSpeaker.coverage, spk).toBeGreaterThanOrEqual(0.7);
    expect(onSpeaker.measuredSeconds, spk).toBeGreaterThan(3);
  });
});
