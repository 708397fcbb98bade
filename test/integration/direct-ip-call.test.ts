// Two `softphone` processes calling each other straight by IP (no server): the answerer plays 1.5 kHz,
// the caller 1 kHz, and each recording must hold the other's tone.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import { TONE_A_HZ, TONE_B_HZ, describeReport, makeTempDir, removeDir, toneReport, writeToneWav } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';

describe('direct IP call (no server)', () => {
  let dir: string;
  let toneA: string;
  let toneB: string;
  beforeAll(() => {
    dir = makeTempDir('direct-ip-');
    toneA = writeToneWav(dir, TONE_A_HZ);
    toneB = writeToneWav(dir, TONE_B_HZ);
  });
  afterEach(() => stopAllSoftphones());
  afterAll(() => removeDir(dir));

  it('connects with `listen --auto-answer` and `call sip:x@127.0.0.1:P`; tones go both ways', async () => {
    const port = await freeUdpPort();
    const rtpA = await freePortRange(10);
    const rtpB = await freePortRange(10);
    const recA = join(dir, 'a-heard.wav');
    const recB = join(dir, 'b-heard.wav');
    const b = startSoftphone(
      ['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtpB.min}-${rtpB.max}`,
        '--auto-answer', '--play', toneB, '--record', recB, '--max-calls', '1'],
      { name: 'B' },
    );
    printOnFailure(b);
    expect(await b.waitFor('listening')).toMatchObject({ address: '127.0.0.1', port });
    const a = startSoftphone(
      ['call', `sip:x@127.0.0.1:${port}`, '--bind', '127.0.0.1', '--rtp-ports', `${rtpA.min}-${rtpA.max}`,
        '--play', toneA, '--record', recA, '--duration', '5'],
      { name: 'A' },
    );
    printOnFailure(a);
    const incoming = await b.waitFor('incoming');
    expect(incoming['from']).toMatch(/^sip:[^@]+@127\.0\.0\.1/);
    const connectedA = await a.waitFor('connected');
    expect(connectedA['codec']).toMatch(/^PCM[UA]$/);
    expect((await b.waitFor('connected'))['codec']).toBe(connectedA['codec']);

    const endedA = await a.waitFor('ended', undefined, 15_000);
    const endedB = await b.waitFor('ended', undefined, 5000);
    expect(endedA).toMatchObject({ by: 'local' });
    expect(endedB).toMatchObject({ by: 'remote' });
    expect(endedA['durationSeconds']).toBeGreaterThanOrEqual(4.5);
    expect(await a.waitForExit(8000)).toBe(0);
    expect(await b.waitForExit(8000)).toBe(0);
    expect(a.all('error').concat(b.all('error'))).toEqual([]);
    expect(a.strayLines.concat(b.strayLines)).toEqual([]);

    const heardByA = toneReport(recA, TONE_B_HZ);
    const heardByB = toneReport(recB, TONE_A_HZ);
    expect(heardByA.coverage, describeReport('A heard', heardByA)).toBeGreaterThanOrEqual(0.9);
    expect(heardByB.coverage, describeReport('B heard', heardByB)).toBeGreaterThanOrEqual(0.9);
    expect(heardByA.measuredSeconds, describeReport('A heard', heardByA)).toBeGreaterThan(3.5);
    expect(heardByB.measuredSeconds, describeReport('B heard', heardByB)).toBeGreaterThan(3.5);
    // No limit on when the tone starts (a speed figure, load-dependent): measuredSeconds > 3.5 of a 5 s
    // call already says the audio came early and held.
    expect(heardByA.onsetSeconds, describeReport('A heard', heardByA)).not.toBeNull();
  });
});
