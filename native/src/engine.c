/* The engine thread and the call table. One thread serves every call: it sleeps on an absolute 20 ms
   clock and on each tick sends every call's packet first (pacing is what the far end hears), then reads
   every socket's datagrams, then plays out every jitter buffer into its ring. On Linux the datagrams wait
   in the socket until the tick (one wake-up per 20 ms for all calls, not one per packet as well; the
   kernel's SO_TIMESTAMPNS arrival time keeps the jitter figure exact, and a packet read at the tick is
   played at that same tick, as when it was read on arrival). Elsewhere, or with
   SOFTPHONE_ENGINE_WAKE=packet, it waits for datagrams with poll() between ticks.
   Locking: the table and each call's state are guarded by one mutex, held by the engine thread while it
   works and by the JS thread for short bookkeeping; the audio rings are lock-free (SPSC) and are only
   touched by the JS thread between open and close, which the JS thread itself orders. */
#include "engine.h"
#include "g711.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sched.h>
#ifdef __linux__
#include <sys/timerfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#define TICK_NS 20000000ull
#define POLL_MARGIN_NS 1500000ull /* without a timerfd, poll() wakes this early; the last stretch is an absolute sleep */

static pthread_mutex_t mu;
static pthread_once_t mu_once = PTHREAD_ONCE_INIT;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_t thread;
static int thread_running = 0, stop_requested = 0;
static session *slots[ENGINE_MAX_SESSIONS];
static uint32_t gens[ENGINE_MAX_SESSIONS];
static int open_count = 0, started_count = 0;
static engine_info info;
/* poll() sets, rebuilt under the lock before every wait (owned by the engine thread) */
static struct pollfd pfds[ENGINE_MAX_SESSIONS * 2 + 1];
static int pslot[ENGINE_MAX_SESSIONS * 2];
static uint32_t pgen[ENGINE_MAX_SESSIONS * 2];
/* Linux: an absolute CLOCK_MONOTONIC timerfd in the poll set, so one wake-up serves both the tick and the
   datagrams (TFD_TIMER_ABSTIME: the deadline is absolute, like clock_nanosleep's). -1 elsewhere. */
static int tick_fd = -1;

/* Priority inheritance: a JS thread preempted while it holds the lock (stats, start) is lifted to the
   engine thread's priority, so on a busy machine the real-time thread does not wait behind it. */
static void init_mutex(void) {
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
#if defined(_POSIX_THREAD_PRIO_INHERIT) && _POSIX_THREAD_PRIO_INHERIT > 0
  pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
#endif
  pthread_mutex_init(&mu, &a);
  pthread_mutexattr_destroy(&a);
}

static void lock(void) {
  pthread_once(&mu_once, init_mutex);
  pthread_mutex_lock(&mu);
}

static session *lookup(int id) {
  if (id < 0) return NULL;
  int slot = id & (ENGINE_MAX_SESSIONS - 1);
  uint32_t gen = (uint32_t)id / ENGINE_MAX_SESSIONS;
  session *s = slots[slot];
  return s && gens[slot] == gen ? s : NULL;
}

/* SCHED_FIFO 20: above the worker clock's 10 (media-clock.node.ts), whose JS (and GC) would otherwise hold a
   core at equal priority, FIFO not time-slicing between equals; this thread's work per tick is bounded and
   short. SOFTPHONE_MEDIA_REALTIME=0 turns it off, =nice asks for the nice value only. Without the privilege (no CAP_SYS_NICE, RLIMIT_RTPRIO 0)
   the thread asks for the best nice value RLIMIT_NICE allows it (Linux: nice is per thread), down to -10,
   so the scheduler still wakes it ahead of CPU-bound processes; failing that it stays a normal thread.
   info.realtime: 1 SCHED_FIFO, 2 a raised nice value, 0 neither. */
static void try_realtime(void) {
#ifndef _WIN32
  const char *off = getenv("SOFTPHONE_MEDIA_REALTIME");
  if (off && off[0] == '0' && off[1] == 0) return;
  int fifo = !(off && strcmp(off, "nice") == 0);
  struct sched_param sp;
  memset(&sp, 0, sizeof(sp));
  sp.sched_priority = 20;
  if (fifo && pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0) {
    info.realtime = 1;
    return;
  }
#ifdef __linux__
  pid_t tid = (pid_t)syscall(SYS_gettid);
  for (int nice = -10; nice < 0; nice++)
    if (setpriority(PRIO_PROCESS, (id_t)tid, nice) == 0) {
      info.realtime = 2;
      return;
    }
#endif
#endif
}

/* 1: datagrams are read at the tick (Linux default); 0: on arrival, poll() between ticks. */
static int drain_on_tick = 0;
static unsigned tick_count = 0;

static void tick(uint64_t now) {
  for (int i = 0; i < ENGINE_MAX_SESSIONS; i++)
    if (slots[i] && slots[i]->started) session_send_tick(slots[i], mono_ns());
  if (drain_on_tick) {
    uint64_t t = mono_ns();
    for (int i = 0; i < ENGINE_MAX_SESSIONS; i++) {
      if (!slots[i]) continue;
      session_drain_rtp(slots[i], t);
      /* RTCP comes every few seconds (RFC 3550 §6.2): looked at every 5th tick, 100 ms. */
      if (tick_count % 5 == 0) session_drain_rtcp(slots[i]);
    }
  }
  for (int i = 0; i < ENGINE_MAX_SESSIONS; i++)
    if (slots[i] && slots[i]->started) session_play_tick(slots[i]);
  (void)now;
  tick_count++;
  info.ticks++;
}

/* Waits for datagrams until the tick deadline `next` (timerfd) or wait_ns - margin (plain poll). */
static void wait_for_packets(uint64_t wait_ns, uint64_t next) {
  int n = 0;
  for (int i = 0; i < ENGINE_MAX_SESSIONS; i++) {
    session *s = slots[i];
    if (!s) continue;
    for (int k = 0; k < 2; k++) {
      pfds[n].fd = k == 0 ? s->rtp : s->rtcp;
      pfds[n].events = POLLIN;
      pfds[n].revents = 0;
      pslot[n] = i;
      pgen[n] = gens[i];
      n++;
    }
  }
  int timeout = wait_ns > POLL_MARGIN_NS ? (int)((wait_ns - POLL_MARGIN_NS) / 1000000ull) : 0;
#ifdef __linux__
  if (tick_fd >= 0) {
    struct itimerspec its;
    memset(&its, 0, sizeof(its));
    its.it_value.tv_sec = (time_t)(next / 1000000000ull);
    its.it_value.tv_nsec = (long)(next % 1000000000ull);
    if (timerfd_settime(tick_fd, TFD_TIMER_ABSTIME, &its, NULL) == 0) {
      pfds[n].fd = tick_fd;
      pfds[n].events = POLLIN;
      pfds[n].revents = 0;
      timeout = -1;
    }
  }
#endif
  pthread_mutex_unlock(&mu);
  int r = poll(pfds, (unsigned)(timeout < 0 ? n + 1 : n), timeout);
  lock();
#ifdef __linux__
  if (timeout < 0 && (pfds[n].revents & POLLIN)) {
    uint64_t expirations;
    if (read(tick_fd, &expirations, sizeof(expirations)) < 0) { /* EAGAIN: nothing to clear */
    }
  }
#endif
  if (r <= 0) return; /* timeout, or EINTR: the loop recomputes its deadline */
  uint64_t now = mono_ns();
  /* The tick is due (datagrams and the deadline arrived together): send first, what the far end hears;
     the datagrams stay readable (poll is level-triggered) and are drained on the next wait. */
  if (now >= next) return;
  for (int j = 0; j < n; j++) {
    if (!(pfds[j].revents & (POLLIN | POLLERR))) continue;
    session *s = slots[pslot[j]];
    if (!s || gens[pslot[j]] != pgen[j]) continue; /* closed while we waited */
    if (j % 2 == 0) session_drain_rtp(s, now);
    else session_drain_rtcp(s);
  }
}

static void *engine_main(void *arg) {
  (void)arg;
  try_realtime();
#ifdef __linux__
  const char *wake = getenv("SOFTPHONE_ENGINE_WAKE");
  drain_on_tick = !(wake && strcmp(wake, "packet") == 0);
  if (!drain_on_tick && tick_fd < 0) tick_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
#endif
  uint64_t next = 0;
  lock();
  while (!stop_requested) {
    if (started_count == 0) {
      next = 0;
      pthread_cond_wait(&cv, &mu);
      continue;
    }
    uint64_t now = mono_ns();
    if (next == 0) next = now; /* the first packet of a call leaves at once */
    if (now >= next) {
      if (now - next > 5 * TICK_NS) { /* stalled (suspend, starved): resynchronise, do not burst */
        info.skipped_ticks += (now - next) / TICK_NS;
        next = now;
      } else if (now - next > 2000000ull) {
        info.late_ticks++;
      }
      tick(now);
      next += TICK_NS;
      continue;
    }
    if (drain_on_tick) {
      pthread_mutex_unlock(&mu);
      sleep_until_ns(next);
      lock();
    } else if (tick_fd >= 0 || next - now > POLL_MARGIN_NS + 1000000ull) {
      wait_for_packets(next - now, next);
    } else {
      pthread_mutex_unlock(&mu);
      sleep_until_ns(next);
      lock();
    }
  }
  pthread_mutex_unlock(&mu);
  return NULL;
}

/* Starts the engine thread ahead of the first call (it waits on the condition variable, costing
   nothing), so thread creation and its priority change are not between an INVITE and our 200 OK. */
int engine_prestart(void) {
  lock();
  int ok = 1;
  if (!thread_running) {
    stop_requested = 0;
    if (pthread_create(&thread, NULL, engine_main, NULL) == 0) thread_running = 1;
    else ok = 0;
  }
  pthread_mutex_unlock(&mu);
  return ok;
}

int engine_open(const char *bind_addr, int port, int has_output, int *id, char *err, int errlen) {
  g711_init();
  session *s = (session *)calloc(1, sizeof(session));
  if (!s) {
    snprintf(err, (size_t)errlen, "out of memory");
    return ENOMEM;
  }
  s->rtp = s->rtcp = SOCK_INVALID;
  int e = session_bind(s, bind_addr, port, err, errlen);
  if (e != 0) {
    free(s);
    return e;
  }
  ring_init(&s->in, s->in_buf, RING_SAMPLES);
  ring_init(&s->out, s->out_buf, RING_SAMPLES);
  jb_init(&s->jb, 480); /* 60 ms: two packets of margin over the one being played */
  s->has_output = has_output;
  s->p.te_pt = -1;
  lock();
  int slot = -1;
  for (int i = 0; i < ENGINE_MAX_SESSIONS; i++)
    if (!slots[i]) {
      slot = i;
      break;
    }
  if (slot < 0) {
    pthread_mutex_unlock(&mu);
    session_close_sockets(s);
    free(s);
    snprintf(err, (size_t)errlen, "native media engine full (%d calls)", ENGINE_MAX_SESSIONS);
    return EMFILE;
  }
  gens[slot] = (gens[slot] + 1) & 0x3fffff; /* id = gen * 256 + slot stays a positive int */
  slots[slot] = s;
  open_count++;
  if (!thread_running) {
    stop_requested = 0;
    if (pthread_create(&thread, NULL, engine_main, NULL) != 0) {
      slots[slot] = NULL;
      open_count--;
      pthread_mutex_unlock(&mu);
      session_close_sockets(s);
      free(s);
      snprintf(err, (size_t)errlen, "cannot start the media thread");
      return EAGAIN;
    }
    thread_running = 1;
  }
  *id = (int)(gens[slot] * ENGINE_MAX_SESSIONS + (uint32_t)slot);
  pthread_mutex_unlock(&mu);
  return 0;
}

int engine_start(int id, engine_start_args *a, char *err, int errlen) {
  lock();
  session *s = lookup(id);
  int rc = -1;
  if (!s) snprintf(err, (size_t)errlen, "no native media session %d", id);
  else if (session_addr(s, a->remote, a->remote_port, &a->p.remote) != 0 ||
           session_addr(s, a->remote, a->remote_rtcp_port, &a->p.remote_rtcp) != 0)
    snprintf(err, (size_t)errlen, "remote address %s does not fit the %s socket", a->remote, s->family == AF_INET6 ? "IPv6" : "IPv4");
  else {
    int was = s->started;
    session_apply(s, &a->p, 0);
    if (!was) {
      started_count++;
      pthread_cond_signal(&cv);
    }
    rc = 0;
  }
  pthread_mutex_unlock(&mu);
  return rc;
}

int engine_mute(int id, int muted) {
  lock();
  session *s = lookup(id);
  if (s) s->muted = muted;
  pthread_mutex_unlock(&mu);
  return s ? 0 : -1;
}

int engine_dtmf(int id, const char *digits, int duration_ms) {
  lock();
  session *s = lookup(id);
  if (s) session_queue_dtmf(s, digits, duration_ms);
  int ok = s && s->p.te_pt >= 0 && s->started;
  pthread_mutex_unlock(&mu);
  return s ? ok : -1;
}

/* The rings: the JS thread is the only one that opens and closes calls, so its lookups need no lock. */
long engine_write_input(int id, const int16_t *pcm, uint32_t n) {
  session *s = lookup(id);
  return s ? (long)ring_write(&s->in, pcm, n) : -1;
}

long engine_read_output(int id, int16_t *pcm, uint32_t n) {
  session *s = lookup(id);
  return s ? (long)ring_read(&s->out, pcm, n) : -1;
}

long engine_input_room(int id) {
  session *s = lookup(id);
  return s ? (long)(RING_SAMPLES - ring_readable(&s->in)) : -1;
}

int engine_stats(int id, session_stats *out) {
  lock();
  session *s = lookup(id);
  if (s) session_fill_stats(s, out);
  pthread_mutex_unlock(&mu);
  return s ? 0 : -1;
}

int engine_close(int id, session_stats *out) {
  lock();
  session *s = lookup(id);
  if (!s) {
    pthread_mutex_unlock(&mu);
    return -1;
  }
  session_fill_stats(s, out);
  slots[id & (ENGINE_MAX_SESSIONS - 1)] = NULL;
  open_count--;
  if (s->started) started_count--;
  pthread_mutex_unlock(&mu);
  session_close_sockets(s);
  free(s);
  return 0;
}

void engine_get_info(engine_info *out) {
  lock();
  *out = info;
  out->running = thread_running;
  out->sessions = open_count;
  pthread_mutex_unlock(&mu);
}

void engine_shutdown(void) {
  lock();
  int was = thread_running;
  stop_requested = 1;
  pthread_cond_signal(&cv);
  pthread_mutex_unlock(&mu);
  if (was) pthread_join(thread, NULL);
  lock();
  thread_running = 0;
  for (int i = 0; i < ENGINE_MAX_SESSIONS; i++) {
    if (!slots[i]) continue;
    session_close_sockets(slots[i]);
    free(slots[i]);
    slots[i] = NULL;
  }
  open_count = started_count = 0;
  pthread_mutex_unlock(&mu);
}
