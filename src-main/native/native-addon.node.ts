// Loads the project's own Node-API addon (native/, built by `npm ci`); every caller copes with its absence.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface MallocTuning {
  readonly supported: boolean;
  readonly arenaMax: boolean;
  readonly mmapThreshold: boolean;
  readonly trimThreshold: boolean;
}

/** An echo canceller's native state (speexdsp), owned by the addon; freed by destroy or the collector. */
export type EchoHandle = { readonly __echo: unique symbol };

export interface SoftphoneNative {
  tuneMalloc(arenaMax: number, mmapThreshold: number, trimThreshold: number): MallocTuning;
  trimMalloc(): boolean;
  /** True when the addon was built with speexdsp (pkg-config found it at `npm ci`). */
  echoCancellerAvailable?(): boolean;
  createEchoCanceller?(frameSamples: number, tailSamples: number, sampleRate: number, denoise: boolean): EchoHandle | null;
  /** The far end's frame as it goes to the speaker. */
  echoPlayback?(handle: EchoHandle, far: Int16Array): void;
  /** The microphone's frame in, the frame to send out (echo removed, noise suppressed). */
  echoCapture?(handle: EchoHandle, mic: Int16Array, out: Int16Array): void;
  destroyEchoCanceller?(handle: EchoHandle): void;
}

export type NativeLoad = { readonly addon: SoftphoneNative; readonly path: string } | { readonly addon: null; readonly error: string };

const ADDON = join('native', 'build', 'Release', 'softphone_native.node');
let cached: NativeLoad | null = null;

/** Folders that may hold native/: the bundle sits in dist/ (CLI) or dist/app/ (Electron), maybe in app.asar. */
function candidates(from: string): string[] {
  const out: string[] = [];
  let dir = from;
  for (let i = 0; i < 4; i += 1) {
    const unpacked = dir.replace(/([\\/])app\.asar(?=[\\/]|$)/, '$1app.asar.unpacked');
    if (unpacked !== dir) out.push(join(unpacked, ADDON));
    out.push(join(dir, ADDON));
    dir = dirname(dir);
  }
  return out;
}

export function loadNativeAddon(from: string = __dirname): NativeLoad {
  if (cached) return cached;
  const req = createRequire(__filename);
  const errors: string[] = [];
  for (const path of candidates(from)) {
    if (!existsSync(path)) continue;
    try {
      cached = { addon: req(path) as SoftphoneNative, path };
      return cached;
    } catch (err) {
      errors.push(`${path}: ${(err as Error).message}`);
    }
  }
  cached = {
    addon: null,
    error: errors.length > 0 ? errors.join('; ') : `${ADDON} not found (npm ci builds it; node-gyp needs a C compiler)`,
  };
  return cached;
}
