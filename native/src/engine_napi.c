/* Node-API surface of the native media engine (C, node_api.h only): calls open/start/close, rings fed
   and drained by JS in 20 ms blocks, statistics; plus the G.711 and ring checks the unit tests use. */
#include <node_api.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"
#include "g711.h"
#include "ring.h"

#define CHECK(call) do { if ((call) != napi_ok) return NULL; } while (0)

static int get_int(napi_env env, napi_value obj, const char *key, int fallback) {
  napi_value v;
  napi_valuetype t;
  int32_t out = fallback;
  if (napi_get_named_property(env, obj, key, &v) != napi_ok) return fallback;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) return fallback;
  if (napi_get_value_int32(env, v, &out) != napi_ok) return fallback;
  return out;
}

static uint32_t get_u32(napi_env env, napi_value obj, const char *key) {
  napi_value v;
  uint32_t out = 0;
  if (napi_get_named_property(env, obj, key, &v) != napi_ok) return 0;
  if (napi_get_value_uint32(env, v, &out) != napi_ok) return 0;
  return out;
}

static int get_str(napi_env env, napi_value v, char *buf, size_t len) {
  size_t got = 0;
  return napi_get_value_string_utf8(env, v, buf, len, &got) == napi_ok && got < len - 1;
}

static napi_value throw_msg(napi_env env, const char *msg) {
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static void set_num(napi_env env, napi_value obj, const char *key, double x) {
  napi_value v;
  if (napi_create_double(env, x, &v) == napi_ok) napi_set_named_property(env, obj, key, v);
}

static void set_str(napi_env env, napi_value obj, const char *key, const char *s) {
  napi_value v;
  if (napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v) == napi_ok) napi_set_named_property(env, obj, key, v);
}

static int arg_id(napi_env env, napi_value v) {
  int32_t id = -1;
  if (napi_get_value_int32(env, v, &id) != napi_ok) return -1;
  return id;
}

/* mediaOpen(bindAddress, port, hasOutput) -> {id} | {errno, message} */
static napi_value media_open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], obj;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) return throw_msg(env, "mediaOpen(bindAddress, port, hasOutput)");
  char bind_addr[64];
  int32_t port = 0;
  bool has_output = false;
  if (!get_str(env, argv[0], bind_addr, sizeof(bind_addr))) return throw_msg(env, "bad bind address");
  if (napi_get_value_int32(env, argv[1], &port) != napi_ok || port < 1 || port > 65534) return throw_msg(env, "bad port");
  napi_get_value_bool(env, argv[2], &has_output);
  char err[200] = "";
  int id = -1;
  int e = engine_open(bind_addr, port, has_output, &id, err, sizeof(err));
  CHECK(napi_create_object(env, &obj));
  if (e == 0) set_num(env, obj, "id", id);
  else {
    set_num(env, obj, "errno", e);
    set_str(env, obj, "code", e == SOCK_EADDRINUSE ? "EADDRINUSE" : e == EACCES ? "EACCES" : "EOTHER");
    set_str(env, obj, "message", err);
  }
  return obj;
}

/* mediaStart(id, params): see src-main/rtp/native-media-session.node.ts for the fields. */
static napi_value media_start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], list;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return throw_msg(env, "mediaStart(id, params)");
  int id = arg_id(env, argv[0]);
  napi_value o = argv[1], v;
  char remote[64];
  if (napi_get_named_property(env, o, "remoteAddress", &v) != napi_ok || !get_str(env, v, remote, sizeof(remote))) return throw_msg(env, "bad remoteAddress");
  engine_start_args a;
  memset(&a, 0, sizeof(a));
  a.remote = remote;
  a.remote_port = get_int(env, o, "remotePort", 0);
  a.remote_rtcp_port = get_int(env, o, "remoteRtcpPort", a.remote_port + 1);
  a.p.codec = get_int(env, o, "law", 0) == 1 ? G711_ALAW : G711_ULAW;
  a.p.payload_type = get_int(env, o, "payloadType", -1);
  a.p.te_pt = get_int(env, o, "telephoneEventPayloadType", -1);
  a.p.ptime = get_int(env, o, "ptime", 20);
  a.p.latch_mode = get_int(env, o, "latchMode", LATCH_STRICT);
  a.p.direction = get_int(env, o, "direction", DIR_SENDRECV);
  a.p.ssrc = get_u32(env, o, "ssrc");
  a.p.seq = (uint16_t)get_u32(env, o, "seq");
  a.p.ts = get_u32(env, o, "timestamp");
  if (a.remote_port < 1 || a.remote_port > 65535 || a.remote_rtcp_port < 1 || a.remote_rtcp_port > 65535) return throw_msg(env, "bad remote port");
  if (a.p.payload_type < 0 || a.p.payload_type > 127 || a.p.te_pt > 127) return throw_msg(env, "bad payload type");
  if (a.p.ptime < 20 || a.p.ptime > 200 || a.p.ptime % 20 != 0) return throw_msg(env, "ptime must be 20..200 in steps of 20");
  if (a.p.latch_mode < 0 || a.p.latch_mode > 2 || a.p.direction < 0 || a.p.direction > 3) return throw_msg(env, "bad latch mode or direction");
  bool is_array = false;
  if (napi_get_named_property(env, o, "receive", &list) == napi_ok && napi_is_array(env, list, &is_array) == napi_ok && is_array) {
    uint32_t n = 0;
    napi_get_array_length(env, list, &n);
    for (uint32_t i = 0; i < n && a.p.recv_count < MAX_RECV_CODECS; i++) {
      napi_value e;
      if (napi_get_element(env, list, i, &e) != napi_ok) continue;
      int pt = get_int(env, e, "payloadType", -1);
      if (pt < 0 || pt > 127) return throw_msg(env, "bad receive payload type");
      a.p.recv_pt[a.p.recv_count] = pt;
      a.p.recv_law[a.p.recv_count] = get_int(env, e, "law", 0) == 1 ? G711_ALAW : G711_ULAW;
      a.p.recv_count++;
    }
  }
  char err[200] = "";
  if (engine_start(id, &a, err, sizeof(err)) != 0) return throw_msg(env, err);
  return NULL;
}

static napi_value media_mute(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  bool muted = false;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return throw_msg(env, "mediaMute(id, muted)");
  napi_get_value_bool(env, argv[1], &muted);
  engine_mute(arg_id(env, argv[0]), muted);
  return NULL;
}

static napi_value media_dtmf(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], out;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) return throw_msg(env, "mediaDtmf(id, digits, durationMs)");
  char digits[DTMF_QUEUE + 1];
  int32_t ms = 100;
  if (!get_str(env, argv[1], digits, sizeof(digits))) return throw_msg(env, "bad digits");
  napi_get_value_int32(env, argv[2], &ms);
  if (ms < 40) ms = 40;
  if (ms > 5000) ms = 5000;
  CHECK(napi_get_boolean(env, engine_dtmf(arg_id(env, argv[0]), digits, ms) == 1, &out));
  return out;
}

/* The Int16Array argument i, or NULL. */
static int16_t *int16_arg(napi_env env, napi_value v, size_t *len) {
  napi_typedarray_type t;
  void *data = NULL;
  if (napi_get_typedarray_info(env, v, &t, len, &data, NULL, NULL) != napi_ok || t != napi_int16_array) return NULL;
  return (int16_t *)data;
}

static napi_value ring_io(napi_env env, napi_callback_info info, int write) {
  size_t argc = 2, len = 0;
  napi_value argv[2], out;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int16_t *pcm = argc >= 2 ? int16_arg(env, argv[1], &len) : NULL;
  if (!pcm && len != 0) return throw_msg(env, "expected (id, Int16Array)");
  int id = arg_id(env, argv[0]);
  long n = write ? engine_write_input(id, pcm, (uint32_t)len) : engine_read_output(id, pcm, (uint32_t)len);
  CHECK(napi_create_int32(env, (int32_t)n, &out));
  return out;
}
static napi_value media_write_input(napi_env env, napi_callback_info info) { return ring_io(env, info, 1); }
static napi_value media_read_output(napi_env env, napi_callback_info info) { return ring_io(env, info, 0); }

static napi_value media_input_room(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_create_int32(env, (int32_t)engine_input_room(argc ? arg_id(env, argv[0]) : -1), &out));
  return out;
}

static napi_value stats_object(napi_env env, const session_stats *s) {
  napi_value o;
  CHECK(napi_create_object(env, &o));
  set_num(env, o, "packetsSent", (double)s->packets_sent);
  set_num(env, o, "octetsSent", (double)s->octets_sent);
  set_num(env, o, "packetsReceived", (double)s->packets_received);
  set_num(env, o, "octetsReceived", (double)s->octets_received);
  set_num(env, o, "packetsLost", (double)s->packets_lost);
  set_num(env, o, "duplicates", (double)s->duplicates);
  set_num(env, o, "late", (double)s->late);
  set_num(env, o, "concealedMs", (double)s->concealed_ms);
  set_num(env, o, "jitterMs", s->jitter_ms);
  set_num(env, o, "maxSendGapMs", s->max_send_gap_ms);
  set_num(env, o, "sendIntervalP50Ms", s->send_p50_ms);
  set_num(env, o, "sendIntervalP99Ms", s->send_p99_ms);
  set_num(env, o, "discarded", (double)s->discarded);
  set_num(env, o, "rtcpReceived", (double)s->rtcp_received);
  set_num(env, o, "sendErrors", (double)s->send_errors);
  set_num(env, o, "receiveErrors", (double)s->recv_errors);
  set_num(env, o, "lastErrno", s->last_error);
  set_num(env, o, "inputUnderruns", (double)s->input_underruns);
  set_num(env, o, "outputOverflows", (double)s->output_overflows);
  set_num(env, o, "latchChanges", (double)s->latch_changes);
  set_str(env, o, "remote", s->remote);
  return o;
}

static napi_value media_stats_or_close(napi_env env, napi_callback_info info, int close) {
  size_t argc = 1;
  napi_value argv[1], nul;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  session_stats st;
  memset(&st, 0, sizeof(st));
  int id = argc ? arg_id(env, argv[0]) : -1;
  int rc = close ? engine_close(id, &st) : engine_stats(id, &st);
  if (rc != 0) {
    CHECK(napi_get_null(env, &nul));
    return nul;
  }
  return stats_object(env, &st);
}
static napi_value media_stats(napi_env env, napi_callback_info info) { return media_stats_or_close(env, info, 0); }
static napi_value media_close(napi_env env, napi_callback_info info) { return media_stats_or_close(env, info, 1); }

static napi_value media_prestart(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value r;
  CHECK(napi_get_boolean(env, engine_prestart() == 1, &r));
  return r;
}

static napi_value media_info(napi_env env, napi_callback_info info) {
  (void)info;
  engine_info i;
  engine_get_info(&i);
  napi_value o;
  CHECK(napi_create_object(env, &o));
  set_num(env, o, "running", i.running);
  set_num(env, o, "sessions", i.sessions);
  set_num(env, o, "ticks", (double)i.ticks);
  set_num(env, o, "lateTicks", (double)i.late_ticks);
  set_num(env, o, "skippedTicks", (double)i.skipped_ticks);
  set_num(env, o, "realtime", i.realtime);
  return o;
}

/* g711Encode(law, Int16Array) -> Uint8Array; g711Decode(law, Uint8Array) -> Int16Array */
static napi_value g711_encode_js(napi_env env, napi_callback_info info) {
  size_t argc = 2, len = 0;
  napi_value argv[2], ab, out;
  int32_t law = 0;
  void *dst = NULL;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return throw_msg(env, "g711Encode(law, Int16Array)");
  napi_get_value_int32(env, argv[0], &law);
  int16_t *pcm = int16_arg(env, argv[1], &len);
  if (!pcm && len) return throw_msg(env, "expected an Int16Array");
  g711_init();
  CHECK(napi_create_arraybuffer(env, len, &dst, &ab));
  g711_encode(law == 1 ? G711_ALAW : G711_ULAW, pcm, (uint8_t *)dst, len);
  CHECK(napi_create_typedarray(env, napi_uint8_array, len, ab, 0, &out));
  return out;
}

static napi_value g711_decode_js(napi_env env, napi_callback_info info) {
  size_t argc = 2, len = 0;
  napi_value argv[2], ab, out;
  int32_t law = 0;
  void *src = NULL, *dst = NULL;
  napi_typedarray_type t;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return throw_msg(env, "g711Decode(law, Uint8Array)");
  napi_get_value_int32(env, argv[0], &law);
  if (napi_get_typedarray_info(env, argv[1], &t, &len, &src, NULL, NULL) != napi_ok || t != napi_uint8_array) return throw_msg(env, "expected a Uint8Array");
  g711_init();
  CHECK(napi_create_arraybuffer(env, len * 2, &dst, &ab));
  g711_decode(law == 1 ? G711_ALAW : G711_ULAW, (const uint8_t *)src, (int16_t *)dst, len);
  CHECK(napi_create_typedarray(env, napi_int16_array, len, ab, 0, &out));
  return out;
}

/* ringCheck(total, capacity): a producer thread writes 0,1,2,... in uneven chunks while this thread reads;
   returns how many samples were read and how many came out of order (0 for a correct SPSC ring). */
typedef struct {
  sample_ring *r;
  uint32_t total;
} producer_arg;

static void *producer(void *p) {
  producer_arg *a = (producer_arg *)p;
  int16_t chunk[97];
  uint32_t next = 0, k = 1;
  while (next < a->total) {
    uint32_t n = 1 + (k++ * 37) % 97;
    if (n > a->total - next) n = a->total - next;
    for (uint32_t i = 0; i < n; i++) chunk[i] = (int16_t)(next + i);
    next += ring_write(a->r, chunk, n);
  }
  return NULL;
}

static napi_value ring_check(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], o;
  uint32_t total = 0, cap = 0;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || napi_get_value_uint32(env, argv[0], &total) != napi_ok || napi_get_value_uint32(env, argv[1], &cap) != napi_ok) return throw_msg(env, "ringCheck(total, capacity)");
  if (cap < 2 || cap > (1u << 20) || (cap & (cap - 1)) != 0 || total > (1u << 28)) return throw_msg(env, "capacity: a power of two up to 2^20");
  int16_t *buf = (int16_t *)malloc(cap * sizeof(int16_t));
  if (!buf) return throw_msg(env, "out of memory");
  sample_ring r;
  ring_init(&r, buf, cap);
  producer_arg a = {&r, total};
  pthread_t t;
  if (pthread_create(&t, NULL, producer, &a) != 0) {
    free(buf);
    return throw_msg(env, "cannot start the producer thread");
  }
  uint32_t got = 0, bad = 0, k = 3;
  int16_t chunk[61];
  while (got < total) {
    uint32_t n = ring_read(&r, chunk, 1 + (k++ * 13) % 61);
    for (uint32_t i = 0; i < n; i++)
      if (chunk[i] != (int16_t)(got + i)) bad++;
    got += n;
  }
  pthread_join(t, NULL);
  free(buf);
  CHECK(napi_create_object(env, &o));
  set_num(env, o, "read", got);
  set_num(env, o, "outOfOrder", bad);
  return o;
}

static int cleanup_registered = 0;
static void cleanup(void *arg) {
  (void)arg;
  engine_shutdown();
}

napi_value engine_napi_init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"mediaOpen", NULL, media_open, NULL, NULL, NULL, napi_default, NULL},
    {"mediaStart", NULL, media_start, NULL, NULL, NULL, napi_default, NULL},
    {"mediaMute", NULL, media_mute, NULL, NULL, NULL, napi_default, NULL},
    {"mediaDtmf", NULL, media_dtmf, NULL, NULL, NULL, napi_default, NULL},
    {"mediaWriteInput", NULL, media_write_input, NULL, NULL, NULL, napi_default, NULL},
    {"mediaReadOutput", NULL, media_read_output, NULL, NULL, NULL, napi_default, NULL},
    {"mediaInputRoom", NULL, media_input_room, NULL, NULL, NULL, napi_default, NULL},
    {"mediaStats", NULL, media_stats, NULL, NULL, NULL, napi_default, NULL},
    {"mediaClose", NULL, media_close, NULL, NULL, NULL, napi_default, NULL},
    {"mediaInfo", NULL, media_info, NULL, NULL, NULL, napi_default, NULL},
    {"mediaPrestart", NULL, media_prestart, NULL, NULL, NULL, napi_default, NULL},
    {"g711Encode", NULL, g711_encode_js, NULL, NULL, NULL, napi_default, NULL},
    {"g711Decode", NULL, g711_decode_js, NULL, NULL, NULL, napi_default, NULL},
    {"ringCheck", NULL, ring_check, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props));
  /* One engine per process: stopped with the first environment that loaded it (the main thread). */
  if (!cleanup_registered && napi_add_env_cleanup_hook(env, cleanup, NULL) == napi_ok) cleanup_registered = 1;
  return exports;
}
