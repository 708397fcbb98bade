// The speaker's playout ring: primes to its cushion, rides out bursty card pulls without holes, gives
// back spare latency in one step, and drops the backlog a stalled card left behind.
import { describe, expect, it } from 'vitest';
import { PlayoutRing } from '../../../src-main/audio/playout-ring';

const BLOCK = 160;

/** A block whose every sample is its sequence number (so order and holes can be read back). */
function block(n: number): Int16Array {
  return new Int16Array(BLOCK).fill(n);
}

interface Sim {
  /** Sequence number of each block the card played, -1 for silence. */
  played: number[];
  ring: PlayoutRing;
}

/**
 * Event simulation: the tick pushes block k at `pushAt(k)`, the card pulls at each time in `pulls`
 * (both in ms, any order); pushes win ties. `stallEnds` marks pulls after which the card reports a stall.
 */
function simulate(pushes: number[], pulls: number[], opts: { stallAfter?: number } = {}): Sim {
  const ring = new PlayoutRing({ block: BLOCK, targetBlocks: 2, maxBlocks: 10 });
  const events = [...pushes.map((t, k) => ({ t, kind: 0, k })), ...pulls.map((t, j) => ({ t, kind: 1, k: j }))].sort((a, b) => a.t - b.t || a.kind - b.kind);
  const played: number[] = [];
  const out = new Int16Array(BLOCK);
  for (const e of events) {
    if (e.kind === 0) ring.push(block(e.k));
    else {
      if (opts.stallAfter !== undefined && e.k === opts.stallAfter) ring.cardStalled();
      played.push(ring.read(out) ? (out[0] as number) : -1);
      // A block is never a mix of two: every sample equals the first.
      expect(out.every((v) => v === out[0])).toBe(true);
    }
  }
  return { played, ring };
}

const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

/** Audio blocks played in order with no repeats; returns them. */
function audio(played: number[]): number[] {
  const a = played.filter((x) => x >= 0);
  for (let i = 1; i < a.length; i++) expect(a[i]).toBeGreaterThan(a[i - 1] as number);
  return a;
}

describe('PlayoutRing', () => {
  it('plays silence until the 2-block cushion is there, then every block in order', () => {
    const { played, ring } = simulate(range(500, (k) => 20 * k), range(500, (j) => 30 + 20 * j));
    const firstAudio = played.findIndex((x) => x >= 0);
    expect(played.slice(0, firstAudio).every((x) => x === -1)).toBe(true);
    expect(played[firstAudio]).toBe(0);
    // Once playing: no hole and nothing skipped.
    expect(played.slice(firstAudio)).toEqual(range(played.length - firstAudio, (i) => i));
    expect(ring.underflows).toBe(0);
    expect(ring.overflows).toBe(0);
  });

  it('rides out a card that pulls every 22.5 ms with a double pull now and then (PulseAudio through ALSA)', () => {
    // As logged from pulse: 8 periods of 22.5 ms = 180 ms hold 9 pulls, one block per 20 ms on average.
    const pulls: number[] = [];
    for (let p = 0; pulls.length < 1500; p++) {
      pulls.push(7 + 22.5 * p);
      if (p % 8 === 7) pulls.push(7.2 + 22.5 * p);
    }
    const { played, ring } = simulate(range(1500, (k) => 20 * k), pulls);
    const start = played.findIndex((x) => x >= 0);
    const a = audio(played.slice(start));
    expect(ring.underflows).toBe(0);
    expect(ring.overflows).toBe(0);
    expect(a.length).toBe(played.length - start); // no silence once started
  });

  it('keeps playing through pull jitter of ±9 ms without dropping or inserting anything', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const { played, ring } = simulate(range(3000, (k) => 20 * k), range(3000, (j) => 10 + 20 * j + (rnd() - 0.5) * 18));
    const start = played.findIndex((x) => x >= 0);
    expect(played.slice(start)).toEqual(range(played.length - start, (i) => i));
    expect(ring.underflows).toBe(0);
    expect(ring.overflows).toBe(0);
  });

  it('after a card that took 1.4 s to start, plays the newest audio with only the cushion of delay', () => {
    // Ticks run from t=0; the card takes nothing until 1400 ms (it reports the stall), then pulls every 20 ms.
    const { played, ring } = simulate(range(400, (k) => 20 * k), range(330, (j) => 1405 + 20 * j), { stallAfter: 0 });
    const a = audio(played);
    // At 1405 ms block 70 is the newest; the stall left block 69 and 70 queued (the 2-block cushion).
    expect(a[0]).toBe(69);
    expect(played.every((x) => x >= 0)).toBe(true);
    expect(ring.underflows).toBe(0);
    expect(ring.overflows).toBeGreaterThan(0); // the stale backlog went, once
    expect(ring.available).toBeLessThanOrEqual(3 * BLOCK);
  });

  it('gives back latency that a fast producer (or a burst) left standing, in one step per window', () => {
    // The producer runs 2 % fast: one extra block per 50.
    const pushes = range(3060, (k) => k * 20 * (50 / 51));
    const { played, ring } = simulate(pushes, range(3000, (j) => 30 + 20 * j));
    audio(played);
    expect(ring.underflows).toBe(0);
    expect(ring.overflows).toBeGreaterThan(0);
    // Standing latency stays bounded near the cushion instead of growing by 60 blocks.
    expect(ring.available).toBeLessThanOrEqual(4 * BLOCK);
  });

  it('when the card is faster, plays silence once and builds the whole cushion again before resuming', () => {
    // The card pulls 2 % fast: it runs dry now and then.
    const { played, ring } = simulate(range(3000, (k) => 20 * k), range(3000, (j) => 30 + j * 20 * (50 / 51)));
    const a = audio(played);
    expect(ring.underflows).toBeGreaterThan(0);
    // Each dry spell costs at most the cushion (2 blocks of silence), never a limp of single holes.
    const start = played.findIndex((x) => x >= 0);
    let run = 0;
    let maxRun = 0;
    for (const x of played.slice(start)) {
      run = x < 0 ? run + 1 : 0;
      maxRun = Math.max(maxRun, run);
    }
    expect(maxRun).toBeLessThanOrEqual(3);
    expect(a.length).toBeGreaterThan(2900);
  });

  it('cuts a producer that ran far ahead (a stalled card that never said so) back to the cushion', () => {
    const ring = new PlayoutRing({ block: BLOCK, targetBlocks: 2, maxBlocks: 10 });
    for (let k = 0; k < 11; k++) ring.push(block(k));
    expect(ring.available).toBe(2 * BLOCK);
    const out = new Int16Array(BLOCK);
    expect(ring.read(out)).toBe(true);
    expect(out[0]).toBe(9);
    expect(ring.overflows).toBe(9 * BLOCK);
  });

  it('rejects a bad block size', () => {
    expect(() => new PlayoutRing({ block: 0 })).toThrow(/bad block/);
  });
});
