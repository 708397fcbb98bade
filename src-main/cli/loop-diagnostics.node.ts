// Diagnostics of the process itself: event-loop delay (perf_hooks monitorEventLoopDelay) and resident
// memory, logged every few seconds at --log-level debug, or at info with SOFTPHONE_DIAGNOSTICS=1 (what
// `npm run flood` uses: a debug run would also trace every SIP message, which a flood makes costly).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from '../util/logger';

/** Starts logging `event loop` lines every `everyMs`; returns the stop function. */
export function startLoopDiagnostics(log: Logger, level: 'debug' | 'info', everyMs = 2000): () => void {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const timer = setInterval(() => {
    // the histogram counts the delay past the 10 ms sampling resolution, in nanoseconds
    log[level]('event loop', {
      maxDelayMs: Math.round(h.max / 1e5) / 10,
      p99DelayMs: Math.round(h.percentile(99) / 1e5) / 10,
      rssMB: Math.round(process.memoryUsage.rss() / 1e5) / 10,
    });
    h.reset();
  }, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    h.disable();
  };
}
