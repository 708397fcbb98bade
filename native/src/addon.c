/* Node-API entry of the softphone's native addon: heap tuning (tuneMalloc, trimMalloc), the echo canceller, the Opus codec and the media engine (engine_napi.c). */
#include <node_api.h>
#include "malloc_tuning.h"
#include "echo_napi.h"
#include "opus_napi.h"

napi_value engine_napi_init(napi_env env, napi_value exports);

#define CHECK(call) do { if ((call) != napi_ok) return NULL; } while (0)

static int int_arg(napi_env env, napi_value value, int fallback) {
  int32_t out = fallback;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number) return fallback;
  if (napi_get_value_int32(env, value, &out) != napi_ok) return fallback;
  return out;
}

static napi_value set_bool(napi_env env, napi_value obj, const char* key, int flag) {
  napi_value v;
  CHECK(napi_get_boolean(env, flag != 0, &v));
  CHECK(napi_set_named_property(env, obj, key, v));
  return obj;
}

/* tuneMalloc(arenaMax, mmapThreshold, trimThreshold): {supported, arenaMax, mmapThreshold, trimThreshold} */
static napi_value tune_malloc(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int arena_max = argc > 0 ? int_arg(env, argv[0], 0) : 0;
  int mmap_threshold = argc > 1 ? int_arg(env, argv[1], 0) : 0;
  int trim_threshold = argc > 2 ? int_arg(env, argv[2], 0) : 0;
  softphone_malloc_result r = softphone_tune_malloc(arena_max, mmap_threshold, trim_threshold);
  napi_value obj;
  CHECK(napi_create_object(env, &obj));
  if (!set_bool(env, obj, "supported", r.supported)) return NULL;
  if (!set_bool(env, obj, "arenaMax", r.arena_max_set)) return NULL;
  if (!set_bool(env, obj, "mmapThreshold", r.mmap_threshold_set)) return NULL;
  if (!set_bool(env, obj, "trimThreshold", r.trim_threshold_set)) return NULL;
  return obj;
}

static napi_value trim_malloc(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  CHECK(napi_get_boolean(env, softphone_trim_malloc() != 0, &v));
  return v;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"tuneMalloc", NULL, tune_malloc, NULL, NULL, NULL, napi_default, NULL},
    {"trimMalloc", NULL, trim_malloc, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props));
  CHECK(softphone_register_echo(env, exports));
  CHECK(softphone_register_opus(env, exports));
  return engine_napi_init(env, exports);
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
