/* Acoustic echo cancellation and noise suppression for the sound-card path, over speexdsp (issue 13). */
#include "echo_canceller.h"

#include <stdlib.h>

#ifdef SOFTPHONE_WITH_SPEEXDSP
#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

struct softphone_aec {
  SpeexEchoState* echo;
  SpeexPreprocessState* pre;
  int frame;
};

int softphone_aec_available(void) { return 1; }

softphone_aec* softphone_aec_create(int frame_samples, int tail_samples, int rate, int denoise) {
  if (frame_samples <= 0 || tail_samples < frame_samples || rate <= 0) return NULL;
  softphone_aec* a = calloc(1, sizeof(*a));
  if (!a) return NULL;
  a->frame = frame_samples;
  a->echo = speex_echo_state_init(frame_samples, tail_samples);
  a->pre = speex_preprocess_state_init(frame_samples, rate);
  if (!a->echo || !a->pre) {
    softphone_aec_destroy(a);
    return NULL;
  }
  speex_echo_ctl(a->echo, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
  /* The preprocessor's residual echo suppression reads the canceller's state (speexdsp's own pairing). */
  speex_preprocess_ctl(a->pre, SPEEX_PREPROCESS_SET_ECHO_STATE, a->echo);
  int on = denoise ? 1 : 0;
  speex_preprocess_ctl(a->pre, SPEEX_PREPROCESS_SET_DENOISE, &on);
  return a;
}

/* The far end's frame, as it goes to the speaker. */
void softphone_aec_playback(softphone_aec* a, const short* far) { speex_echo_playback(a->echo, far); }

/* The microphone's frame in, the frame to send out (echo removed, noise suppressed). */
void softphone_aec_capture(softphone_aec* a, const short* mic, short* out) {
  speex_echo_capture(a->echo, mic, out);
  speex_preprocess_run(a->pre, out);
}

/*
 * The microphone's frame and the far-end frame whose echo it holds (the caller aligns them), in; the
 * frame to send, out. speexdsp's playback/capture pair keeps only two frames of slack between the two
 * sides and re-aligns by dropping frames when the sides drift, which moves the echo under the filter.
 */
void softphone_aec_cancel(softphone_aec* a, const short* mic, const short* far, short* out) {
  speex_echo_cancellation(a->echo, mic, far, out);
  speex_preprocess_run(a->pre, out);
}

void softphone_aec_destroy(softphone_aec* a) {
  if (!a) return;
  if (a->pre) speex_preprocess_state_destroy(a->pre);
  if (a->echo) speex_echo_state_destroy(a->echo);
  free(a);
}

int softphone_aec_frame(const softphone_aec* a) { return a->frame; }

#else

int softphone_aec_available(void) { return 0; }
softphone_aec* softphone_aec_create(int frame_samples, int tail_samples, int rate, int denoise) {
  (void)frame_samples; (void)tail_samples; (void)rate; (void)denoise;
  return NULL;
}
void softphone_aec_playback(softphone_aec* a, const short* far) { (void)a; (void)far; }
void softphone_aec_capture(softphone_aec* a, const short* mic, short* out) { (void)a; (void)mic; (void)out; }
void softphone_aec_cancel(softphone_aec* a, const short* mic, const short* far, short* out) { (void)a; (void)mic; (void)far; (void)out; }
void softphone_aec_destroy(softphone_aec* a) { (void)a; }
int softphone_aec_frame(const softphone_aec* a) { (void)a; return 0; }

#endif
