/* Heap tuning for glibc's malloc: why a softphone on a public port needs it is in the comments below. */
#include "malloc_tuning.h"

/* Any libc header defines __GLIBC__ (through features.h) on glibc. */
#include <stdlib.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

/*
 * Node's UDP socket reads every datagram into a fresh 64 KB buffer and then shrinks it to the
 * datagram's size (UDPWrap::OnRecv). Under a flood of datagrams that leaves the main heap full of
 * small live blocks between large free ones: glibc cannot return the holes to the kernel and RSS
 * stays up long after the flood. Three settings bound that (they are what the MALLOC_ARENA_MAX and
 * MALLOC_MMAP_THRESHOLD_ environment variables set, which cannot be changed once Node has started):
 *  - a mmap threshold below 64 KB serves each receive buffer from its own mapping, which is returned
 *    whole when the buffer is freed and shrunk in place by mremap;
 *  - few arenas: the media worker, libuv's pool and V8's helper threads otherwise each get their own
 *    (up to 8 per core), every one fragmenting on its own;
 *  - a trim threshold so freed memory at the top of a heap goes back soon.
 */
softphone_malloc_result softphone_tune_malloc(int arena_max, int mmap_threshold, int trim_threshold) {
  softphone_malloc_result result = {0, 0, 0, 0};
#if defined(__GLIBC__)
  result.supported = 1;
  if (arena_max > 0) result.arena_max_set = mallopt(M_ARENA_MAX, arena_max) == 1;
  if (mmap_threshold > 0) result.mmap_threshold_set = mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1;
  if (trim_threshold > 0) result.trim_threshold_set = mallopt(M_TRIM_THRESHOLD, trim_threshold) == 1;
#else
  (void)arena_max;
  (void)mmap_threshold;
  (void)trim_threshold;
#endif
  return result;
}

int softphone_trim_malloc(void) {
#if defined(__GLIBC__)
  return malloc_trim(0);
#else
  return 0;
#endif
}
