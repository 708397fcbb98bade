// The no-RTP watchdog's decisions (issue 10): warn, restore, hold, time out, and the words it uses.
import { describe, expect, it } from 'vitest';
import { formatSeconds, mediaPathOf, noAudioText, NoRtpWatchdog, noRtpReason, type WatchdogAction } from '../../../src-main/rtp/no-rtp-watchdog';

const on = { expecting: true };

/** Feeds one sample per second from t=1 s to t=`untilS` s with a constant counter; returns every action with its time. */
function run(dog: NoRtpWatchdog, fromS: number, untilS: number, received: (t: number) => number, expecting = (_t: number) => true): Array<[number, WatchdogAction]> {
  const out: Array<[number, WatchdogAction]> = [];
  for (let t = fromS; t <= untilS; t++) for (const a of dog.observe(t * 1000, { received: received(t), expecting: expecting(t) })) out.push([t, a]);
  return out;
}

describe('NoRtpWatchdog', () => {
  it('nothing ever arrives: warns at 5 s ("never"), ends at 30 s, and reports the timeout only once', () => {
    const dog = new NoRtpWatchdog({ warnAfterMs: 5000, timeoutMs: 30_000 }, 0);
    const actions = run(dog, 1, 40, () => 0);
    expect(actions).toEqual([
      [5, { kind: 'warn', silentMs: 5000, never: true }],
      [30, { kind: 'timeout', silentMs: 30_000, never: true }],
    ]);
    expect(dog.timedOut).toBe(true);
  });

  it('audio flows: no warning however long the call lasts', () => {
    const dog = new NoRtpWatchdog({ warnAfterMs: 5000, timeoutMs: 30_000 }, 0);
    expect(run(dog, 1, 120, (t) => t * 50)).toEqual([]);
  });

  it('audio stops mid-call and comes back before the timeout: warn ("stopped"), then restored with the silence it lasted', () => {
    const dog = new NoRtpWatchdog({ warnAfterMs: 5000, timeoutMs: 30_000 }, 0);
    // Packets until t=10 s, silence until t=20 s, then packets again.
    const received = (t: number) => (t <= 10 ? t * 50 : t < 20 ? 500 : 500 + (t - 19) * 50);
    expect(run(dog, 1, 60, received)).toEqual([
      [15, { kind: 'warn', silentMs: 5000, never: false }],
      [20, { kind: 'restored', silentMs: 10_000, cause: 'media' }],
    ]);
  });

  it('RTCP alone (a counter that moves) keeps the call alive', () => {
    const dog = new NoRtpWatchdog({ warnAfterMs: 5000, timeoutMs: 30_000 }, 0);
    // The caller sums RTP and RTCP: an RTCP report every 5 s or so moves the sum.
    expect(run(dog, 1, 60, (t) => Math.floor(t / 4))).toEqual([]);
  });

  it('on hold (not sendrecv) silence does not count; a warning up when the hold starts is withdrawn ("hold")', () => {
    const dog = new NoRtpWatchdog({ warnAfterMs: 5000, timeoutMs: 30_000 }, 0);
    // Silent from the start; put on hold at t=8 s until t=100 s; still silent after.
    const actions = run(dog, 1, 140, () => 0, (t) => t < 8 || t >= 100);
    expect(actions).toEqual([
      [5, { kind: 'warn', silentMs: 5000, never: true }],
      [8, { kind: 'restored', silentMs: 8000, cause: 'hold' }],
      // The clock starts again when the hold ends (t=99 s was the last held look).
      [104, { kind: 'warn', silentMs: 5000, never: true }],
      [129, { kind: 'timeout', silentMs: 30_000, never: true }],
    ]);
  });

  it('0 turns either part off', () => {
    const noWarn = new NoRtpWatchdog({ warnAfterMs: 0, timeoutMs: 30_000 }, 0);
    expect(run(noWarn, 1, 40, () => 0)).toEqual([[30, { kind: 'timeout', silentMs: 30_000, never: true }]]);
    const noTimeout = new NoRtpWatchdog({ warnAfterMs: 5000, timeoutMs: 0 }, 0);
    expect(run(noTimeout, 1, 600, () => 0)).toEqual([[5, { kind: 'warn', silentMs: 5000, never: true }]]);
  });

  it('counts silence from the start time, not from the first look', () => {
    const dog = new NoRtpWatchdog({ warnAfterMs: 5000, timeoutMs: 0 }, 1000);
    expect(dog.observe(5999, { received: 0, ...on })).toEqual([]);
    expect(dog.observe(6000, { received: 0, ...on })).toEqual([{ kind: 'warn', silentMs: 5000, never: true }]);
  });
});

describe('the words', () => {
  it('plain RTP, never heard: the sentence of the issue', () => {
    expect(noAudioText(5000, true, 'direct')).toBe("no audio from the other side for 5 s: the peer's media may be blocked by a firewall or NAT");
  });

  it('stopped mid-call, over a TURN relay, over an ICE pair, and with ICE failed: each says its likely cause', () => {
    expect(noAudioText(5000, false, 'direct')).toMatch(/^no audio from the other side for 5 s \(it stopped mid-call\): .*firewall or NAT/);
    expect(noAudioText(5000, false, 'relay')).toMatch(/over the TURN relay: the relay may have dropped the allocation/);
    expect(noAudioText(2500, true, 'ice')).toMatch(/^no audio from the other side for 2\.5 s on the path ICE chose: .*TURN server/);
    expect(noAudioText(5000, true, 'ice', { state: 'failed' })).toMatch(/ICE found no working path/);
    // The TURN server said the allocation is gone (437 to a Refresh or CreatePermission): said as such.
    expect(noAudioText(5000, false, 'relay', { state: 'completed', relayProblem: 'CreatePermission for 192.0.2.2: 437 Allocation Mismatch' })).toBe(
      'no audio from the other side for 5 s over the TURN relay: the TURN server dropped the relay (CreatePermission for 192.0.2.2: 437 Allocation Mismatch); the audio cannot come back on it, call again',
    );
  });

  it('the path comes from the ICE stats: no ICE, a direct pair, a relay pair', () => {
    expect(mediaPathOf(undefined)).toBe('direct');
    expect(mediaPathOf({ state: 'unused' })).toBe('direct');
    const pair = (type: 'host' | 'relay') => ({ local: { type, address: '192.0.2.1', port: 5000 }, remote: { type: 'host' as const, address: '198.51.100.1', port: 6000 } });
    expect(mediaPathOf({ state: 'completed', selectedPair: pair('host') })).toBe('ice');
    expect(mediaPathOf({ state: 'completed', selectedPair: pair('relay') })).toBe('relay');
  });

  it('the end reason', () => {
    expect(noRtpReason(30_000)).toBe('no RTP for 30 s');
    expect(noRtpReason(1500)).toBe('no RTP for 1.5 s');
    expect(formatSeconds(12_340)).toBe('12.3');
  });
});
