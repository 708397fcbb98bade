/* The native media engine: one real-time thread serving every call of the process (issue 12). */
#ifndef SOFTPHONE_ENGINE_H
#define SOFTPHONE_ENGINE_H
#include "session.h"

#define ENGINE_MAX_SESSIONS 256

/* Opens a call's sockets (RTP on port, RTCP on port+1); returns 0 and the id, or an errno (EADDRINUSE). */
int engine_open(const char *bind_addr, int port, int has_output, int *id, char *err, int errlen);
/* Parameters of a call from the SDP: host must be numeric. Returns 0, or -1 with err set. */
typedef struct {
  const char *remote;
  int remote_port, remote_rtcp_port;
  session_params p; /* remote/remote_rtcp are filled by engine_start */
} engine_start_args;
int engine_start(int id, engine_start_args *a, char *err, int errlen);
int engine_mute(int id, int muted);
int engine_dtmf(int id, const char *digits, int duration_ms);
/* Ring access from the JS thread (the only producer of `in` and consumer of `out`); -1 if no such call. */
long engine_write_input(int id, const int16_t *pcm, uint32_t n);
long engine_read_output(int id, int16_t *pcm, uint32_t n);
long engine_input_room(int id);
int engine_stats(int id, session_stats *out);
/* Stops the call, closes its sockets, frees it; the final statistics in out. */
int engine_close(int id, session_stats *out);
/* Engine-wide: thread running, sessions open, ticks, ticks that overran / were skipped (a stalled thread). */
typedef struct {
  int running, sessions;
  uint64_t ticks, late_ticks, skipped_ticks;
  int realtime; /* 1 SCHED_FIFO was granted, 2 a raised nice value instead, 0 neither */
} engine_info;
void engine_get_info(engine_info *out);
void engine_shutdown(void);
/* Starts the engine thread before the first call; 1 when it runs. */
int engine_prestart(void);

#endif
