/* The receive side of a native call: RTP validation (RFC 3550 §5.1), source latching by the rule of
   src-main/rtp/rtp-latch.ts, RFC 3550 A.1/A.3/A.8 statistics, decoding into the jitter buffer, and RTCP
   counting. Every recvfrom error is counted; nothing allocates. */
#include "session.h"
#include "g711.h"
#include <string.h>
#include <time.h>

int session_same_addr(const struct sockaddr_storage *x, const struct sockaddr_storage *y);
int session_same_host(const struct sockaddr_storage *x, const struct sockaddr_storage *y);
void session_format_addr(const struct sockaddr_storage *in, char *out, size_t len);

static void latch_onto(session *s, const struct sockaddr_storage *from) {
  s->latched = 1;
  s->cand_count = 0;
  if (session_same_addr(from, &s->target)) return;
  s->target = *from;
  session_format_addr(&s->target, s->st.remote, sizeof(s->st.remote));
  s->st.latch_changes++;
}

/* rtp-latch.ts observe(): the SDP's address is always accepted; strict mode accepts nothing else; learn
   mode latches onto a source after 2 in-sequence packets of one SSRC, then locks (its 5 s window in which
   the signalled port may still replace a learned one is not ported). */
static int latch_accepts(session *s, const struct sockaddr_storage *from, uint32_t ssrc, uint16_t seq) {
  if (s->p.latch_mode == LATCH_OPEN) return 1;
  if (session_same_addr(from, &s->p.remote)) {
    if (!(s->latched && session_same_addr(&s->target, from))) latch_onto(s, from);
    return 1;
  }
  if (s->p.latch_mode == LATCH_STRICT) return 0;
  if (s->latched) return session_same_addr(from, &s->target);
  if (s->cand_count > 0 && session_same_addr(from, &s->cand) && s->cand_ssrc == ssrc && seq == (uint16_t)(s->cand_seq + 1)) {
    s->cand_seq = seq;
    s->cand_count++;
  } else {
    s->cand = *from;
    s->cand_ssrc = ssrc;
    s->cand_seq = seq;
    s->cand_count = 1;
  }
  if (s->cand_count >= 2) {
    latch_onto(s, from);
    return 1;
  }
  return 0;
}

/* RFC 3550 A.1 (without the probation of a new source: the latch has judged it already). */
static void track_seq(session *s, uint16_t seq, uint32_t ssrc) {
  if (!s->rx_started || ssrc != s->rx_ssrc) {
    s->rx_started = 1;
    s->rx_ssrc = ssrc;
    s->base_seq = seq;
    s->max_seq = seq;
    s->cycles = 0;
    s->received_in_seq = 1;
    s->have_transit = 0;
    jb_reset(&s->jb);
    return;
  }
  uint16_t udelta = (uint16_t)(seq - s->max_seq);
  if (udelta == 0) {
    s->st.duplicates++;
  } else if (udelta < 3000) {
    if (seq < s->max_seq) s->cycles += 65536;
    s->max_seq = seq;
  } else if (udelta <= 65536 - 100) {
    /* a very large jump: the peer restarted its sequence; start counting again */
    s->base_seq = seq;
    s->max_seq = seq;
    s->cycles = 0;
    s->received_in_seq = 0;
  }
  s->received_in_seq++;
}

static int law_of(const session *s, int pt) {
  if (s->p.recv_count == 0) return pt == s->p.payload_type ? s->p.codec : -1;
  for (int i = 0; i < s->p.recv_count; i++)
    if (s->p.recv_pt[i] == pt) return s->p.recv_law[i];
  return -1;
}

static void on_rtp(session *s, const uint8_t *b, size_t n, const struct sockaddr_storage *from, uint64_t now) {
  if (n < 12 || (b[0] >> 6) != 2) goto drop;
  size_t hdr = 12 + 4u * (b[0] & 0x0f);
  if (b[0] & 0x10) { /* header extension, RFC 3550 §5.3.1 */
    if (n < hdr + 4) goto drop;
    hdr += 4 + 4u * (((size_t)b[hdr + 2] << 8) | b[hdr + 3]);
  }
  size_t pad = (b[0] & 0x20) && n > 0 ? b[n - 1] : 0;
  if (n < hdr + pad) goto drop;
  size_t len = n - hdr - pad;
  int pt = b[1] & 0x7f;
  uint16_t seq = (uint16_t)((b[2] << 8) | b[3]);
  uint32_t ts = ((uint32_t)b[4] << 24) | ((uint32_t)b[5] << 16) | ((uint32_t)b[6] << 8) | b[7];
  uint32_t ssrc = ((uint32_t)b[8] << 24) | ((uint32_t)b[9] << 16) | ((uint32_t)b[10] << 8) | b[11];
  int law = law_of(s, pt);
  int is_event = s->p.te_pt >= 0 && pt == s->p.te_pt;
  if (law < 0 && !is_event) goto drop;
  if (!latch_accepts(s, from, ssrc, seq)) goto drop;
  track_seq(s, seq, ssrc);
  s->st.packets_received++;
  s->st.octets_received += len;
  /* RFC 3550 A.8: interarrival jitter in timestamp units (8 kHz). */
  double arrival = (double)now * 8000.0 / 1e9;
  double transit = arrival - (double)ts;
  if (s->have_transit) {
    double d = transit - s->transit;
    if (d < 0) d = -d;
    s->jitter += (d - s->jitter) / 16.0;
  }
  s->transit = transit;
  s->have_transit = 1;
  if (is_event || s->p.direction == DIR_SENDONLY || s->p.direction == DIR_INACTIVE) return;
  if (len > sizeof(s->decoded) / sizeof(s->decoded[0])) len = sizeof(s->decoded) / sizeof(s->decoded[0]);
  g711_decode(law, b + hdr, s->decoded, len);
  jb_put(&s->jb, ts, s->decoded, (uint32_t)len);
  return;
drop:
  s->st.discarded++;
}

/* One datagram; with SO_TIMESTAMPNS its kernel arrival time (CLOCK_REALTIME) moved onto the monotonic
   clock by `rt_to_mono` (realtime - monotonic, read once per drain). */
static long recv_stamped(session *s, struct sockaddr_storage *from, uint64_t *arrival, int64_t rt_to_mono) {
#if defined(SO_TIMESTAMPNS) && defined(SCM_TIMESTAMPNS)
  if (s->rx_stamped) {
    struct iovec iov = {s->rx, sizeof(s->rx)};
    union {
      char buf[CMSG_SPACE(sizeof(struct timespec))];
      struct cmsghdr align;
    } ctl;
    struct msghdr m;
    memset(&m, 0, sizeof(m));
    m.msg_name = from;
    m.msg_namelen = sizeof(*from);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl.buf;
    m.msg_controllen = sizeof(ctl.buf);
    long n = (long)recvmsg(s->rtp, &m, 0);
    if (n < 0) return n;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
      struct timespec ts;
      memcpy(&ts, CMSG_DATA(c), sizeof(ts));
      int64_t at = (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec - rt_to_mono;
      /* Never later than now (clock steps): then the read time stands. */
      if (at > 0 && (uint64_t)at <= *arrival) *arrival = (uint64_t)at;
    }
    return n;
  }
#else
  (void)rt_to_mono;
#endif
  socklen_t fl = sizeof(*from);
  return (long)recvfrom(s->rtp, (char *)s->rx, sizeof(s->rx), 0, (struct sockaddr *)from, &fl);
}

void session_drain_rtp(session *s, uint64_t now) {
  int64_t rt_to_mono = 0;
#if defined(SO_TIMESTAMPNS) && defined(SCM_TIMESTAMPNS)
  if (s->rx_stamped) {
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    rt_to_mono = (int64_t)rt.tv_sec * 1000000000ll + rt.tv_nsec - (int64_t)mono_ns();
  }
#endif
  for (int i = 0; i < 64; i++) { /* bounded: a flood cannot hold the thread */
    struct sockaddr_storage from;
    uint64_t arrival = now;
    long n = recv_stamped(s, &from, &arrival, rt_to_mono);
    if (n < 0) {
      int e = sock_errno();
      if (e == SOCK_EAGAIN || e == EWOULDBLOCK) return;
      if (e == SOCK_EINTR) continue;
      s->st.recv_errors++; /* e.g. ECONNREFUSED from an ICMP port unreachable */
      s->st.last_error = e;
      continue;
    }
    if (!s->started) {
      s->st.discarded++;
      continue;
    }
    on_rtp(s, s->rx, (size_t)n, &from, arrival);
  }
}

void session_drain_rtcp(session *s) {
  for (int i = 0; i < 64; i++) {
    struct sockaddr_storage from;
    socklen_t fl = sizeof(from);
    long n = (long)recvfrom(s->rtcp, (char *)s->rx, sizeof(s->rx), 0, (struct sockaddr *)&from, &fl);
    if (n < 0) {
      int e = sock_errno();
      if (e == SOCK_EAGAIN || e == EWOULDBLOCK) return;
      if (e == SOCK_EINTR) continue;
      s->st.recv_errors++;
      s->st.last_error = e;
      continue;
    }
    /* RFC 3550 §6.4: version 2, a report type (200-204) first; from the peer's RTCP or RTP address, or its host once latched */
    int ok = s->started && n >= 8 && (s->rx[0] >> 6) == 2 && s->rx[1] >= 200 && s->rx[1] <= 204 &&
             (session_same_addr(&from, &s->p.remote_rtcp) || session_same_addr(&from, &s->p.remote) ||
              (s->p.latch_mode == LATCH_LEARN && s->latched && session_same_host(&from, &s->target)) || s->p.latch_mode == LATCH_OPEN);
    if (ok) s->st.rtcp_received++;
    else s->st.discarded++;
  }
}

void session_fill_stats(session *s, session_stats *out) {
  *out = s->st;
  uint64_t expected = s->rx_started ? (uint64_t)s->cycles + s->max_seq - s->base_seq + 1 : 0;
  out->packets_lost = s->rx_started ? (int64_t)expected - (int64_t)s->received_in_seq : 0;
  if (out->packets_lost < 0) out->packets_lost = 0;
  out->late = s->jb.late;
  out->concealed_ms = s->jb.concealed_frames * 20;
  out->jitter_ms = s->jitter / 8.0;
  uint64_t total = 0;
  for (int i = 0; i <= SEND_HIST_BINS; i++) total += s->send_hist[i];
  out->send_p50_ms = out->send_p99_ms = 0;
  if (total > 0) {
    uint64_t acc = 0, p50 = (total + 1) / 2, p99 = (total * 99 + 99) / 100;
    int have50 = 0;
    for (int i = 0; i <= SEND_HIST_BINS; i++) {
      acc += s->send_hist[i];
      if (!have50 && acc >= p50) { out->send_p50_ms = (i + 0.5) / 10.0; have50 = 1; }
      if (acc >= p99) { out->send_p99_ms = (i + 0.5) / 10.0; break; }
    }
  }
}
