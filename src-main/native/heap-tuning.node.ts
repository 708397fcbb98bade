// Bounds the heap fragmentation a datagram flood causes (issue 9, point 5) through the native addon.
import { loadNativeAddon } from './native-addon.node';

/**
 * glibc settings applied at start-up (see native/src/malloc_tuning.c for why): 2 arenas, mmap for
 * blocks of 32 KB and more (Node's 64 KB UDP receive buffers), trim above 128 KB free at the top.
 */
export const HEAP_TUNING = { arenaMax: 2, mmapThreshold: 32 * 1024, trimThreshold: 128 * 1024 } as const;

export type HeapTuningResult =
  | { readonly applied: true }
  | { readonly applied: false; readonly reason: string };

export function tuneProcessHeap(): HeapTuningResult {
  // The operator's own malloc settings win over ours.
  if (process.env.MALLOC_ARENA_MAX || process.env.MALLOC_MMAP_THRESHOLD_) {
    return { applied: false, reason: 'MALLOC_* set in the environment' };
  }
  const load = loadNativeAddon();
  if (!load.addon) return { applied: false, reason: `native addon not loaded: ${load.error}` };
  const t = HEAP_TUNING;
  const result = load.addon.tuneMalloc(t.arenaMax, t.mmapThreshold, t.trimThreshold);
  if (!result.supported) return { applied: false, reason: 'not glibc (its allocator needs no tuning here)' };
  if (!result.arenaMax || !result.mmapThreshold || !result.trimThreshold) {
    return { applied: false, reason: `mallopt refused a setting: ${JSON.stringify(result)}` };
  }
  return { applied: true };
}
