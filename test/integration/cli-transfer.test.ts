// Transfer and three-way conference (issue 11, points 3 and 4) between three of our own CLI processes
// over real UDP: blind transfer (REFER, NOTIFY sipfrag), attended transfer (Refer-To with Replaces, the
// INVITE with Replaces taking over the call), conference mixing. Audio is checked by frequency: after
// a transfer the third party hears the second's tone; in the conference each party hears the other.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones, type SoftphoneProcess } from '../support/softphone-process';
import { TONE_A_HZ, TONE_B_HZ, describeReport, makeTempDir, readWavMono, removeDir, toneReport, writeToneWav } from '../support/audio-check';
import { goertzelPower } from '../../src-main/audio/tone-analysis';
import { printOnFailure } from '../support/on-failure';

/** A's tone in the conference, apart from the other two (and from their harmonics). */
const TONE_X_HZ = 700;

/**
 * Share of the 20 ms windows in [fromS, toS) where `hz` carries at least a quarter of the energy: in a
 * mix of two equal tones each carries about half, so both count as present (toneCoverage wants one
 * tone to dominate, which a mix never does).
 */
function presence(samples: Int16Array, sampleRate: number, hz: number, fromS: number, toS: number): number {
  const win = Math.round(sampleRate * 0.02);
  let windows = 0;
  let hits = 0;
  for (let s = Math.max(0, Math.round(fromS * sampleRate)); s + win <= Math.min(samples.length, Math.round(toS * sampleRate)); s += win) {
    let ms = 0;
    for (let i = s; i < s + win; i++) ms += (samples[i] as number) ** 2;
    ms /= win;
    windows++;
    if (Math.sqrt(ms) >= 0.01 * 32768 && goertzelPower(samples, s, win, hz, sampleRate) > 0.25 * ms) hits++;
  }
  return windows === 0 ? 0 : Math.round((hits / windows) * 100) / 100;
}

describe('CLI transfer and conference (three softphones)', () => {
  let dir: string;
  let toneB: string;
  let toneC: string;
  let toneA: string;
  beforeAll(() => {
    dir = makeTempDir('cli-transfer-');
    toneB = writeToneWav(dir, TONE_B_HZ);
    toneC = writeToneWav(dir, TONE_A_HZ);
    toneA = writeToneWav(dir, TONE_X_HZ);
  });
  afterEach(() => stopAllSoftphones());
  afterAll(() => removeDir(dir));

  /** A `listen --auto-answer` peer playing `tone` and recording what it hears into `rec` (rec-2.wav for its second call). */
  async function peer(name: string, tone: string, rec: string, extra: string[] = []): Promise<{ p: SoftphoneProcess; uri: string }> {
    const port = await freeUdpPort();
    const rtp = await freePortRange(10);
    const p = startSoftphone(
      ['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--auto-answer', '--play', tone, '--loop', '--record', rec, '--sip-t1', '100', ...extra],
      { name, control: true },
    );
    printOnFailure(p);
    await p.waitFor('listening');
    return { p, uri: `sip:${name.toLowerCase()}@127.0.0.1:${port}` };
  }

  /** A `call` to `uri` with a control channel; it plays `tone` (else silence) and records into `rec`. */
  async function caller(uri: string, rec: string, tone?: string): Promise<SoftphoneProcess> {
    const rtp = await freePortRange(10);
    const play = tone ? ['--play', tone, '--loop'] : [];
    const a = startSoftphone(['call', uri, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, ...play, '--record', rec, '--duration', '40', '--sip-t1', '100'], { name: 'A', control: true });
    printOnFailure(a);
    return a;
  }

  const hostPort = (uri: string) => uri.replace(/^sip:[^@]*@/, '');
  const phase = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('blind: A transfers B to C by REFER; NOTIFY 100 then 200; A hangs up; B calls C and C hears B\'s tone', async () => {
    const recC = join(dir, 'blind-c.wav');
    // B: --max-calls 1 must not end B while the call the transfer brought is up.
    const b = await peer('B', toneB, join(dir, 'blind-b.wav'), ['--accept-transfer', '--max-calls', '1']);
    const c = await peer('C', toneC, recC, ['--max-calls', '1']);
    const a = await caller(b.uri, join(dir, 'blind-a.wav'));
    const callId = String((await a.waitFor('connected'))['callId']);
    await b.p.waitFor('connected');
    expect(await a.request('call.transfer', { callId, target: c.uri })).toMatchObject({ ok: true, value: { id: callId } });
    // A: the REFER's 202, the sipfrag progress, then its own hang-up after the 2xx sipfrag.
    expect(await a.waitFor('transfer', (e) => e['status'] === 'succeeded')).toMatchObject({ callId, code: 200, reason: '200 OK' });
    const statuses = a.all('transfer').map((e) => e['status']);
    expect(statuses[0]).toBe('requested');
    expect(statuses).toContain('accepted');
    expect(statuses).toContain('trying');
    expect(await a.waitFor('ended')).toMatchObject({ callId, by: 'local' });
    expect(await a.waitForExit(10_000)).toBe(0);
    // B placed the call REFER asked for, and C got it from B.
    const placed = await b.p.waitFor('transfer_call');
    expect(placed).toMatchObject({ referredBy: callId, uri: c.uri });
    expect(await b.p.waitFor('ended', (e) => e['callId'] === callId)).toMatchObject({ by: 'remote' });
    const incoming = await c.p.waitFor('incoming');
    expect(String(incoming['from'])).toBe(`sip:softphone@${hostPort(b.uri)}`);
    await c.p.waitFor('connected');
    await phase(2000);
    expect(await b.p.request('call.hangup', { callId: String(placed['callId']) })).toMatchObject({ ok: true });
    expect(await c.p.waitFor('ended')).toMatchObject({ by: 'remote' });
    expect(await c.p.waitForExit(10_000)).toBe(0);
    expect(await b.p.waitForExit(10_000)).toBe(0);
    const heard = toneReport(recC, TONE_B_HZ, { otherHz: TONE_A_HZ });
    console.log(describeReport('C heard B after the blind transfer', heard));
    expect(heard.coverage, describeReport('C', heard)).toBeGreaterThan(0.9);
    expect(heard.otherCoverage, describeReport('C', heard)).toBeLessThan(0.05);
  }, 90_000);

  it('attended: A talks to B and C, transfers B to C with Replaces; C swaps A for B without ringing; C hears B', async () => {
    const recC = join(dir, 'att-c.wav');
    const b = await peer('B', toneB, join(dir, 'att-b.wav'), ['--accept-transfer']);
    const c = await peer('C', toneC, recC, ['--accept-transfer']);
    const a = await caller(b.uri, join(dir, 'att-a.wav'));
    const ab = String((await a.waitFor('connected'))['callId']);
    const dialled = await a.request('call.dial', { target: c.uri });
    expect(dialled).toMatchObject({ ok: true });
    const ac = String((dialled.value as { id: string }).id);
    await a.waitFor('connected', (e) => e['callId'] === ac);
    await c.p.waitFor('connected');
    expect(await a.request('call.transfer', { callId: ab, replacesCallId: ac })).toMatchObject({ ok: true });
    // C: the INVITE with Replaces took over A's call (no second 'incoming'), and C ended A's call by BYE.
    const replaced = await c.p.waitFor('replaced');
    expect(replaced).toMatchObject({ replacesCallId: ac });
    expect(String(replaced['from'])).toBe(`sip:softphone@${hostPort(b.uri)}`);
    // RFC 3891 §3: C ends the replaced call itself, with a BYE to A.
    expect(await c.p.waitFor('ended', (e) => e['callId'] === ac)).toMatchObject({ by: 'local' });
    await a.waitFor('ended', (e) => e['callId'] === ac);
    expect(await a.waitFor('transfer', (e) => e['status'] === 'succeeded')).toMatchObject({ callId: ab, code: 200 });
    expect(await a.waitFor('ended', (e) => e['callId'] === ab)).toMatchObject({ by: 'local' });
    expect(c.p.all('incoming')).toHaveLength(1);
    const placed = await b.p.waitFor('transfer_call');
    // Direct-IP mode: Refer-To names C's Contact (there is no routable AOR), with Replaces taken off.
    expect(placed).toMatchObject({ referredBy: ab, uri: `sip:softphone@${hostPort(c.uri)}` });
    await c.p.waitFor('connected', (e) => e['callId'] === replaced['callId']);
    await phase(2000);
    expect(await c.p.request('call.hangup', { callId: String(replaced['callId']) })).toMatchObject({ ok: true });
    await b.p.waitFor('ended', (e) => e['callId'] === placed['callId']);
    await c.p.stop();
    const recC2 = join(dir, 'att-c-2.wav');
    expect(existsSync(recC2)).toBe(true);
    const heard = toneReport(recC2, TONE_B_HZ, { otherHz: TONE_A_HZ });
    console.log(describeReport('C heard B after the attended transfer', heard));
    expect(heard.coverage, describeReport('C', heard)).toBeGreaterThan(0.9);
  }, 90_000);

  it('conference: A joins its calls with B and C; each of B and C hears A and the other, the other only after the join', async () => {
    const recB = join(dir, 'conf-b.wav');
    const recC = join(dir, 'conf-c.wav');
    const b = await peer('B', toneB, recB, ['--max-calls', '1']);
    const c = await peer('C', toneC, recC, ['--max-calls', '1']);
    const a = await caller(b.uri, join(dir, 'conf-a.wav'), toneA);
    const ab = String((await a.waitFor('connected'))['callId']);
    const dialled = await a.request('call.dial', { target: c.uri });
    const ac = String((dialled.value as { id: string }).id);
    await a.waitFor('connected', (e) => e['callId'] === ac);
    await Promise.all([b.p.waitFor('connected'), c.p.waitFor('connected')]);
    // Apart first: each hears A only, for a stretch long enough to measure.
    await phase(1500);
    expect(await a.request('call.conference', { callIds: [ab, ac] })).toMatchObject({ ok: true, value: [{ id: ab }, { id: ac }] });
    await phase(2500);
    expect(await a.request('call.hangup', { callId: ac })).toMatchObject({ ok: true });
    expect(await a.request('call.hangup', { callId: ab })).toMatchObject({ ok: true });
    expect(await b.p.waitForExit(10_000)).toBe(0);
    expect(await c.p.waitForExit(10_000)).toBe(0);
    for (const [who, rec, other, own] of [['B', recB, TONE_A_HZ, TONE_B_HZ], ['C', recC, TONE_B_HZ, TONE_A_HZ]] as const) {
      const { sampleRate, samples } = readWavMono(rec);
      const end = samples.length / sampleRate;
      const f = (hz: number, span: { from: number; to: number }) => presence(samples, sampleRate, hz, span.from, span.to);
      // The join, as heard: the first 20 ms with the other party in it. Measured from there, not from the
      // end (A hangs up the two calls one after the other, so one party leaves before the other).
      const firstHeard = (hz: number) => {
        let t = 0;
        while (t < end && f(hz, { from: t, to: t + 0.02 }) < 1) t += 0.02;
        return t;
      };
      const joined = firstHeard(other);
      // Before: from A's first audio (the jitter buffer filling) to the join.
      const before = { from: firstHeard(TONE_X_HZ) + 0.2, to: joined - 0.3 };
      const after = { from: joined + 0.3, to: Math.min(end - 0.3, joined + 1.8) };
      const text = `${who} (${end.toFixed(2)} s, the other party from ${joined.toFixed(2)} s): before A ${f(TONE_X_HZ, before)}, other ${f(other, before)}; after: A ${f(TONE_X_HZ, after)}, other ${f(other, after)}, own ${f(own, after)}`;
      console.log(text);
      // Apart for the ~1.5 s before the join: A only.
      expect(before.to - before.from, text).toBeGreaterThan(0.6);
      expect(f(TONE_X_HZ, before), text).toBeGreaterThan(0.9);
      expect(f(other, before), text).toBeLessThan(0.05);
      expect(after.to - after.from, text).toBeGreaterThan(1);
      expect(f(TONE_X_HZ, after), text).toBeGreaterThan(0.9);
      expect(f(other, after), text).toBeGreaterThan(0.9);
      // Nobody hears themselves back through the mix.
      expect(f(own, after), text).toBeLessThan(0.05);
    }
  }, 90_000);
});
