# The project's own Node-API addon (`npm ci` builds it with node-gyp: scripts/build-native.mjs).
{
  "variables": {
    # speexdsp (echo cancellation, noise suppression) when pkg-config finds it; the addon builds without.
    "with_speexdsp%": "<!(node has-lib.js speexdsp)",
    # libopus (the Opus codec, issue 13) when pkg-config finds it; without it Opus is simply not offered.
    "with_opus%": "<!(node has-lib.js opus)"
  },
  "targets": [
    {
      "target_name": "softphone_native",
      "sources": [
        "src/addon.c", "src/malloc_tuning.c", "src/echo_canceller.c", "src/echo_napi.c",
        "src/engine_napi.c", "src/engine.c", "src/session.c", "src/session_rx.c",
        "src/jitter.c", "src/g711.c", "src/clock.c", "src/opus_napi.c"
      ],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "cflags_c": ["-std=gnu11"],
      "defines": ["NAPI_VERSION=8"],
      "conditions": [
        ["OS!='win'", { "libraries": ["-lpthread"] }],
        ["OS=='win'", { "libraries": ["ws2_32.lib"] }],
        ["with_speexdsp==1", {
          "defines": ["SOFTPHONE_WITH_SPEEXDSP"],
          "libraries": ["<!@(pkg-config --libs speexdsp)"],
          "cflags": ["<!@(pkg-config --cflags speexdsp)"]
        }],
        ["with_opus==1", {
          "defines": ["SOFTPHONE_WITH_OPUS"],
          "libraries": ["<!@(pkg-config --libs opus)"],
          "cflags": ["<!@(pkg-config --cflags opus)"]
        }]
      ]
    }
  ]
}
