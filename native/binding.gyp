# The project's own Node-API addon (`npm ci` builds it with node-gyp: scripts/build-native.mjs).
{
  "targets": [
    {
      "target_name": "softphone_native",
      "sources": ["src/addon.c", "src/malloc_tuning.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
