/* Node-API bindings of echo_canceller.c: create, playback (far end), capture (microphone), destroy. */
#include <node_api.h>
#include <stdlib.h>
#include "echo_canceller.h"
#include "echo_napi.h"

#define CHECK(call) do { if ((call) != napi_ok) return NULL; } while (0)

/* The JS handle owns a box, so an explicit destroy and the garbage collector's finalizer never free twice. */
typedef struct { softphone_aec* aec; } aec_box;

static void finalize_box(napi_env env, void* data, void* hint) {
  (void)env; (void)hint;
  aec_box* box = data;
  softphone_aec_destroy(box->aec);
  free(box);
}

static int int_arg(napi_env env, napi_value v, int fallback) {
  int32_t out;
  return napi_get_value_int32(env, v, &out) == napi_ok ? out : fallback;
}

/* Reads an Int16Array of exactly `samples` samples; NULL (and a thrown TypeError) otherwise. */
static short* int16_arg(napi_env env, napi_value v, int samples) {
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value buffer;
  size_t offset;
  bool is_typed = false;
  if (napi_is_typedarray(env, v, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, v, &type, &length, &data, &buffer, &offset) != napi_ok ||
      type != napi_int16_array || (int)length != samples) {
    napi_throw_type_error(env, NULL, "expected an Int16Array of one frame");
    return NULL;
  }
  return data;
}

static aec_box* box_arg(napi_env env, napi_value v) {
  void* data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || !data) {
    napi_throw_type_error(env, NULL, "expected an echo canceller handle");
    return NULL;
  }
  return data;
}

static napi_value available(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  CHECK(napi_get_boolean(env, softphone_aec_available() != 0, &v));
  return v;
}

/* createEchoCanceller(frameSamples, tailSamples, sampleRate, denoise): handle, or null when unavailable. */
static napi_value create(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_value result;
  if (argc < 4) {
    CHECK(napi_get_null(env, &result));
    return result;
  }
  bool denoise = false;
  napi_get_value_bool(env, argv[3], &denoise);
  softphone_aec* aec = softphone_aec_create(int_arg(env, argv[0], 0), int_arg(env, argv[1], 0), int_arg(env, argv[2], 0), denoise);
  if (!aec) {
    CHECK(napi_get_null(env, &result));
    return result;
  }
  aec_box* box = malloc(sizeof(*box));
  if (!box) {
    softphone_aec_destroy(aec);
    CHECK(napi_get_null(env, &result));
    return result;
  }
  box->aec = aec;
  CHECK(napi_create_external(env, box, finalize_box, NULL, &result));
  return result;
}

/*
 * The handle and `n` (1-3) frames that follow it, each an Int16Array of one frame; the canceller, or
 * NULL (a TypeError thrown for a bad argument; nothing for a destroyed canceller or too few arguments).
 */
static softphone_aec* frames_args(napi_env env, napi_callback_info info, size_t n, short* frames[3]) {
  size_t argc = 4;
  napi_value argv[4];
  if (n > 3 || napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < n + 1) return NULL;
  aec_box* box = box_arg(env, argv[0]);
  if (!box || !box->aec) return NULL;
  int frame = softphone_aec_frame(box->aec);
  for (size_t i = 0; i < n; i++) {
    frames[i] = int16_arg(env, argv[i + 1], frame);
    if (!frames[i]) return NULL;
  }
  return box->aec;
}

/* echoPlayback(handle, far) */
static napi_value playback(napi_env env, napi_callback_info info) {
  short* f[3];
  softphone_aec* aec = frames_args(env, info, 1, f);
  if (aec) softphone_aec_playback(aec, f[0]);
  return NULL;
}

/* echoCapture(handle, mic, out) */
static napi_value capture(napi_env env, napi_callback_info info) {
  short* f[3];
  softphone_aec* aec = frames_args(env, info, 2, f);
  if (aec) softphone_aec_capture(aec, f[0], f[1]);
  return NULL;
}

/* echoCancel(handle, mic, far, out): one frame each; `far` is the reference the caller aligned to `mic`. */
static napi_value cancel(napi_env env, napi_callback_info info) {
  short* f[3];
  softphone_aec* aec = frames_args(env, info, 3, f);
  if (aec) softphone_aec_cancel(aec, f[0], f[1], f[2]);
  return NULL;
}

static napi_value destroy(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return NULL;
  aec_box* box = box_arg(env, argv[0]);
  if (!box) return NULL;
  softphone_aec_destroy(box->aec);
  box->aec = NULL;
  return NULL;
}

napi_status softphone_register_echo(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"echoCancellerAvailable", NULL, available, NULL, NULL, NULL, napi_default, NULL},
    {"createEchoCanceller", NULL, create, NULL, NULL, NULL, napi_default, NULL},
    {"echoPlayback", NULL, playback, NULL, NULL, NULL, napi_default, NULL},
    {"echoCapture", NULL, capture, NULL, NULL, NULL, napi_default, NULL},
    {"echoCancel", NULL, cancel, NULL, NULL, NULL, napi_default, NULL},
    {"destroyEchoCanceller", NULL, destroy, NULL, NULL, NULL, napi_default, NULL},
  };
  return napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
