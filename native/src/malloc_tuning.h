/* Heap tuning for glibc's malloc, applied from inside the running process (issue 9, point 5). */
#ifndef SOFTPHONE_MALLOC_TUNING_H
#define SOFTPHONE_MALLOC_TUNING_H

/* Result of softphone_tune_malloc: which settings the C library took. */
typedef struct {
  int supported;       /* 1 on glibc, 0 where mallopt does not exist (macOS, Windows, musl) */
  int arena_max_set;   /* mallopt(M_ARENA_MAX) returned success */
  int mmap_threshold_set;
  int trim_threshold_set;
} softphone_malloc_result;

softphone_malloc_result softphone_tune_malloc(int arena_max, int mmap_threshold, int trim_threshold);

/* Gives free memory at the top of every arena back to the kernel (malloc_trim); 1 if any was released. */
int softphone_trim_malloc(void);

#endif
