/* One call on the native media engine: its sockets, rings, sender, receiver and statistics. Everything a
   call needs is allocated when it opens; the real-time thread never allocates. */
#ifndef SOFTPHONE_SESSION_H
#define SOFTPHONE_SESSION_H
#include <stddef.h>
#include <stdint.h>
#include "net_compat.h"
#include "ring.h"
#include "jitter.h"

#define RING_SAMPLES 8192u      /* ~1 s of 8 kHz audio each way */
#define MAX_PTIME_FRAMES 10u    /* up to 200 ms per packet (ptime 20..200, multiples of 20) */
#define MAX_RECV_CODECS 16
#define DTMF_QUEUE 256
#define SEND_HIST_BINS 2000     /* send intervals in 0.1 ms bins up to 200 ms */

enum { DIR_SENDRECV = 0, DIR_SENDONLY = 1, DIR_RECVONLY = 2, DIR_INACTIVE = 3 };
enum { LATCH_STRICT = 0, LATCH_LEARN = 1, LATCH_OPEN = 2 };

typedef struct {
  struct sockaddr_storage remote;    /* RTP of the peer per the SDP */
  struct sockaddr_storage remote_rtcp;
  int codec;                         /* G711_ULAW / G711_ALAW: what we send */
  int payload_type;
  int recv_pt[MAX_RECV_CODECS];      /* payload types we play, with their law */
  int recv_law[MAX_RECV_CODECS];
  int recv_count;
  int te_pt;                         /* RFC 4733 payload type, -1 if none */
  int ptime;                         /* ms, multiple of 20 */
  int latch_mode;
  int direction;
  uint32_t ssrc;
  uint16_t seq;
  uint32_t ts;
} session_params;

typedef struct {
  uint64_t packets_sent, octets_sent, packets_received, octets_received;
  int64_t packets_lost;
  uint64_t late, concealed_ms, discarded, rtcp_received, duplicates;
  uint64_t send_errors, recv_errors, input_underruns, output_overflows;
  int last_error;                    /* errno of the last failed send/receive */
  double jitter_ms;
  double max_send_gap_ms;
  double send_p50_ms, send_p99_ms;   /* of the intervals between our packets */
  uint64_t latch_changes;            /* how often the target address changed (JS reports 'latched') */
  char remote[64];                   /* "addr:port" where our RTP goes, "" before start */
} session_stats;

typedef struct session {
  sock_t rtp, rtcp;
  int rx_stamped; /* SO_TIMESTAMPNS on the RTP socket: arrival times come from the kernel */
  int family;                        /* AF_INET or AF_INET6 of the bound sockets */
  int started, muted, has_output;
  session_params p;
  /* latching (src-main/rtp/rtp-latch.ts): the target, and a candidate on probation in 'learn' mode */
  struct sockaddr_storage target;
  int latched;
  struct sockaddr_storage cand;
  uint32_t cand_ssrc;
  uint16_t cand_seq;
  int cand_count;
  /* send side */
  int16_t in_buf[RING_SAMPLES], out_buf[RING_SAMPLES];
  sample_ring in, out;               /* in: JS -> engine (microphone); out: engine -> JS (speaker) */
  int16_t frame[JB_FRAME];
  uint8_t packet[12 + JB_FRAME * MAX_PTIME_FRAMES];
  int frames_acc;
  int first_packet;
  uint64_t last_send_ns;
  uint32_t send_hist[SEND_HIST_BINS + 1];
  /* RFC 4733 send state */
  char dtmf[DTMF_QUEUE];
  int dtmf_len, dtmf_pos, dtmf_duration_ms;
  int ev_code, ev_active, ev_end_sent, ev_gap_packets;
  uint32_t ev_ts, ev_elapsed, ev_total;
  /* receive side */
  jitter_buffer jb;
  int16_t decoded[JB_SAMPLES / 2];
  uint8_t rx[2048];
  int rx_started;
  uint32_t rx_ssrc;
  uint16_t max_seq;
  uint32_t cycles, base_seq;
  uint64_t received_in_seq;
  double transit, jitter;            /* RFC 3550 A.8, in timestamp units */
  int have_transit;
  session_stats st;
} session;

/* Binds RTP on port and RTCP on port + 1 at bind_addr (a numeric address); 0 or an errno value. */
int session_bind(session *s, const char *bind_addr, int port, char *err, int errlen);
/* Parses a numeric host + port into a sockaddr usable on the session's sockets (v4 mapped on v6). */
int session_addr(const session *s, const char *host, int port, struct sockaddr_storage *out);
void session_apply(session *s, const session_params *p, int restart);
void session_send_tick(session *s, uint64_t now);
void session_play_tick(session *s);
void session_drain_rtp(session *s, uint64_t now);
void session_drain_rtcp(session *s);
void session_queue_dtmf(session *s, const char *digits, int duration_ms);
void session_fill_stats(session *s, session_stats *out);
void session_close_sockets(session *s);
/* Address helpers (a v4-mapped v6 address equals its v4 form). */
int session_same_host(const struct sockaddr_storage *x, const struct sockaddr_storage *y);
int session_same_addr(const struct sockaddr_storage *x, const struct sockaddr_storage *y);
void session_format_addr(const struct sockaddr_storage *in, char *out, size_t len);

#endif
