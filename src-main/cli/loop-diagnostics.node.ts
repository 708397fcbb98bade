// Diagnostics of the process itself: event-loop delay (perf_hooks monitorEventLoopDelay) and resident
// memory, logged every few seconds at --log-level debug, or at info with SOFTPHONE_DIAGNOSTICS=1 (what
// `npm run flood` uses: a debug run would also trace every SIP message, which a flood makes costly).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import type { Logger } from '../util/logger';

/** Starts logging `event loop` lines every `everyMs`; returns the stop function. */
export function startLoopDiagnostics(log: Logger, level: 'debug' | 'info', everyMs = 2000): () => void {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const timer = setInterval(() => {
    // the histogram counts the delay past the 10 ms sampling resolution, in nanoseconds
    const mem = process.memoryUsage();
    const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
    log[level]('event loop', {
      maxDelayMs: Math.round(h.max / 1e5) / 10,
      p99DelayMs: Math.round(h.percentile(99) / 1e5) / 10,
      // where resident memory goes: the JS heap, Buffers and other native memory, or neither (malloc arenas)
      rssMB: mb(mem.rss),
      heapUsedMB: mb(mem.heapUsed),
      heapTotalMB: mb(mem.heapTotal),
      externalMB: mb(mem.external),
      arrayBuffersMB: mb(mem.arrayBuffers),
      // the young generation grows with the allocation rate (a flood), the old one with what is kept
      newSpaceMB: mb(getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0),
    });
    h.reset();
  }, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    h.disable();
  };
}
