/* Node-API bindings of libopus (Debian's libopus-dev): encoder and decoder create/encode/decode/destroy,
 * in-band FEC decoding of a lost packet, DTX, and the sample count of a received packet. Everything from
 * JavaScript is checked (types, rates, frame sizes, handle kinds); without libopus at build time every
 * function is present and opusAvailable() says false. */
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include "opus_napi.h"
#ifdef SOFTPHONE_WITH_OPUS
#include <opus.h>
#endif

#define CHECK(call) do { if ((call) != napi_ok) return NULL; } while (0)

enum { KIND_ENCODER = 0x0e, KIND_DECODER = 0x0d };

/* The JS handle owns a box, so an explicit destroy and the garbage collector's finalizer never free twice. */
typedef struct {
  int kind;
  int rate;
  int channels;
  void* st;
} opus_box;

static void release(opus_box* box) {
#ifdef SOFTPHONE_WITH_OPUS
  if (box->st && box->kind == KIND_ENCODER) opus_encoder_destroy(box->st);
  if (box->st && box->kind == KIND_DECODER) opus_decoder_destroy(box->st);
#endif
  box->st = NULL;
}

static void finalize_box(napi_env env, void* data, void* hint) {
  (void)env; (void)hint;
  release(data);
  free(data);
}

static int valid_rate(int rate) {
  return rate == 8000 || rate == 12000 || rate == 16000 || rate == 24000 || rate == 48000;
}

/* An int32 argument within [lo, hi]; else throws a RangeError and returns 0 in *ok. */
static int32_t int_arg(napi_env env, napi_value v, int32_t lo, int32_t hi, const char* what, int* ok) {
  int32_t out = 0;
  if (napi_get_value_int32(env, v, &out) != napi_ok || out < lo || out > hi) {
    napi_throw_range_error(env, NULL, what);
    *ok = 0;
  }
  return out;
}

static int bool_arg(napi_env env, napi_value v) {
  bool b = false;
  return napi_get_value_bool(env, v, &b) == napi_ok && b;
}

/* A typed array of `type`; NULL (and a thrown TypeError) otherwise. */
static void* typed_arg(napi_env env, napi_value v, napi_typedarray_type want, size_t* length, const char* what) {
  napi_typedarray_type type;
  void* data = NULL;
  napi_value buffer;
  size_t offset;
  bool is_typed = false;
  if (napi_is_typedarray(env, v, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, v, &type, length, &data, &buffer, &offset) != napi_ok || type != want) {
    napi_throw_type_error(env, NULL, what);
    return NULL;
  }
  return data;
}

static opus_box* box_arg(napi_env env, napi_value v, int kind) {
  void* data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || !data || ((opus_box*)data)->kind != kind) {
    napi_throw_type_error(env, NULL, kind == KIND_ENCODER ? "expected an Opus encoder handle" : "expected an Opus decoder handle");
    return NULL;
  }
  if (!((opus_box*)data)->st) {
    napi_throw_error(env, NULL, "the Opus handle was destroyed");
    return NULL;
  }
  return data;
}

static napi_value number(napi_env env, int32_t n) {
  napi_value v;
  CHECK(napi_create_int32(env, n, &v));
  return v;
}

static napi_value null_value(napi_env env) {
  napi_value v;
  CHECK(napi_get_null(env, &v));
  return v;
}

static napi_value wrap(napi_env env, int kind, int rate, int channels, void* st) {
  opus_box* box = malloc(sizeof(*box));
  if (!box) {
    opus_box tmp = {kind, rate, channels, st};
    release(&tmp);
    return null_value(env);
  }
  box->kind = kind;
  box->rate = rate;
  box->channels = channels;
  box->st = st;
  napi_value result;
  CHECK(napi_create_external(env, box, finalize_box, NULL, &result));
  return result;
}

/* A frame of 2.5, 5, 10, 20, 40 or 60 ms at `rate` (RFC 6716 §2.1.4). */
static int valid_frame(int rate, size_t samples) {
  size_t per_2_5ms = (size_t)rate / 400;
  return samples == per_2_5ms || samples == 2 * per_2_5ms || samples == 4 * per_2_5ms || samples == 8 * per_2_5ms ||
         samples == 16 * per_2_5ms || samples == 24 * per_2_5ms;
}

static napi_value available(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
#ifdef SOFTPHONE_WITH_OPUS
  CHECK(napi_get_boolean(env, true, &v));
#else
  CHECK(napi_get_boolean(env, false, &v));
#endif
  return v;
}

/* createOpusEncoder(rate, channels, bitrate, fec, dtx, lossPercent): handle, or null when unavailable. */
static napi_value create_encoder(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "createOpusEncoder(rate, channels, bitrate, fec, dtx, lossPercent)");
    return NULL;
  }
  int ok = 1;
  int rate = int_arg(env, argv[0], 8000, 48000, "Opus rate must be 8000, 12000, 16000, 24000 or 48000", &ok);
  if (ok && !valid_rate(rate)) { napi_throw_range_error(env, NULL, "Opus rate must be 8000, 12000, 16000, 24000 or 48000"); return NULL; }
  int channels = ok ? int_arg(env, argv[1], 1, 2, "Opus channels must be 1 or 2", &ok) : 0;
  int bitrate = ok ? int_arg(env, argv[2], 6000, 510000, "Opus bitrate must be 6000..510000", &ok) : 0;
  int loss = ok ? int_arg(env, argv[5], 0, 100, "Opus loss percent must be 0..100", &ok) : 0;
  if (!ok) return NULL;
#ifdef SOFTPHONE_WITH_OPUS
  int err = 0;
  OpusEncoder* enc = opus_encoder_create(rate, channels, OPUS_APPLICATION_VOIP, &err);
  if (!enc || err != OPUS_OK) return null_value(env);
  opus_encoder_ctl(enc, OPUS_SET_BITRATE(bitrate));
  opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(bool_arg(env, argv[3]) ? 1 : 0));
  opus_encoder_ctl(enc, OPUS_SET_DTX(bool_arg(env, argv[4]) ? 1 : 0));
  opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(loss));
  return wrap(env, KIND_ENCODER, rate, channels, enc);
#else
  (void)bitrate; (void)loss; (void)channels;
  return null_value(env);
#endif
}

/* createOpusDecoder(rate, channels): handle, or null when unavailable. */
static napi_value create_decoder(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) {
    napi_throw_type_error(env, NULL, "createOpusDecoder(rate, channels)");
    return NULL;
  }
  int ok = 1;
  int rate = int_arg(env, argv[0], 8000, 48000, "Opus rate must be 8000, 12000, 16000, 24000 or 48000", &ok);
  if (ok && !valid_rate(rate)) { napi_throw_range_error(env, NULL, "Opus rate must be 8000, 12000, 16000, 24000 or 48000"); return NULL; }
  int channels = ok ? int_arg(env, argv[1], 1, 2, "Opus channels must be 1 or 2", &ok) : 0;
  if (!ok) return NULL;
#ifdef SOFTPHONE_WITH_OPUS
  int err = 0;
  OpusDecoder* dec = opus_decoder_create(rate, channels, &err);
  if (!dec || err != OPUS_OK) return null_value(env);
  return wrap(env, KIND_DECODER, rate, channels, dec);
#else
  (void)channels;
  return null_value(env);
#endif
}

/* opusEncode(encoder, pcm Int16Array (one frame, interleaved), out Uint8Array): bytes written (<= 2: DTX), or a negative libopus error. */
static napi_value encode(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) { napi_throw_type_error(env, NULL, "opusEncode(encoder, pcm, out)"); return NULL; }
  opus_box* box = box_arg(env, argv[0], KIND_ENCODER);
  if (!box) return NULL;
  size_t samples = 0, room = 0;
  int16_t* pcm = typed_arg(env, argv[1], napi_int16_array, &samples, "expected an Int16Array frame");
  if (!pcm) return NULL;
  uint8_t* out = typed_arg(env, argv[2], napi_uint8_array, &room, "expected a Uint8Array for the packet");
  if (!out) return NULL;
  if (samples % (size_t)box->channels != 0 || !valid_frame(box->rate, samples / (size_t)box->channels)) {
    napi_throw_range_error(env, NULL, "an Opus frame is 2.5, 5, 10, 20, 40 or 60 ms");
    return NULL;
  }
  if (room < 1 || room > 4000) { napi_throw_range_error(env, NULL, "the packet buffer must hold 1..4000 bytes"); return NULL; }
#ifdef SOFTPHONE_WITH_OPUS
  return number(env, opus_encode(box->st, pcm, (int)(samples / (size_t)box->channels), out, (opus_int32)room));
#else
  return number(env, -1);
#endif
}

/*
 * opusDecode(decoder, packet Uint8Array | null, out Int16Array, fec): samples per channel written, or a
 * negative libopus error. `packet` null: conceal one lost frame the size of `out` (PLC). `fec` true: the
 * packet is the one after a loss, and its in-band FEC data is decoded to replace the lost frame.
 */
static napi_value decode(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4) { napi_throw_type_error(env, NULL, "opusDecode(decoder, packet, out, fec)"); return NULL; }
  opus_box* box = box_arg(env, argv[0], KIND_DECODER);
  if (!box) return NULL;
  napi_valuetype t;
  CHECK(napi_typeof(env, argv[1], &t));
  uint8_t* data = NULL;
  size_t len = 0, room = 0;
  if (t != napi_null) {
    data = typed_arg(env, argv[1], napi_uint8_array, &len, "expected a Uint8Array packet or null");
    if (!data) return NULL;
    if (len < 1 || len > 1500) { napi_throw_range_error(env, NULL, "an Opus packet is 1..1500 bytes"); return NULL; }
  }
  int16_t* out = typed_arg(env, argv[2], napi_int16_array, &room, "expected an Int16Array for the audio");
  if (!out) return NULL;
  size_t per_channel = room / (size_t)box->channels;
  int fec = bool_arg(env, argv[3]);
  /* PLC and FEC produce exactly one frame of out's size, which must be a valid Opus duration. */
  if ((!data || fec) && !valid_frame(box->rate, per_channel)) {
    napi_throw_range_error(env, NULL, "a concealed Opus frame is 2.5, 5, 10, 20, 40 or 60 ms");
    return NULL;
  }
#ifdef SOFTPHONE_WITH_OPUS
  return number(env, opus_decode(box->st, data, (opus_int32)len, out, (int)per_channel, fec ? 1 : 0));
#else
  (void)per_channel; (void)fec; (void)out;
  return number(env, -1);
#endif
}

/* opusPacketSamples(packet Uint8Array, rate): samples per channel the packet holds, or a negative error (malformed). */
static napi_value packet_samples(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) { napi_throw_type_error(env, NULL, "opusPacketSamples(packet, rate)"); return NULL; }
  size_t len = 0;
  uint8_t* data = typed_arg(env, argv[0], napi_uint8_array, &len, "expected a Uint8Array packet");
  if (!data) return NULL;
  int ok = 1;
  int rate = int_arg(env, argv[1], 8000, 48000, "Opus rate must be 8000, 12000, 16000, 24000 or 48000", &ok);
  if (!ok) return NULL;
  if (!valid_rate(rate)) { napi_throw_range_error(env, NULL, "Opus rate must be 8000, 12000, 16000, 24000 or 48000"); return NULL; }
  if (len < 1 || len > 1500) return number(env, -4); /* OPUS_INVALID_PACKET */
#ifdef SOFTPHONE_WITH_OPUS
  return number(env, opus_packet_get_nb_samples(data, (opus_int32)len, rate));
#else
  return number(env, -1);
#endif
}

static napi_value destroy(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void* data = NULL;
  if (argc < 1 || napi_get_value_external(env, argv[0], &data) != napi_ok || !data) {
    napi_throw_type_error(env, NULL, "expected an Opus handle");
    return NULL;
  }
  release(data);
  return NULL;
}

napi_status softphone_register_opus(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"opusAvailable", NULL, available, NULL, NULL, NULL, napi_default, NULL},
    {"createOpusEncoder", NULL, create_encoder, NULL, NULL, NULL, napi_default, NULL},
    {"createOpusDecoder", NULL, create_decoder, NULL, NULL, NULL, napi_default, NULL},
    {"opusEncode", NULL, encode, NULL, NULL, NULL, napi_default, NULL},
    {"opusDecode", NULL, decode, NULL, NULL, NULL, napi_default, NULL},
    {"opusPacketSamples", NULL, packet_samples, NULL, NULL, NULL, napi_default, NULL},
    {"destroyOpus", NULL, destroy, NULL, NULL, NULL, napi_default, NULL},
  };
  return napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
