/* Per-call RTP work of the native engine: binding, the 20 ms send step (G.711, RFC 3550 packets,
   RFC 4733 events), the receive path (validation, latching, statistics, jitter buffer) and RTCP counting.
   Runs on the engine thread under the engine lock; nothing here allocates. */
#include "session.h"
#include "g711.h"
#include <stdio.h>
#include <string.h>

static socklen_t addr_len(const struct sockaddr_storage *a) {
  return a->ss_family == AF_INET6 ? (socklen_t)sizeof(struct sockaddr_in6) : (socklen_t)sizeof(struct sockaddr_in);
}

/* A v4-mapped v6 source (dual-stack socket) is compared as the v4 address it carries. */
static void unmap(const struct sockaddr_storage *in, struct sockaddr_storage *out) {
  *out = *in;
  if (in->ss_family != AF_INET6) return;
  const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)in;
  if (!IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr)) return;
  struct sockaddr_in a4;
  memset(&a4, 0, sizeof(a4));
  a4.sin_family = AF_INET;
  a4.sin_port = a6->sin6_port;
  memcpy(&a4.sin_addr, &a6->sin6_addr.s6_addr[12], 4);
  memset(out, 0, sizeof(*out));
  memcpy(out, &a4, sizeof(a4));
}

int session_same_host(const struct sockaddr_storage *x, const struct sockaddr_storage *y) {
  struct sockaddr_storage a, b;
  unmap(x, &a);
  unmap(y, &b);
  if (a.ss_family != b.ss_family) return 0;
  if (a.ss_family == AF_INET) return memcmp(&((struct sockaddr_in *)&a)->sin_addr, &((struct sockaddr_in *)&b)->sin_addr, 4) == 0;
  return memcmp(&((struct sockaddr_in6 *)&a)->sin6_addr, &((struct sockaddr_in6 *)&b)->sin6_addr, 16) == 0;
}

static int port_of(const struct sockaddr_storage *a) {
  return ntohs(a->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)a)->sin6_port : ((const struct sockaddr_in *)a)->sin_port);
}

int session_same_addr(const struct sockaddr_storage *x, const struct sockaddr_storage *y) {
  return session_same_host(x, y) && port_of(x) == port_of(y);
}

void session_format_addr(const struct sockaddr_storage *in, char *out, size_t len) {
  struct sockaddr_storage a;
  unmap(in, &a);
  char host[INET6_ADDRSTRLEN] = "";
  if (a.ss_family == AF_INET) inet_ntop(AF_INET, &((struct sockaddr_in *)&a)->sin_addr, host, sizeof(host));
  else inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&a)->sin6_addr, host, sizeof(host));
  snprintf(out, len, a.ss_family == AF_INET6 ? "[%s]:%d" : "%s:%d", host, port_of(&a));
}

int session_addr(const session *s, const char *host, int port, struct sockaddr_storage *out) {
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof(hints));
  hints.ai_flags = AI_NUMERICHOST;
  hints.ai_socktype = SOCK_DGRAM;
  if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res) return -1;
  memset(out, 0, sizeof(*out));
  if (res->ai_family == AF_INET && s->family == AF_INET6) {
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;
    a6->sin6_family = AF_INET6;
    a6->sin6_addr.s6_addr[10] = 0xff;
    a6->sin6_addr.s6_addr[11] = 0xff;
    memcpy(&a6->sin6_addr.s6_addr[12], &((struct sockaddr_in *)res->ai_addr)->sin_addr, 4);
    a6->sin6_port = htons((uint16_t)port);
  } else if (res->ai_family == s->family) {
    memcpy(out, res->ai_addr, res->ai_addrlen);
    if (s->family == AF_INET6) ((struct sockaddr_in6 *)out)->sin6_port = htons((uint16_t)port);
    else ((struct sockaddr_in *)out)->sin_port = htons((uint16_t)port);
  } else {
    freeaddrinfo(res);
    return -1; /* an IPv6 peer on an IPv4 socket */
  }
  freeaddrinfo(res);
  return 0;
}

static sock_t bind_one(int family, const struct sockaddr_storage *a, int *err) {
  sock_t fd = socket(family, SOCK_DGRAM, 0);
  if (fd == SOCK_INVALID) {
    *err = sock_errno();
    return SOCK_INVALID;
  }
  if (family == AF_INET6) {
    int off = 0; /* dual stack on "::", as Node's udp6 sockets are */
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, (const void *)&off, sizeof(off));
  }
  if (bind(fd, (const struct sockaddr *)a, addr_len(a)) != 0 || sock_nonblocking(fd) != 0) {
    *err = sock_errno();
    sock_close(fd);
    return SOCK_INVALID;
  }
  return fd;
}

int session_bind(session *s, const char *bind_addr, int port, char *err, int errlen) {
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof(hints));
  hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
  hints.ai_socktype = SOCK_DGRAM;
  if (getaddrinfo(bind_addr, NULL, &hints, &res) != 0 || !res) {
    snprintf(err, (size_t)errlen, "not a numeric bind address: %s", bind_addr);
    return EINVAL;
  }
  struct sockaddr_storage a;
  memset(&a, 0, sizeof(a));
  memcpy(&a, res->ai_addr, res->ai_addrlen);
  s->family = res->ai_family;
  freeaddrinfo(res);
  int e = 0;
  for (int i = 0; i < 2; i++) {
    uint16_t p = htons((uint16_t)(port + i));
    if (s->family == AF_INET6) ((struct sockaddr_in6 *)&a)->sin6_port = p;
    else ((struct sockaddr_in *)&a)->sin_port = p;
    sock_t fd = bind_one(s->family, &a, &e);
    if (fd == SOCK_INVALID) {
      if (i == 1) sock_close(s->rtp);
      s->rtp = s->rtcp = SOCK_INVALID;
      snprintf(err, (size_t)errlen, "cannot bind %s on %s:%d: %s", i ? "RTCP" : "RTP", bind_addr, port + i, strerror(e));
      return e;
    }
    if (i == 0) s->rtp = fd;
    else s->rtcp = fd;
  }
#ifdef SO_TIMESTAMPNS
  /* The engine reads RTP once per tick (engine.c); the kernel's arrival time keeps the RFC 3550 jitter exact. */
  int on = 1;
  s->rx_stamped = setsockopt(s->rtp, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) == 0;
#endif
  return 0;
}

void session_close_sockets(session *s) {
  if (s->rtp != SOCK_INVALID) sock_close(s->rtp);
  if (s->rtcp != SOCK_INVALID) sock_close(s->rtcp);
  s->rtp = s->rtcp = SOCK_INVALID;
}

/* New parameters (start, re-INVITE): latching starts over from the signalled address (rtp-latch.ts reset). */
void session_apply(session *s, const session_params *p, int restart) {
  int first = !s->started;
  uint16_t seq = s->p.seq;
  uint32_t ts = s->p.ts, ssrc = s->p.ssrc;
  s->p = *p;
  if (!first && !restart) {
    /* RFC 3550 §5.1: the stream goes on; a re-INVITE does not restart sequence or timestamp. */
    s->p.seq = seq;
    s->p.ts = ts;
    s->p.ssrc = ssrc;
  }
  if (first || !session_same_addr(&s->target, &p->remote)) {
    s->target = p->remote;
    s->latched = 0;
    s->cand_count = 0;
    session_format_addr(&s->target, s->st.remote, sizeof(s->st.remote));
    if (!first) s->st.latch_changes++;
  }
  s->frames_acc = 0;
  if (first) {
    s->first_packet = 1;
    s->started = 1;
  }
}

static void send_packet(session *s, const uint8_t *payload, size_t len, int pt, int marker, uint32_t ts, uint64_t now) {
  uint8_t *b = s->packet;
  b[0] = 0x80; /* RFC 3550 §5.1: V=2, no padding, extension or CSRC */
  b[1] = (uint8_t)((marker ? 0x80 : 0) | (pt & 0x7f));
  b[2] = (uint8_t)(s->p.seq >> 8);
  b[3] = (uint8_t)s->p.seq;
  b[4] = (uint8_t)(ts >> 24);
  b[5] = (uint8_t)(ts >> 16);
  b[6] = (uint8_t)(ts >> 8);
  b[7] = (uint8_t)ts;
  b[8] = (uint8_t)(s->p.ssrc >> 24);
  b[9] = (uint8_t)(s->p.ssrc >> 16);
  b[10] = (uint8_t)(s->p.ssrc >> 8);
  b[11] = (uint8_t)s->p.ssrc;
  if (payload != b + 12) memcpy(b + 12, payload, len);
  s->p.seq++;
  if (sendto(s->rtp, (const char *)b, (int)(12 + len), 0, (const struct sockaddr *)&s->target, addr_len(&s->target)) < 0) {
    s->st.send_errors++;
    s->st.last_error = sock_errno();
    return;
  }
  s->st.packets_sent++;
  s->st.octets_sent += len;
  if (s->last_send_ns) {
    double gap = (double)(now - s->last_send_ns) / 1e6;
    if (gap > s->st.max_send_gap_ms) s->st.max_send_gap_ms = gap;
    int bin = (int)(gap * 10.0);
    s->send_hist[bin > SEND_HIST_BINS ? SEND_HIST_BINS : bin]++;
  }
  s->last_send_ns = now;
}

/* RFC 4733 §2.5: one event packet per packet interval, all with the event's start timestamp, the
   duration growing; the end packet is sent three times (§2.5.1.4). Returns 1 if a packet went out. */
static int send_dtmf(session *s, uint32_t samples, uint64_t now) {
  if (s->p.te_pt < 0) {
    s->dtmf_len = s->dtmf_pos = 0;
    return 0;
  }
  if (!s->ev_active) {
    if (s->ev_gap_packets > 0) {
      s->ev_gap_packets--;
      return 0;
    }
    if (s->dtmf_pos >= s->dtmf_len) return 0;
    char c = s->dtmf[s->dtmf_pos++];
    if (c == ',') { /* a 500 ms pause of voice */
      s->ev_gap_packets = (500 + s->p.ptime - 1) / s->p.ptime - 1;
      return 0;
    }
    const char *digits = "0123456789*#ABCD";
    const char *at = strchr(digits, c >= 'a' && c <= 'd' ? c - 32 : c);
    if (!at || !c) return 0;
    s->ev_code = (int)(at - digits);
    s->ev_active = 1;
    s->ev_end_sent = 0;
    s->ev_ts = s->p.ts;
    s->ev_elapsed = 0;
    s->ev_total = (uint32_t)s->dtmf_duration_ms * 8;
  }
  int first = s->ev_elapsed == 0;
  if (!s->ev_end_sent) s->ev_elapsed += samples;
  int end = s->ev_elapsed >= s->ev_total;
  uint32_t dur = s->ev_elapsed > 0xffff ? 0xffff : s->ev_elapsed;
  uint8_t ev[4] = {(uint8_t)s->ev_code, (uint8_t)((end ? 0x80 : 0) | 10), (uint8_t)(dur >> 8), (uint8_t)dur};
  send_packet(s, ev, 4, s->p.te_pt, first, s->ev_ts, now);
  if (end && ++s->ev_end_sent >= 3) {
    s->ev_active = 0;
    s->ev_gap_packets = (40 + s->p.ptime - 1) / s->p.ptime; /* ITU-T Q.24: >= 40 ms between presses */
  }
  return 1;
}

void session_send_tick(session *s, uint64_t now) {
  if (!s->started) return;
  int16_t *f = s->frame;
  uint32_t got = ring_read(&s->in, f, JB_FRAME);
  if (got < JB_FRAME) {
    memset(f + got, 0, (JB_FRAME - got) * sizeof(int16_t));
    s->st.input_underruns++;
  }
  if (s->muted) memset(f, 0, sizeof(s->frame));
  int per_packet = s->p.ptime / 20;
  g711_encode(s->p.codec, f, s->packet + 12 + (size_t)s->frames_acc * JB_FRAME, JB_FRAME);
  if (++s->frames_acc < per_packet) return;
  s->frames_acc = 0;
  uint32_t samples = (uint32_t)per_packet * JB_FRAME;
  if (s->p.direction == DIR_SENDRECV || s->p.direction == DIR_SENDONLY) {
    if (!send_dtmf(s, samples, now)) {
      send_packet(s, s->packet + 12, samples, s->p.payload_type, s->first_packet, s->p.ts, now);
      s->first_packet = 0;
    }
  }
  s->p.ts += samples;
}

void session_play_tick(session *s) {
  if (!s->started) return;
  uint32_t got = jb_get(&s->jb, s->frame);
  (void)got;
  /* Whole frames only, so the reader's 20 ms blocks stay aligned; a full ring (nobody drains) drops this one. */
  if (!s->has_output) return;
  if (ring_room(&s->out) < JB_FRAME) s->st.output_overflows++;
  else ring_write(&s->out, s->frame, JB_FRAME);
}

void session_queue_dtmf(session *s, const char *digits, int duration_ms) {
  if (s->dtmf_pos >= s->dtmf_len) s->dtmf_pos = s->dtmf_len = 0;
  for (const char *c = digits; *c && s->dtmf_len < DTMF_QUEUE; c++) s->dtmf[s->dtmf_len++] = *c;
  s->dtmf_duration_ms = duration_ms;
}
