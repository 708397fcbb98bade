/* Adds the echo canceller's functions to the addon's exports. */
#ifndef SOFTPHONE_ECHO_NAPI_H
#define SOFTPHONE_ECHO_NAPI_H
#include <node_api.h>
napi_status softphone_register_echo(napi_env env, napi_value exports);
#endif
