// The CLI's control channel (issue 11, point 9): requests on stdin in the WebSocket envelope drive a
// running `listen` — answer a ringing call, mute it, hang it up — checked by the audio and by both ends.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import { TONE_A_HZ, TONE_B_HZ, makeTempDir, readWavMono, removeDir, toneGap, writeToneWav } from '../support/audio-check';
import { toneCoverage } from '../../src-main/audio/tone-analysis';
import { printOnFailure } from '../support/on-failure';

describe('CLI control channel on stdin', () => {
  let dir: string;
  let toneA: string;
  let toneB: string;
  beforeAll(() => {
    dir = makeTempDir('cli-control-');
    toneA = writeToneWav(dir, TONE_A_HZ);
    toneB = writeToneWav(dir, TONE_B_HZ);
  });
  afterEach(() => stopAllSoftphones());
  afterAll(() => removeDir(dir));

  it('answers, mutes and hangs up a call by request; bad requests get typed errors', async () => {
    const port = await freeUdpPort();
    const rtpA = await freePortRange(10);
    const rtpB = await freePortRange(10);
    const recA = join(dir, 'a-heard.wav');
    // B listens WITHOUT --auto-answer: only the control channel can answer.
    const b = startSoftphone(
      ['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtpB.min}-${rtpB.max}`, '--play', toneB, '--record', join(dir, 'b-heard.wav'), '--max-calls', '1'],
      { name: 'B', control: true },
    );
    printOnFailure(b);
    await b.waitFor('listening');
    // Requests that must fail, each with its own code, before any call exists.
    expect(await b.request('call.hangup', { callId: 'nope' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await b.request('call.dtmf', { callId: 'x', digits: '12Z' })).toMatchObject({ ok: false, error: { code: 'invalid-request', fields: { digits: expect.any(String) } } });
    expect(await b.request('history.list', {})).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
    b.sendLine('not json');
    expect(await b.waitForResult(null)).toMatchObject({ ok: false, error: { code: 'invalid-request', message: 'not JSON' } });

    const a = startSoftphone(
      ['call', `sip:x@127.0.0.1:${port}`, '--bind', '127.0.0.1', '--rtp-ports', `${rtpA.min}-${rtpA.max}`, '--play', toneA, '--record', recA, '--duration', '60'],
      { name: 'A' },
    );
    printOnFailure(a);
    const callId = String((await b.waitFor('incoming'))['callId']);
    const answered = await b.request('call.answer', { callId });
    expect(answered).toMatchObject({ ok: true, value: { id: callId, direction: 'incoming' } });
    await a.waitFor('connected');
    await b.waitFor('connected');

    // The phases' lengths are the point here (audio, then muted audio), not a wait for an event.
    const phase = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await phase(2500);
    expect(await b.request('call.mute', { callId, muted: true })).toMatchObject({ ok: true, value: { muted: true } });
    await phase(2500);
    const hungUp = await b.request('call.hangup', { callId });
    expect(hungUp).toMatchObject({ ok: true, value: { state: 'ended', end: { by: 'local' } } });
    expect(await b.waitFor('ended')).toMatchObject({ callId, by: 'local' });
    expect(await a.waitFor('ended', undefined, 15_000)).toMatchObject({ by: 'remote' });
    expect(await b.waitForExit(8000)).toBe(0);
    await a.waitForExit(8000);
    expect(a.strayLines.concat(b.strayLines)).toEqual([]);

    // What A heard: B's tone first, then (muted) a silent stretch up to the hang-up.
    const { sampleRate, samples } = readWavMono(recA);
    const win = Math.round(sampleRate * 0.02);
    const tone: boolean[] = [];
    for (let s = 0; s + win <= samples.length; s += win) tone.push(toneCoverage(samples.subarray(s, s + win), sampleRate, TONE_B_HZ) === 1);
    const timeline = tone.map((t) => (t ? '#' : '.')).join('');
    const first = tone.indexOf(true);
    const last = tone.lastIndexOf(true);
    expect(first, `A never heard B: ${timeline}`).toBeGreaterThanOrEqual(0);
    // Heard for about the 2.5 s before the mute, then nothing for about the 2.5 s of the mute.
    expect(((last - first) * win) / sampleRate, timeline).toBeGreaterThan(1.5);
    expect(((tone.length - last) * win) / sampleRate, timeline).toBeGreaterThan(1.5);
  }, 60_000);

  it('holds and resumes a call by request: the audio stops both ways while held, and both ends say so', async () => {
    const port = await freeUdpPort();
    const rtpA = await freePortRange(10);
    const rtpB = await freePortRange(10);
    const recA = join(dir, 'hold-a-heard.wav');
    const recB = join(dir, 'hold-b-heard.wav');
    const b = startSoftphone(
      ['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtpB.min}-${rtpB.max}`, '--auto-answer', '--play', toneB, '--record', recB, '--max-calls', '1'],
      { name: 'B' },
    );
    printOnFailure(b);
    await b.waitFor('listening');
    const a = startSoftphone(
      ['call', `sip:x@127.0.0.1:${port}`, '--bind', '127.0.0.1', '--rtp-ports', `${rtpA.min}-${rtpA.max}`, '--play', toneA, '--record', recA, '--duration', '60'],
      { name: 'A', control: true },
    );
    printOnFailure(a);
    const callId = String((await a.waitFor('connected'))['callId']);
    await b.waitFor('connected');
    const phase = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await phase(2500);
    const held = await a.request('call.hold', { callId, hold: true });
    expect(held).toMatchObject({ ok: true });
    expect(await a.waitFor('hold', (e) => e['local'] === true)).toMatchObject({ callId, local: true, remote: false });
    // B learns it from A's re-INVITE (a=sendonly, RFC 3264 §8.4).
    expect(await b.waitFor('hold', (e) => e['remote'] === true)).toMatchObject({ local: false, remote: true });
    await phase(2500);
    expect(await a.request('call.hold', { callId, hold: false })).toMatchObject({ ok: true });
    expect(await b.waitFor('hold', (e) => e['remote'] === false)).toMatchObject({ local: false, remote: false });
    await phase(2500);
    expect(await a.request('call.hangup', { callId })).toMatchObject({ ok: true, value: { state: 'ended' } });
    expect(await b.waitFor('ended')).toMatchObject({ by: 'remote' });
    await Promise.all([a.waitForExit(8000), b.waitForExit(8000)]);
    // Both recordings: the other's tone, a silent stretch as long as the hold, the tone again.
    for (const [who, rec, hz] of [['A', recA, TONE_B_HZ], ['B', recB, TONE_A_HZ]] as const) {
      const g = toneGap(rec, hz);
      expect(g.gapSeconds, `${who} heard (20 ms, # = tone): ${g.text}`).toBeGreaterThan(1.8);
      expect(g.gapSeconds, `${who} heard: ${g.text}`).toBeLessThan(4);
      expect(g.before, `${who} heard: ${g.text}`).toBeGreaterThan(1.5);
      expect(g.after, `${who} heard: ${g.text}`).toBeGreaterThan(1.5);
    }
  }, 60_000);
});
