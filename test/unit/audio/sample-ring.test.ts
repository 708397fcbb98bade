import { describe, expect, it } from 'vitest';
import { SampleRing } from '../../../src-main/audio/sample-ring';

const seq = (from: number, n: number) => Int16Array.from({ length: n }, (_, i) => from + i);

describe('SampleRing', () => {
  it('returns samples in order across the wrap-around', () => {
    const r = new SampleRing(10);
    const out = new Int16Array(4);
    r.push(seq(0, 6));
    expect(r.read(out)).toBe(true);
    expect([...out]).toEqual([0, 1, 2, 3]);
    r.push(seq(6, 7)); // wraps
    expect(r.available).toBe(9);
    expect(r.read(out)).toBe(true);
    expect([...out]).toEqual([4, 5, 6, 7]);
    expect(r.read(out)).toBe(true);
    expect([...out]).toEqual([8, 9, 10, 11]);
    expect(r.overflows).toBe(0);
  });

  it('drops the oldest samples on overflow and counts them', () => {
    const r = new SampleRing(8);
    r.push(seq(0, 6));
    r.push(seq(6, 5)); // 11 > 8: 0,1,2 go
    expect(r.overflows).toBe(3);
    const out = new Int16Array(8);
    expect(r.read(out)).toBe(true);
    expect([...out]).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    r.push(seq(100, 20)); // bigger than the ring: only the newest 8 survive
    expect(r.overflows).toBe(3 + 12);
    r.read(out);
    expect([...out]).toEqual([...seq(112, 8)]);
  });

  it('gives silence and counts an underflow when too little is buffered', () => {
    const r = new SampleRing(16);
    r.push(seq(1, 3));
    const out = new Int16Array(4).fill(7);
    expect(r.read(out)).toBe(false);
    expect([...out]).toEqual([0, 0, 0, 0]);
    expect(r.underflows).toBe(1);
    expect(r.available).toBe(3); // kept for the next read
    r.push(seq(4, 1));
    expect(r.read(out)).toBe(true);
    expect([...out]).toEqual([1, 2, 3, 4]);
  });

  it('trims to a latency cap, dropping the oldest', () => {
    const r = new SampleRing(32);
    r.push(seq(0, 20));
    r.trimTo(5);
    expect(r.available).toBe(5);
    expect(r.overflows).toBe(15);
    const out = new Int16Array(5);
    r.read(out);
    expect([...out]).toEqual([15, 16, 17, 18, 19]);
    expect(() => new SampleRing(0)).toThrow();
  });
});
