/* Jitter buffer by RTP timestamp (see jitter.h for the design). */
#include "jitter.h"
#include <string.h>

#define JB_MASK (JB_SAMPLES - 1u)
/* Deeper than target + this and the play-out point jumps forward (the peer's clock runs fast, or a burst). */
#define JB_MAX_EXCESS 1600u
/* Later than this and the peer's timestamps jumped (hold, a new source): re-anchor on the packet. */
#define JB_REANCHOR_LATE 1600
#define JB_MAX_TARGET 1600u  /* 200 ms */
#define JB_SHRINK_AFTER 500u /* frames (10 s) without a late packet */

/* A packet came too late: play 20 ms more behind from now on. */
static void grow(jitter_buffer *jb) {
  jb->quiet = 0;
  if (jb->target + JB_FRAME > JB_MAX_TARGET) return;
  jb->target += JB_FRAME;
  jb->insert += JB_FRAME;
}

void jb_init(jitter_buffer *jb, uint32_t target_samples) {
  memset(jb, 0, sizeof(*jb));
  jb->target = target_samples < JB_FRAME ? JB_FRAME : target_samples;
  jb->base = jb->target;
}

void jb_reset(jitter_buffer *jb) {
  memset(jb->valid, 0, sizeof(jb->valid));
  jb->started = 0;
  jb->resets++;
}

static void anchor(jitter_buffer *jb, uint32_t ts, uint32_t n) {
  memset(jb->valid, 0, sizeof(jb->valid));
  jb->play_ts = ts + n - jb->target;
  jb->newest_end = ts + n;
  jb->started = 1;
}

void jb_put(jitter_buffer *jb, uint32_t ts, const int16_t *pcm, uint32_t n) {
  if (n == 0) return;
  if (n > JB_SAMPLES / 2) n = JB_SAMPLES / 2;
  if (!jb->started) anchor(jb, ts, n);
  int32_t d = (int32_t)(ts - jb->play_ts);
  if (d < -JB_REANCHOR_LATE || d + (int32_t)n > (int32_t)(JB_SAMPLES - JB_FRAME)) {
    anchor(jb, ts, n);
    d = (int32_t)(ts - jb->play_ts);
  }
  if (d + (int32_t)n <= 0) {
    jb->late++;
    grow(jb);
    return;
  }
  uint32_t skip = d < 0 ? (uint32_t)(-d) : 0;
  for (uint32_t i = skip; i < n; i++) {
    uint32_t k = (ts + i) & JB_MASK;
    jb->pcm[k] = pcm[i];
    jb->valid[k] = 1;
  }
  if ((int32_t)(ts + n - jb->newest_end) > 0) jb->newest_end = ts + n;
}

uint32_t jb_get(jitter_buffer *jb, int16_t out[JB_FRAME]) {
  if (!jb->started) {
    memset(out, 0, JB_FRAME * sizeof(int16_t));
    return 0;
  }
  if (jb->insert >= JB_FRAME) { /* the target grew: hold the play-out point for one frame */
    jb->insert -= JB_FRAME;
    memset(out, 0, JB_FRAME * sizeof(int16_t));
    jb->concealed_frames++;
    return 0;
  }
  if (++jb->quiet >= JB_SHRINK_AFTER && jb->target > jb->base) {
    jb->quiet = 0;
    jb->target -= JB_FRAME;
    if ((int32_t)(jb->newest_end - jb->play_ts) > (int32_t)(jb->target + JB_FRAME)) { /* skip one frame */
      for (uint32_t i = 0; i < JB_FRAME; i++) jb->valid[(jb->play_ts + i) & JB_MASK] = 0;
      jb->play_ts += JB_FRAME;
    }
  }
  uint32_t depth = jb->newest_end - jb->play_ts;
  if ((int32_t)depth > (int32_t)(jb->target + JB_MAX_EXCESS)) {
    uint32_t to = jb->newest_end - jb->target;
    for (uint32_t t = jb->play_ts; t != to; t++) jb->valid[t & JB_MASK] = 0;
    jb->play_ts = to;
  }
  uint32_t got = 0;
  for (uint32_t i = 0; i < JB_FRAME; i++) {
    uint32_t k = (jb->play_ts + i) & JB_MASK;
    if (jb->valid[k]) {
      out[i] = jb->pcm[k];
      jb->valid[k] = 0;
      got++;
    } else {
      out[i] = 0;
    }
  }
  if (got < JB_FRAME / 2) jb->concealed_frames++;
  jb->play_ts += JB_FRAME;
  return got;
}
