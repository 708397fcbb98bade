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

/** An Opus encoder or decoder (libopus) owned by the addon; freed by destroyOpus or the collector. */
export type OpusHandle = { readonly __opus: unique symbol };

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
  /** speex_echo_cancellation: `far` is the reference the caller aligned to `mic` (issue 13). */
  echoCancel?(handle: EchoHandle, mic: Int16Array, far: Int16Array, out: Int16Array): void;
  destroyEchoCanceller?(handle: EchoHandle): void;
  /** Issue 13: Opus (libopus, native/src/opus_napi.c); absent from an older addon, false without libopus. */
  opusAvailable?(): boolean;
  createOpusEncoder?(rate: number, channels: number, bitrate: number, fec: boolean, dtx: boolean, lossPercent: number): OpusHandle | null;
  createOpusDecoder?(rate: number, channels: number): OpusHandle | null;
  /** Bytes of the packet written to `out` (1-2: DTX, nothing worth sending), or a negative libopus error. */
  opusEncode?(encoder: OpusHandle, pcm: Int16Array, out: Uint8Array): number;
  /** Samples per channel into `out`; packet null = conceal a lost frame of out's size; fec = decode the lost frame before `packet` from its FEC data. */
  opusDecode?(decoder: OpusHandle, packet: Uint8Array | null, out: Int16Array, fec: boolean): number;
  /** Samples per channel a packet holds at `rate`, or a negative error for a malformed packet. */
  opusPacketSamples?(packet: Uint8Array, rate: number): number;
  destroyOpus?(handle: OpusHandle): void;
  /** The native media engine (issue 12); absent from an addon built before it (checked by callers). */
  mediaOpen?: NativeMediaApi['mediaOpen'];
}

/** What native/src/engine_napi.c exports for the media engine (see src-main/rtp/native-media-session.node.ts). */
export interface NativeMediaApi {
  mediaOpen(bindAddress: string, port: number, hasOutput: boolean): { id: number } | { errno: number; code: string; message: string };
  mediaStart(id: number, params: NativeStartParams): void;
  mediaMute(id: number, muted: boolean): void;
  /** True when the digits will go out as RFC 4733 events (telephone-event negotiated, media started). */
  mediaDtmf(id: number, digits: string, durationMs: number): boolean;
  /** Samples taken into the microphone ring (the rest did not fit); -1 for an unknown call. */
  mediaWriteInput(id: number, pcm: Int16Array): number;
  /** Samples taken out of the speaker ring; -1 for an unknown call. */
  mediaReadOutput(id: number, pcm: Int16Array): number;
  mediaInputRoom(id: number): number;
  mediaStats(id: number): NativeStats | null;
  mediaClose(id: number): NativeStats | null;
  /** realtime: 1 the engine thread got SCHED_FIFO, 2 a raised nice value instead (no RT privilege), 0 neither. */
  /** Starts the engine thread ahead of the first call (absent from addons built before it). */
  mediaPrestart?(): boolean;
  mediaInfo(): { running: number; sessions: number; ticks: number; lateTicks: number; skippedTicks: number; realtime: number };
  /** law 0 = µ-law, 1 = A-law. */
  g711Encode(law: number, pcm: Int16Array): Uint8Array;
  g711Decode(law: number, codes: Uint8Array): Int16Array;
  /** A producer thread writes 0,1,2,… through an SPSC ring of `capacity` while this thread reads. */
  ringCheck(total: number, capacity: number): { read: number; outOfOrder: number };
}

export interface NativeStartParams {
  remoteAddress: string;
  remotePort: number;
  remoteRtcpPort: number;
  law: 0 | 1;
  payloadType: number;
  receive: { payloadType: number; law: 0 | 1 }[];
  telephoneEventPayloadType: number;
  ptime: number;
  /** 0 strict, 1 learn, 2 open (src-main/rtp/rtp-latch.ts). */
  latchMode: 0 | 1 | 2;
  /** 0 sendrecv, 1 sendonly, 2 recvonly, 3 inactive. */
  direction: 0 | 1 | 2 | 3;
  ssrc: number;
  seq: number;
  timestamp: number;
}

export interface NativeStats {
  packetsSent: number;
  octetsSent: number;
  packetsReceived: number;
  octetsReceived: number;
  packetsLost: number;
  duplicates: number;
  late: number;
  concealedMs: number;
  jitterMs: number;
  maxSendGapMs: number;
  sendIntervalP50Ms: number;
  sendIntervalP99Ms: number;
  discarded: number;
  rtcpReceived: number;
  sendErrors: number;
  receiveErrors: number;
  lastErrno: number;
  inputUnderruns: number;
  outputOverflows: number;
  latchChanges: number;
  remote: string;
}

/** The media engine of the loaded addon, or why there is none. */
export function loadNativeMedia(): { api: NativeMediaApi } | { api: null; error: string } {
  const load = loadNativeAddon();
  if (!load.addon) return { api: null, error: load.error };
  if (typeof load.addon.mediaOpen !== 'function') return { api: null, error: `${load.path} has no media engine (built before issue 12; run npm ci)` };
  return { api: load.addon as unknown as NativeMediaApi };
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
