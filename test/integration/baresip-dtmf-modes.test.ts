// DTMF modes at an independent peer (Debian's baresip 1.0.0), issue 11: keys `call --dtmf-mode info`
// sends arrive at baresip as SIP INFO (its CALL_DTMF_START events, INFO on the wire); `--dtmf-mode
// inband` keys are the Q.23 tone pairs in what baresip decoded from us (by frequency); keys baresip
// sends (RFC 4733, its sndcode command) are printed by our `listen` as dtmf lines.
import { describe, expect, it } from 'vitest';
import { dtmfFrequencies } from '../../src-main/audio/dtmf-tone';
import { goertzelPower } from '../../src-main/audio/tone-analysis';
import { readWavMono } from '../support/audio-check';
import { type Baresip } from '../support/baresip';
import { freePort, freePortRange } from '../support/free-port';
import { printOnFailure } from '../support/on-failure';
import { useBaresipSuite } from '../support/baresip-suite';
import { startSoftphone } from '../support/softphone-process';

const suite = useBaresipSuite('baresip-dtmf-modes-');
let bs: Baresip | undefined;

/** The keys heard in `samples`: per 40 ms window, the row and column tone that stand out, runs collapsed. */
function keysIn(samples: Int16Array, rate: number): string {
  const win = Math.round(rate * 0.04);
  const rows = [697, 770, 852, 941];
  const cols = [1209, 1336, 1477, 1633];
  const layout = ['123A', '456B', '789C', '*0#D'];
  let out = '';
  let prev = '';
  for (let s = 0; s + win <= samples.length; s += win) {
    const p = (f: number) => goertzelPower(samples, s, win, f, rate);
    const best = (fs: number[]) => fs.map((f, i) => ({ i, p: p(f) })).sort((a, b) => b.p - a.p);
    const r = best(rows);
    const c = best(cols);
    const [r0, r1] = [r[0], r[1]];
    const [c0, c1] = [c[0], c[1]];
    // Both tones loud (each > ~0.1 of full scale) and clearly above their neighbours.
    const key = r0 && r1 && c0 && c1 && r0.p > 5e6 && c0.p > 5e6 && r0.p > 10 * r1.p && c0.p > 10 * c1.p ? (layout[r0.i] as string)[c0.i] ?? '' : '';
    if (key && key !== prev) out += key;
    prev = key;
  }
  return out;
}

describe('DTMF modes at a real peer (baresip)', () => {
  it('--dtmf-mode info: each key is one SIP INFO (application/dtmf-relay) that baresip reports', async () => {
    bs = await suite.start({ codec: 'PCMU', playWav: suite.toneB });
    printOnFailure(bs);
    const rtp = await freePortRange(10);
    const digits = '159*0#';
    const a = startSoftphone(
      ['call', bs.uri, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--play', suite.toneA, '--dtmf', digits, '--dtmf-mode', 'info', '--duration', '3', '--log-level', 'debug'],
      { name: 'call-dtmf-info' },
    );
    printOnFailure(a);
    await a.waitFor('connected');
    const b = bs;
    const keys = () => b.events.filter((e) => e.type === 'CALL_DTMF_START').map((e) => String(e.param)).join('');
    await expect.poll(keys, { timeout: 8000 }).toBe(digits);
    await a.waitFor('ended', undefined, 15_000);
    expect(await a.waitForExit()).toBe(0);
    // On the wire (our SIP trace): six INFOs with the dtmf-relay body, each answered 200 by baresip.
    const trace = a.stderr.split('[sip-trace] ').slice(1);
    const sent = trace.filter((m) => /^>>> \S+ INFO\n/.test(m));
    expect(sent).toHaveLength(digits.length);
    expect(sent.map((m) => /Signal=(.)\r?\nDuration=100/.exec(m)?.[1]).join('')).toBe(digits);
    expect(sent.every((m) => /^Content-Type: application\/dtmf-relay/im.test(m))).toBe(true);
    const answered = trace.filter((m) => /^<<< \S+ 200 OK\n/.test(m) && /^CSeq: \d+ INFO/im.test(m));
    expect(answered).toHaveLength(digits.length);
  });

  it('--dtmf-mode inband: the keys are the tone pairs in the audio baresip decoded from us', async () => {
    bs = await suite.start({ codec: 'PCMU', playWav: suite.toneB });
    printOnFailure(bs);
    const rtp = await freePortRange(10);
    const digits = '3#8';
    const a = startSoftphone(
      ['call', bs.uri, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--play', suite.toneA, '--dtmf', digits, '--dtmf-mode', 'inband', '--duration', '2'],
      { name: 'call-dtmf-inband' },
    );
    printOnFailure(a);
    await a.waitFor('connected');
    await a.waitFor('ended', undefined, 15_000);
    expect(await a.waitForExit()).toBe(0);
    await bs.waitForEvent('CALL_CLOSED');
    // No RFC 4733 events reached baresip: the keys were only in the audio.
    expect(bs.events.filter((e) => e.type === 'CALL_DTMF_START')).toHaveLength(0);
    const dump = bs.recordings().decoded;
    expect(dump, 'baresip wrote no recording').toBeTruthy();
    const { sampleRate, samples } = readWavMono(dump as string);
    expect(keysIn(samples, sampleRate)).toBe(digits);
    expect(dtmfFrequencies('#')).toEqual([941, 1477]);
  });

  it('keys baresip sends as RFC 4733 events are printed by listen as dtmf lines, once each', async () => {
    bs = await suite.start({ codec: 'PCMU', playWav: suite.toneB });
    printOnFailure(bs);
    const rtp = await freePortRange(10);
    const port = await freePort();
    const l = startSoftphone(
      ['listen', '--bind', '127.0.0.1', '--port', String(port), '--rtp-ports', `${rtp.min}-${rtp.max}`, '--play', suite.toneA, '--auto-answer', '--max-calls', '1'],
      { name: 'listen-dtmf' },
    );
    printOnFailure(l);
    await l.waitFor('listening');
    await bs.dial(`sip:me@127.0.0.1:${port}`);
    await l.waitFor('connected');
    await bs.waitForEvent('CALL_ESTABLISHED');
    for (const key of '4*7') await bs.command('sndcode', key);
    const got = () => l.all('dtmf').map((e) => `${String(e['digit'])}/${String(e['via'])}`).join(' ');
    await expect.poll(got, { timeout: 8000 }).toBe('4/rfc4733 */rfc4733 7/rfc4733');
    const callId = l.all('connected')[0]?.['callId'];
    expect(l.all('dtmf').every((e) => e['callId'] === callId)).toBe(true);
    await bs.hangup();
    await l.waitFor('ended', undefined, 10_000);
    expect(await l.waitForExit()).toBe(0);
  });
});
