/* A simple jitter buffer: decoded audio is stored by RTP timestamp in a 1 s ring and played out a fixed
   target delay behind the first packet; reordering is free, late audio is dropped, and the play-out point
   re-anchors when the peer's clock jumps or the buffer runs too deep. The target adapts: each late packet
   adds 20 ms (one frame of silence is inserted), up to 200 ms; after 10 s without a late packet it gives
   20 ms back (one frame is skipped). No allocation: everything lives in the struct. */
#ifndef SOFTPHONE_JITTER_H
#define SOFTPHONE_JITTER_H
#include <stdint.h>

#define JB_SAMPLES 8192u /* power of two, ~1 s at 8 kHz */
#define JB_FRAME 160u    /* 20 ms at 8 kHz */

typedef struct {
  int16_t pcm[JB_SAMPLES];
  uint8_t valid[JB_SAMPLES];
  int started;
  uint32_t play_ts;     /* RTP timestamp of the next sample to play */
  uint32_t newest_end;  /* highest timestamp + length received */
  uint32_t target;      /* delay behind the newest audio, in samples */
  uint32_t base;        /* the target it starts from and shrinks back to */
  uint32_t insert;      /* samples of silence still to insert (the target grew) */
  uint32_t quiet;       /* frames played since the last late packet */
  uint64_t late;        /* packets that came after their play-out time */
  uint64_t concealed_frames; /* 20 ms frames played without received audio, once audio has started */
  uint64_t resets;
} jitter_buffer;

void jb_init(jitter_buffer *jb, uint32_t target_samples);
void jb_reset(jitter_buffer *jb);
/* Stores n decoded samples starting at RTP timestamp ts. */
void jb_put(jitter_buffer *jb, uint32_t ts, const int16_t *pcm, uint32_t n);
/* Plays the next 20 ms into out; returns the number of samples that were received audio. */
uint32_t jb_get(jitter_buffer *jb, int16_t out[JB_FRAME]);

#endif
