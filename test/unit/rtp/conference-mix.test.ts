// Conference mixing (issue 11): saturating addition, never wrap-around.
import { describe, expect, it } from 'vitest';
import { mixSaturating } from '../../../src-main/rtp/conference-mix';

describe('mixSaturating', () => {
  it('adds sample by sample and clips at the 16-bit limits instead of wrapping', () => {
    const dst = Int16Array.from([1000, 30000, -30000, 0, 5]);
    mixSaturating(dst, Int16Array.from([-200, 10000, -10000, 32767, -5]));
    expect([...dst]).toEqual([800, 32767, -32768, 32767, 0]);
  });

  it('mixes over the shorter frame only', () => {
    const dst = Int16Array.from([1, 2, 3]);
    mixSaturating(dst, Int16Array.from([10]));
    expect([...dst]).toEqual([11, 2, 3]);
  });
});

describe('the worker message that joins two sessions', () => {
  it('takes a session number or 0 (stop), nothing else', async () => {
    const { checkToWorker } = await import('../../../src-main/rtp/media-worker-protocol');
    expect(checkToWorker({ type: 'mix', session: 3, with: 4 })).toEqual({ ok: true, value: { type: 'mix', session: 3, with: 4 } });
    expect(checkToWorker({ type: 'mix', session: 3, with: 0 })).toEqual({ ok: true, value: { type: 'mix', session: 3, with: 0 } });
    expect(checkToWorker({ type: 'mix', session: 3, with: -1 }).ok).toBe(false);
    expect(checkToWorker({ type: 'mix', session: 3, with: '4' }).ok).toBe(false);
    expect(checkToWorker({ type: 'mix', session: 3 }).ok).toBe(false);
  });
});
