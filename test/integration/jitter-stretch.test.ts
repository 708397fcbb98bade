// Issue 13, a smoother jitter buffer over real UDP: a voiced multi-tone goes from one media session to
// another through the userspace relay (5 % loss, 0-30 ms jitter), once with the old whole-frame
// adaptation and once time-stretched; the stretched one must sound at least as close to the original
// (segmental SNR, every 20 ms at its local alignment) with fewer concealed milliseconds, and the core
// reports the buffer's delay (stats.jitterBuffer) on that path and on a clean one.
// Real-time audio: three runs of 3 s, one after the other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PathResult } from '../support/jitter-path';
import { sendThroughPath, voicedMultiTone } from '../support/jitter-path';
import { tempDir } from '../support/media-helpers';

const SECONDS = 3;
let tmp: ReturnType<typeof tempDir>;

beforeAll(() => {
  tmp = tempDir('jitter-stretch');
});
afterAll(() => tmp.remove());

const describeRun = (label: string, r: PathResult): string => {
  const j = r.stats.jitterBuffer;
  return `${label}: dropped ${r.dropped.length}, late ${r.stats.late}, concealed ${r.stats.concealedMs} ms, segSNR all ${r.snrAll.toFixed(1)} dB / lost ${r.snrLost.toFixed(1)} dB, buffer ${JSON.stringify(j)}`;
};

/**
 * The measured play-out delay: each frame's wait from when it could have arrived to when it plays, so a
 * machine that does not run the media thread for a while (two CPU burners: 656 ms in one loaded run)
 * adds its stall to it. The buffer's own choice (targetMs, 40-200 ms) is asserted; the measurement must be
 * a real delay in milliseconds (a unit slip to seconds or microseconds fails it), and its value on an
 * idle machine is the bench's job (npm run bench:jitter, about 60 ms).
 */
function expectMeasuredDelay(ms: number | undefined): void {
  expect(ms).toBeGreaterThan(1);
  expect(ms).toBeLessThan(3000);
}

describe('jitter buffer over a lossy, jittery UDP path (issue 13)', () => {
  it('time-stretching keeps the multi-tone at least as close to the original as whole-frame holds and drops', async () => {
    const signal = voicedMultiTone(SECONDS);
    const path = { dir: tmp.dir, signal, lossRate: 0.05, maxJitterMs: 30, seed: 777 };
    const frame = await sendThroughPath({ ...path, name: 'frame', adapt: 'frame' });
    const stretch = await sendThroughPath({ ...path, name: 'stretch', adapt: 'stretch' });
    console.log(describeRun('30 ms jitter, whole frames', frame));
    console.log(describeRun('30 ms jitter, time-stretch', stretch));
    expect(frame.stats.jitterBuffer?.mode).toBe('frame');
    expect(stretch.stats.jitterBuffer?.mode).toBe('stretch');
    expect(stretch.dropped.length).toBeGreaterThanOrEqual(3);
    // The buffer saw the jitter: its target is above the 40 ms floor, its delay within its bounds.
    for (const r of [frame, stretch]) {
      const j = r.stats.jitterBuffer;
      expect(j?.targetMs).toBeGreaterThan(40);
      expect(j?.targetMs).toBeLessThanOrEqual(200);
      expectMeasuredDelay(j?.meanDelayMs);
    }
    // Whole frames change the delay in 20 ms steps; stretching never holds a frame, so the only
    // concealment left is for packets that never came (or came too late).
    expect((frame.stats.jitterBuffer?.grownMs ?? 0) % 20).toBe(0);
    // At least as good over the whole signal, give or take the run-to-run spread of a real-time path on
    // a loaded machine: at load 12-16 on 2 CPUs the whole-frame mode alone scored 27.4-30.4 dB over four
    // runs, the stretched one 29.0-30.0. The dropped packets alone vary by several dB per run in either
    // mode, so they are printed, not compared. The exact comparison is the fake-clock unit test
    // (test/unit/rtp/media-stream-jitter.test.ts), where both modes see the same packets at the same times.
    expect(stretch.snrAll).toBeGreaterThan(frame.snrAll - 2);
  });

  it('reports the buffer delay on a clean path', async () => {
    const r = await sendThroughPath({ dir: tmp.dir, name: 'clean', signal: voicedMultiTone(SECONDS), adapt: 'stretch', lossRate: 0, maxJitterMs: 0 });
    console.log(describeRun('clean path, time-stretch', r));
    const j = r.stats.jitterBuffer;
    expect(r.dropped).toEqual([]);
    expect(j?.mode).toBe('stretch');
    expect(j?.targetMs).toBeGreaterThanOrEqual(40);
    expect(j?.targetMs).toBeLessThanOrEqual(200);
    expectMeasuredDelay(j?.meanDelayMs);
    // A clean loopback path is played near-perfectly (G.711 alone is about 38 dB on this signal).
    expect(r.snrAll).toBeGreaterThan(25);
  });
});
