/* Lock-free single-producer single-consumer ring of 16-bit samples: one thread writes, one reads,
   head and tail are C11 atomics (release on publish, acquire on observe). Capacity is a power of two. */
#ifndef SOFTPHONE_RING_H
#define SOFTPHONE_RING_H
#include <stdint.h>
#include <stddef.h>
#ifdef _MSC_VER
/* MSVC before VS 2022 17.5 lacks <stdatomic.h>; the Windows build needs /experimental:c11atomics. */
#endif
#include <stdatomic.h>

typedef struct {
  int16_t *buf;
  uint32_t mask;               /* capacity - 1 */
  _Atomic uint32_t head;       /* written by the producer only: total samples written */
  _Atomic uint32_t tail;       /* written by the consumer only: total samples read */
} sample_ring;

/* capacity_pow2 must be a power of two; buf has that many samples. */
static inline void ring_init(sample_ring *r, int16_t *buf, uint32_t capacity_pow2) {
  r->buf = buf;
  r->mask = capacity_pow2 - 1;
  atomic_store_explicit(&r->head, 0, memory_order_relaxed);
  atomic_store_explicit(&r->tail, 0, memory_order_relaxed);
}

static inline uint32_t ring_readable(sample_ring *r) {
  uint32_t h = atomic_load_explicit(&r->head, memory_order_acquire);
  uint32_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
  return h - t;
}

/* Producer: free space (only grows while the producer is not writing). */
static inline uint32_t ring_room(sample_ring *r) {
  uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
  uint32_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
  return (r->mask + 1) - (h - t);
}

/* Producer: writes up to n samples, returns how many fit (the rest is the caller's overflow). */
static inline uint32_t ring_write(sample_ring *r, const int16_t *src, uint32_t n) {
  uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
  uint32_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
  uint32_t room = (r->mask + 1) - (h - t);
  if (n > room) n = room;
  for (uint32_t i = 0; i < n; i++) r->buf[(h + i) & r->mask] = src[i];
  atomic_store_explicit(&r->head, h + n, memory_order_release);
  return n;
}

/* Consumer: reads up to n samples, returns how many were there. */
static inline uint32_t ring_read(sample_ring *r, int16_t *dst, uint32_t n) {
  uint32_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
  uint32_t h = atomic_load_explicit(&r->head, memory_order_acquire);
  uint32_t avail = h - t;
  if (n > avail) n = avail;
  for (uint32_t i = 0; i < n; i++) dst[i] = r->buf[(t + i) & r->mask];
  atomic_store_explicit(&r->tail, t + n, memory_order_release);
  return n;
}

#endif
