# The project's own Node-API addon (`npm ci` builds it with node-gyp: scripts/build-native.mjs).
{
  "targets": [
    {
      "target_name": "softphone_native",
      "sources": [
        "src/addon.c", "src/malloc_tuning.c",
        "src/engine_napi.c", "src/engine.c", "src/session.c", "src/session_rx.c",
        "src/jitter.c", "src/g711.c", "src/clock.c"
      ],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "cflags_c": ["-std=gnu11"],
      "defines": ["NAPI_VERSION=8"],
      "conditions": [
        ["OS!='win'", { "libraries": ["-lpthread"] }],
        ["OS=='win'", { "libraries": ["ws2_32.lib"] }]
      ]
    }
  ]
}
