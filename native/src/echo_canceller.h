/* Echo cancellation for the sound-card path: speexdsp when the build found it, else unavailable. */
#ifndef SOFTPHONE_ECHO_CANCELLER_H
#define SOFTPHONE_ECHO_CANCELLER_H

typedef struct softphone_aec softphone_aec;

int softphone_aec_available(void);
softphone_aec* softphone_aec_create(int frame_samples, int tail_samples, int rate, int denoise);
void softphone_aec_playback(softphone_aec* a, const short* far);
void softphone_aec_capture(softphone_aec* a, const short* mic, short* out);
void softphone_aec_cancel(softphone_aec* a, const short* mic, const short* far, short* out);
void softphone_aec_destroy(softphone_aec* a);
int softphone_aec_frame(const softphone_aec* a);

#endif
