/* Adds the Opus codec's functions (libopus, RFC 6716) to the addon's exports. */
#ifndef SOFTPHONE_OPUS_NAPI_H
#define SOFTPHONE_OPUS_NAPI_H
#include <node_api.h>
napi_status softphone_register_opus(napi_env env, napi_value exports);
#endif
