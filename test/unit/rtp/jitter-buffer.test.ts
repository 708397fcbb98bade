// Jitter buffer behaviour with a fake clock: ordering, duplicates, late and lost packets, wrap, resets,
// delay adaptation. Payloads carry their sequence number so that every output is checked by content.
import { describe, expect, it } from 'vitest';
import { JitterBuffer, type JitterPushResult } from '../../../src-main/rtp/jitter-buffer';

interface Arrival {
  at: number;
  seq: number;
  /** RTP timestamp; default derived from seq (160 per packet). */
  ts?: number;
  ssrc?: number;
}

interface Out {
  t: number;
  kind: 'frame' | 'lost' | 'expand' | 'empty';
  seq?: number;
  /** The sequence number written into the payload by `payloadFor`. */
  content?: number;
}

const rx = new Uint8Array(172); // one receive buffer reused for every packet, like the socket does

function payloadFor(seq: number): Uint8Array {
  const p = rx.subarray(0, 160);
  p.fill(seq & 0xff);
  p[0] = seq >> 8;
  p[1] = seq & 0xff;
  return p;
}

/** Pushes arrivals and pops every 20 ms (pushes first on equal times) until `untilMs`. */
function run(jb: JitterBuffer, arrivals: Arrival[], untilMs: number, tickPhase = 0, pushResults: JitterPushResult[] = []): Out[] {
  const sorted = [...arrivals].sort((a, b) => a.at - b.at);
  const out: Out[] = [];
  let i = 0;
  for (let t = tickPhase; t <= untilMs; t += 20) {
    while (i < sorted.length && (sorted[i] as Arrival).at <= t) {
      const a = sorted[i++] as Arrival;
      pushResults.push(jb.push(a.seq & 0xffff, a.ts ?? (a.seq * 160) >>> 0, payloadFor(a.seq), a.at, a.ssrc));
    }
    const r = jb.pop(t);
    if (r.kind === 'frame') out.push({ t, kind: 'frame', seq: r.seq, content: ((r.payload[0] as number) << 8) | (r.payload[1] as number) });
    else out.push({ t, kind: r.kind });
  }
  return out;
}

/**
 * Like run(), but pops by need as the media stream does, and plays each frame `request` samples longer
 * or shorter (at most `maxStep` per frame, the time-stretcher's bound for voice), reporting it back.
 */
function runStretched(jb: JitterBuffer, arrivals: Arrival[], untilMs: number, maxStep = 40, onTick?: (t: number) => void): Out[] {
  const sorted = [...arrivals].sort((a, b) => a.at - b.at);
  const out: Out[] = [];
  let i = 0;
  let fifo = 0;
  for (let t = 0; t <= untilMs; t += 20) {
    while (i < sorted.length && (sorted[i] as Arrival).at <= t) {
      const a = sorted[i++] as Arrival;
      const r = jb.push(a.seq & 0xffff, a.ts ?? (a.seq * 160) >>> 0, payloadFor(a.seq), a.at, a.ssrc);
      onArrival?.(r, a);
    }
    onTick?.(t);
    while (fifo < 160) {
      const r = jb.pop(t);
      if (r.kind === 'empty') {
        out.push({ t, kind: 'empty' });
        break;
      }
      const change = Math.max(-maxStep, Math.min(maxStep, jb.stretchRequest));
      jb.stretched(change);
      fifo += 160 + change;
      if (r.kind === 'frame') out.push({ t, kind: 'frame', seq: r.seq, content: ((r.payload[0] as number) << 8) | (r.payload[1] as number) });
      else out.push({ t, kind: r.kind });
    }
    fifo = Math.max(0, fifo - 160);
  }
  return out;
}
let onArrival: ((r: JitterPushResult, a: Arrival) => void) | undefined;

/** One pop per 20 ms tick (the whole-frame mode needs no stretching caller). */
function runFrameMode(jb: JitterBuffer, arrivals: Arrival[], untilMs: number, onTick?: (t: number) => void): Out[] {
  const sorted = [...arrivals].sort((a, b) => a.at - b.at);
  const out: Out[] = [];
  let k = 0;
  for (let t = 0; t <= untilMs; t += 20) {
    while (k < sorted.length && (sorted[k] as Arrival).at <= t) {
      const a = sorted[k++] as Arrival;
      const r = jb.push(a.seq, a.seq * 160, payloadFor(a.seq), a.at);
      onArrival?.(r, a);
    }
    onTick?.(t);
    const r = jb.pop(t);
    if (r.kind === 'frame') out.push({ t, kind: 'frame', seq: r.seq, content: r.seq });
    else out.push({ t, kind: r.kind });
  }
  return out;
}

/**
 * What was played, frames as their content. When a stream ends the stretch-mode buffer conceals up to
 * three more ticks ('expand', waiting for a packet that never comes): those at the very end are left
 * out, since they follow the last packet of every test stream; the tests about running dry check them.
 */
const played = (out: Out[]) => {
  const p = out.filter((o) => o.kind !== 'empty').map((o) => (o.kind === 'frame' ? o.content : o.kind));
  while (p[p.length - 1] === 'expand') p.pop();
  return p;
};
const paced = (seqs: number[], start = 0, phase = 5): Arrival[] => seqs.map((seq, i) => ({ at: start + phase + i * 20, seq }));
const range = (a: number, n: number) => Array.from({ length: n }, (_, i) => a + i);
const newJb = (adapt: 'stretch' | 'frame' = 'stretch') => new JitterBuffer({ frameSamples: 160, clockRate: 8000, adapt });

describe('JitterBuffer', () => {
  it('plays an in-order stream in order, starting after minDelay, with a constant delay', () => {
    const jb = newJb();
    const arrivals = paced(range(1000, 100));
    const out = run(jb, arrivals, 2200);
    const frames = out.filter((o) => o.kind === 'frame');
    expect(frames.map((f) => f.content)).toEqual(range(1000, 100));
    expect(frames.every((f) => f.seq === f.content)).toBe(true);
    const delays = frames.map((f, i) => f.t - (arrivals[i] as Arrival).at);
    expect(new Set(delays).size).toBe(1);
    expect(delays[0]).toBeGreaterThanOrEqual(40);
    expect(delays[0]).toBeLessThan(60);
    // Issue 13: the wait each frame had since it could have come (every packet on time: its own wait).
    expect(jb.stats.playoutDelayMs).toBe(delays[0]);
    expect(out.some((o) => o.kind === 'lost')).toBe(false);
    expect(jb.stats).toMatchObject({ lost: 0, late: 0, duplicates: 0, reordered: 0, targetDelayMs: 40 });
  });

  it('returns empty before the first packet and until minDelay is buffered', () => {
    const jb = newJb();
    expect(jb.pop(0).kind).toBe('empty');
    jb.push(1, 160, payloadFor(1), 100);
    expect(jb.pop(120).kind).toBe('empty');
    expect(jb.pop(139).kind).toBe('empty');
    const r = jb.pop(140);
    expect(r.kind === 'frame' && r.seq === 1).toBe(true);
  });

  it('puts reordered packets (1,3,2,5,4) back in order', () => {
    const jb = newJb();
    const out = run(jb, paced([1, 3, 2, 5, 4, 6, 7, 8]), 400);
    expect(played(out).slice(0, 8)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(jb.stats.reordered).toBe(2);
    expect(jb.stats.lost).toBe(0);
    expect(jb.stats.late).toBe(0);
  });

  it('counts and drops duplicates, before and after play-out', () => {
    const jb = newJb();
    const arrivals = paced(range(1, 20));
    arrivals.push({ at: 46, seq: 2 }, { at: 300, seq: 3 }); // re-sent while queued / long after played
    const results: JitterPushResult[] = [];
    const out = run(jb, arrivals, 600, 0, results);
    expect(played(out)).toEqual(range(1, 20));
    expect(results.filter((r) => r === 'duplicate')).toHaveLength(2);
    expect(jb.stats.duplicates).toBe(2);
  });

  it('yields exactly one lost for one missing packet, in its place', () => {
    const jb = newJb();
    const out = run(jb, paced(range(1, 30).filter((s) => s !== 10)), 800);
    expect(played(out)).toEqual([...range(1, 9), 'lost', ...range(11, 20)]);
    expect(jb.stats.lost).toBe(1);
  });

  // Issue 13: whole-frame mode keeps the old expectation (one extra concealed frame); stretch mode adds
  // the frame of delay by playing audio longer, with no extra concealed frame.
  it('frame mode: counts a packet that arrives after its slot as late and grows the delay by holding one frame', () => {
    const jb = newJb('frame');
    const arrivals = paced(range(1, 40)).map((a) => (a.seq === 10 ? { ...a, at: a.at + 100 } : a));
    const results: JitterPushResult[] = [];
    const out = run(jb, arrivals, 1000, 0, results);
    expect(results.filter((r) => r === 'late')).toHaveLength(1);
    expect(jb.stats.late).toBe(1);
    expect(jb.stats.lost).toBe(1);
    const p = played(out);
    // 10 was concealed in its slot; after the late arrival one extra concealed frame stretches the delay
    expect(p.slice(0, 10)).toEqual([...range(1, 9), 'lost']);
    expect(p.filter((x) => x !== 'lost')).toEqual(range(1, 40).filter((s) => s !== 10));
    expect(p.filter((x) => x === 'lost')).toHaveLength(2);
    expect(jb.stats.targetDelayMs).toBeGreaterThan(100); // the 100 ms excursion is in the jitter estimate
    expect(jb.stats.grownMs).toBe(20);
  });

  it('stretch mode: a late packet grows the delay by one frame of stretched audio, with no extra concealed frame', () => {
    const jb = newJb();
    const arrivals = paced(range(1, 40)).map((a) => (a.seq === 10 ? { ...a, at: a.at + 100 } : a));
    const results: JitterPushResult[] = [];
    onArrival = (r) => results.push(r);
    const requests: number[] = [];
    let grownBeforeEnd = 0;
    const out = runStretched(jb, arrivals, 1000, 40, (t) => {
      requests.push(jb.stretchRequest);
      if (t === 700) grownBeforeEnd = jb.stats.grownMs;
    });
    onArrival = undefined;
    expect(results.filter((r) => r === 'late')).toHaveLength(1);
    expect(jb.stats).toMatchObject({ late: 1, lost: 1, shrunkMs: 0 });
    expect(grownBeforeEnd).toBe(20);
    const p = played(out);
    expect(p).toEqual([...range(1, 9), 'lost', ...range(11, 30)]);
    // The buffer asked for one frame (160 samples) more, paid off at 40 samples a frame.
    expect(Math.max(...requests)).toBe(160);
    expect(requests.filter((r) => r > 0).length).toBeGreaterThanOrEqual(4);
    // Each packet waits 20 ms longer after the change than before it.
    const delay = (seq: number) => (out.find((o) => o.content === seq)?.t ?? NaN) - (arrivals.find((a) => a.seq === seq)?.at ?? NaN);
    expect(delay(30) - delay(5)).toBe(20);
    expect(jb.stats.targetDelayMs).toBeGreaterThan(100);
  });

  it('stretch mode: a burst of late packets asks for at most two frames more', () => {
    const jb = newJb();
    // 10, 12, 14, 16 each arrive 100 ms late (the ones between on time, so their slots pass): four lates.
    const arrivals = paced(range(1, 40)).map((a) => ([10, 12, 14, 16].includes(a.seq) ? { ...a, at: a.at + 100 } : a));
    const requests: number[] = [];
    runStretched(jb, arrivals, 1000, 0, () => requests.push(jb.stretchRequest)); // nothing is paid off
    expect(jb.stats.late).toBe(4);
    expect(Math.max(...requests)).toBe(320);
    expect(jb.stats.grownMs).toBe(0);
  });

  it('follows the sequence number across the 65535 -> 0 wrap, with reordering at the wrap', () => {
    const jb = newJb();
    const seqs = [65532, 65533, 65534, 65536, 65535, 65537, 65538, 65539]; // unwrapped; pushed & 0xffff
    const out = run(jb, paced(seqs), 400);
    expect(played(out)).toEqual([65532, 65533, 65534, 65535, 0, 1, 2, 3]);
    expect(jb.stats.lost).toBe(0);
  });

  it('copies payloads: the caller may reuse its receive buffer', () => {
    const jb = newJb();
    const buf = new Uint8Array(4);
    for (let s = 0; s < 3; s++) {
      buf.fill(s + 1);
      jb.push(s, s * 160, buf, s * 20);
    }
    buf.fill(99);
    const got: number[][] = [];
    for (let t = 40; t <= 80; t += 20) {
      const r = jb.pop(t);
      if (r.kind === 'frame') got.push(Array.from(r.payload));
    }
    expect(got).toEqual([[1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3]]);
  });

  it('resets on a new SSRC and on a sequence or timestamp jump, then plays the new stream', () => {
    for (const second of [
      (i: number) => ({ seq: 40000 + i, ssrc: 2 }), // new SSRC and new sequence space
      (i: number) => ({ seq: 40000 + i, ssrc: 1 }), // same SSRC, big sequence jump (peer restart)
      (i: number) => ({ seq: 21 + i, ssrc: 1, ts: (123456789 + i * 160) >>> 0 }), // timestamp jump only
      (i: number) => ({ seq: 5 + i, ssrc: 9 }), // new SSRC whose sequence numbers look old
    ]) {
      const jb = newJb();
      const arrivals: Arrival[] = paced(range(1, 20)).map((a) => ({ ...a, ssrc: 1 }));
      for (let i = 0; i < 20; i++) arrivals.push({ at: 405 + i * 20, ...second(i) });
      const results: JitterPushResult[] = [];
      const out = run(jb, arrivals, 1000, 0, results);
      expect(results.filter((r) => r === 'reset')).toHaveLength(1);
      expect(results[20]).toBe('reset');
      expect(jb.stats.resets).toBe(1);
      const p = played(out);
      const firstNew = second(0).seq;
      // The old stream plays until the reset (its last queued ~40 ms are discarded with it), then the
      // new stream plays from its first packet, in order.
      const frames = p.filter((x) => x !== 'lost');
      const cut = frames.findIndex((x, i) => x !== i + 1);
      expect(cut).toBeGreaterThanOrEqual(17);
      expect(frames.slice(0, cut)).toEqual(range(1, cut));
      expect(frames.slice(cut, cut + 10)).toEqual(range(firstNew, 10));
      expect(jb.stats.late).toBe(0);
    }
  });

  // Issue 13: the same scenario in both modes; in stretch mode the caller time-stretches (simulated
  // here: up to 5 ms per 20 ms frame), and the delay still follows the jitter up and back down.
  for (const adapt of ['frame', 'stretch'] as const) {
    it(`adapts (${adapt} mode): grows the target under jitter, then shrinks the delay back when the network calms`, () => {
      const jb = newJb(adapt);
      let seed = 42;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
      const arrivals: Arrival[] = [];
      for (let i = 0; i < 250; i++) arrivals.push({ at: 3 + i * 20 + Math.floor(rnd() * 80), seq: i }); // 5 s, 0-80 ms jitter
      for (let i = 250; i < 750; i++) arrivals.push({ at: 3 + i * 20, seq: i }); // then 10 s steady
      let lateAfterWarmup = 0;
      let targetAtJitterEnd = 0;
      onArrival = (r, a) => {
        if (r === 'late' && a.at > 1500) lateAfterWarmup++;
      };
      let delayAtJitterEnd = 0;
      let delayBeforeEnd = 0;
      const onTick = (t: number) => {
        if (t === 5000) targetAtJitterEnd = jb.stats.targetDelayMs;
        if (t === 5000) delayAtJitterEnd = jb.stats.delayMs;
        if (t === 14900) delayBeforeEnd = jb.stats.delayMs; // the stream is still running
      };
      const out = adapt === 'frame' ? runFrameMode(jb, arrivals, 15100, onTick) : runStretched(jb, arrivals, 15100, 40, onTick);
      onArrival = undefined;
      const frames = out.filter((o) => o.kind === 'frame').map((o) => o.seq as number);
      expect(targetAtJitterEnd).toBeGreaterThanOrEqual(80);
      expect(targetAtJitterEnd).toBeLessThanOrEqual(120);
      expect(lateAfterWarmup).toBeLessThanOrEqual(3);
      expect(jb.stats.targetDelayMs).toBe(40);
      expect(delayBeforeEnd).toBeLessThanOrEqual(60);
      expect(delayAtJitterEnd - delayBeforeEnd).toBeGreaterThanOrEqual(jb.stats.shrunkMs - 20);
      expect(jb.stats.shrunkMs).toBeGreaterThan(0);
      if (adapt === 'stretch') expect(jb.stats.dropped).toBe(0); // given back by compressing, not dropping
      // frames always come out in increasing order
      expect(frames.every((s, i) => i === 0 || s > (frames[i - 1] as number))).toBe(true);
      expect(frames[frames.length - 1]).toBe(749 - jb.stats.delayMs / 20);
    });
  }

  it('caps the delay at maxDelay when a burst arrives after an outage', () => {
    const jb = newJb();
    const arrivals = paced(range(0, 20));
    for (let s = 20; s < 50; s++) arrivals.push({ at: 1000, seq: s }); // 30 packets at once
    for (let s = 50; s < 80; s++) arrivals.push({ at: 1000 + (s - 49) * 20, seq: s });
    run(jb, arrivals, 1020);
    expect(jb.stats.delayMs).toBeLessThanOrEqual(200);
    expect(jb.stats.dropped).toBeGreaterThan(0);
  });

  // Issue 13: the stretch-mode buffer first conceals three ticks ('expand', 60 ms: G.711 App. I fades
  // to silence by then) in case the next packet is only late; the frame mode goes quiet at once.
  it('runs dry to empty when the stream stops, and plays again after minDelay when it resumes', () => {
    const frameJb = newJb('frame');
    const jb = newJb();
    const arrivals = paced(range(1, 10));
    arrivals.push(...paced(range(11, 10), 2000)); // 1.8 s pause (e.g. hold), sequence continues
    expect(played(run(frameJb, arrivals, 2600))).toEqual(range(1, 20));
    const out = run(jb, arrivals, 2600);
    expect(played(out)).toEqual([...range(1, 10), 'expand', 'expand', 'expand', ...range(11, 10)]);
    expect(jb.stats).toMatchObject({ lost: 0, late: 0 });
    const resumed = out.find((o) => o.content === 11);
    expect(resumed?.t).toBeGreaterThanOrEqual(2005 + 40);
    expect(out.filter((o) => o.t > 300 && o.t < 2000).every((o) => o.kind === 'empty')).toBe(true);
  });

  it('skips a long gap (peer stopped sending for a while) without a flood of lost frames', () => {
    const jb = newJb();
    const arrivals = paced(range(1, 10));
    arrivals.push(...paced(range(111, 10), 2200)); // 100 packets missing, 2 s silence
    const out = run(jb, arrivals, 2800);
    expect(played(out).filter((x) => x !== 'expand')).toEqual([...range(1, 10), ...range(111, 10)]);
    expect(out.filter((o) => o.kind === 'expand').length).toBe(3 + 3); // after 10, and after the end
    expect(out.filter((o) => o.kind === 'lost').length).toBe(0);
    expect(jb.stats.lost).toBe(100); // still accounted for
  });

  it('keeps its queue when the peer changes packet size (20 -> 30 -> 20 ms): every packet played in order, no loss, no reset', () => {
    // The media stream pops by need (one tick = 160 samples), so 30 ms packets are popped 2 per 3 ticks.
    const jb = newJb();
    const sizes = [...Array<number>(50).fill(160), ...Array<number>(40).fill(240), ...Array<number>(50).fill(160)];
    const arrivals: Array<{ at: number; seq: number; ts: number; n: number }> = [];
    let ts = 0;
    sizes.forEach((n, i) => {
      arrivals.push({ at: (ts + n) / 8 + 5, seq: 500 + i, ts, n });
      ts += n;
    });
    const playedSeqs: number[] = [];
    let fifo = 0;
    let gaps = 0;
    let started = false;
    let next = 0;
    for (let t = 0; t <= ts / 8 + 200; t += 20) {
      while (next < arrivals.length && (arrivals[next]?.at ?? Infinity) <= t) {
        const a = arrivals[next++] as (typeof arrivals)[number];
        if (a.n !== jb.packetSamples) jb.setFrameSamples(a.n);
        expect(jb.push(a.seq, a.ts, payloadFor(a.seq).subarray(0, 2), a.at, 7, a.n === 240 ? 8 : 0)).toBe('ok');
      }
      while (fifo < 160) {
        const r = jb.pop(t);
        if (r.kind === 'empty') break;
        if (r.kind === 'lost' || r.kind === 'expand') {
          if (playedSeqs.length < sizes.length) gaps++; // not the concealment after the last packet
          fifo += jb.packetSamples;
          continue;
        }
        playedSeqs.push(r.seq);
        // the payload type comes back with its frame
        expect(r.payloadType).toBe(sizes[r.seq - 500] === 240 ? 8 : 0);
        fifo += sizes[r.seq - 500] as number;
        started = true;
      }
      if (started && fifo < 160 && playedSeqs.length < sizes.length) gaps++;
      fifo = Math.max(0, fifo - 160);
    }
    expect(playedSeqs).toEqual(range(500, sizes.length));
    expect(gaps).toBe(0);
    expect(jb.stats).toMatchObject({ lost: 0, late: 0, resets: 0 });
  });
});
