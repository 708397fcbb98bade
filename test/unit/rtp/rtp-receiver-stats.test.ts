// RFC 3550 A.1 sequence validation, A.3 loss accounting and A.8 jitter on synthetic packet streams.
import { describe, expect, it } from 'vitest';
import { RtpReceiverStats } from '../../../src-main/rtp/rtp-receiver-stats';

/** Feeds seq numbers with 160-sample timestamps, arriving every 20 ms; returns the verdicts. */
function feed(stats: RtpReceiverStats, seqs: number[], firstSeq = seqs[0] as number, t0 = 0): string[] {
  return seqs.map((s, i) => stats.update(s & 0xffff, ((s - firstSeq) * 160) >>> 0, t0 + i * 20));
}

describe('RtpReceiverStats', () => {
  it('needs two sequential packets before a source is valid (A.1 probation)', () => {
    const st = new RtpReceiverStats();
    expect(feed(st, [1000, 1001, 1002, 1003])).toEqual(['invalid', 'ok', 'ok', 'ok']);
    expect(st.packetsReceived).toBe(3);
    expect(st.packetsLost).toBe(0);
    expect(st.extendedHighestSeq).toBe(1003);
  });

  it('restarts probation when the first packets are not sequential', () => {
    const st = new RtpReceiverStats();
    expect(feed(st, [10, 50, 51, 52])).toEqual(['invalid', 'invalid', 'ok', 'ok']);
    expect(st.packetsReceived).toBe(2);
  });

  it('counts losses and the fraction lost per report interval (A.3)', () => {
    const st = new RtpReceiverStats();
    const seqs: number[] = [];
    for (let s = 0; s < 100; s++) if (s % 10 !== 5) seqs.push(s); // 10 % loss
    feed(st, seqs);
    expect(st.packetsReceived).toBe(89); // the first probation packet is not counted (A.1)
    expect(st.packetsLost).toBe(10); // expected 99 (seq 1..99) - 89
    expect(st.fractionLostSinceLastReport()).toBe(Math.floor((10 * 256) / 99));
    // next interval: no loss
    feed(st, [100, 101, 102, 103], 0, 2000);
    expect(st.fractionLostSinceLastReport()).toBe(0);
    const block = st.reportBlock(0x1234, 0xabcd, 65536);
    expect(block).toMatchObject({ ssrc: 0x1234, cumulativeLost: 10, extendedHighestSeq: 103, lastSr: 0xabcd, delaySinceLastSr: 65536 });
  });

  it('extends the sequence number across the 65535 -> 0 wrap', () => {
    const st = new RtpReceiverStats();
    const seqs = [65530, 65531, 65532, 65533, 65534, 65535, 65536, 65537, 65539];
    expect(feed(st, seqs)).toEqual(['invalid', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    expect(st.extendedHighestSeq).toBe(65536 + 3);
    expect(st.packetsLost).toBe(1);
  });

  it('detects duplicates and accepts reordered packets, also across the wrap', () => {
    const st = new RtpReceiverStats();
    expect(feed(st, [65533, 65534, 0, 65535, 65535, 0, 1])).toEqual(['invalid', 'ok', 'ok', 'ok', 'duplicate', 'duplicate', 'ok']);
    expect(st.duplicates).toBe(2);
    expect(st.packetsReceived).toBe(4);
    expect(st.packetsLost).toBe(0);
    expect(st.extendedHighestSeq).toBe(65537);
  });

  it('treats a big jump as invalid until the next packet confirms it, then restarts (A.1)', () => {
    const st = new RtpReceiverStats();
    feed(st, [100, 101, 102]);
    expect(st.update(30000, 999, 100)).toBe('invalid'); // lone stray packet
    expect(st.update(103, 480, 120)).toBe('ok');
    expect(st.update(40000, 0, 140)).toBe('invalid');
    expect(st.update(40001, 160, 160)).toBe('ok'); // confirmed: a new sequence space
    expect(st.extendedHighestSeq).toBe(40001);
    expect(st.packetsReceived).toBe(1);
    expect(st.packetsLost).toBe(0);
    // a packet from far in the past (> MAX_MISORDER behind) is also a possible restart, not a dup
    expect(st.update(39000, 0, 180)).toBe('invalid');
  });

  it('computes zero jitter for perfectly paced packets and the A.8 value for alternating delay', () => {
    const steady = new RtpReceiverStats();
    for (let i = 0; i < 50; i++) steady.update(i, i * 160, 1000 + i * 20);
    expect(steady.jitterMs).toBe(0);

    // Every other packet 10 ms late: |D| = 80 timestamp units each time, so J converges to 80 (10 ms).
    const jittery = new RtpReceiverStats();
    for (let i = 0; i < 400; i++) jittery.update(i, i * 160, 1000 + i * 20 + (i % 2 ? 10 : 0));
    expect(jittery.jitter).toBeCloseTo(80, 3);
    expect(jittery.jitterMs).toBeCloseTo(10, 3);
    expect(jittery.reportBlock(1).jitter).toBe(79); // floor of the running estimate (just under 80)
  });

  it('keeps jitter right across a timestamp wrap', () => {
    const st = new RtpReceiverStats();
    for (let i = 0; i < 40; i++) st.update(i, (0xffffff00 + i * 160) >>> 0, i * 20);
    expect(st.jitterMs).toBe(0);
  });

  it('clamps cumulative loss to 24 bits in the report block', () => {
    const st = new RtpReceiverStats();
    // jumps of 2999 (just under MAX_DROPOUT) lose 2998 packets each
    let seq = 0;
    st.update(seq, 0, 0);
    st.update(++seq, 160, 20);
    for (let i = 0; i < 3000; i++) {
      seq += 2999;
      st.update(seq & 0xffff, (seq * 160) >>> 0, 40 + i * 20);
    }
    expect(st.packetsLost).toBe(3000 * 2998);
    expect(st.reportBlock(5).cumulativeLost).toBe(0x7fffff);
  });
});
