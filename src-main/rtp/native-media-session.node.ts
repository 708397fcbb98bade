// A call on the native media engine (native/src/engine.c, issue 12): RTP, pacing, G.711, the jitter
// buffer and RFC 4733 run in C on one real-time thread; JS only binds the port pair (the range search
// stays here), moves 20 ms blocks between the audio devices and the engine's rings (native-audio-pump),
// and reads statistics. Plain RTP only: SRTP and ICE/STUN calls stay on the worker thread in this slice.

import { randomInt } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { AudioConfig } from '../audio/audio-config';
import type { NativeMediaApi, NativeStats } from '../native/native-addon.node';
import { Emitter } from '../util/emitter';
import { createLogger } from '../util/logger';
import type { MediaEndpoint, MediaSession, MediaSessionEvents, MediaStartParams, RtpStats } from './media-session';
import { DTMF_DIGITS, emptyStats } from './media-worker-protocol';
import { NativeAudioPump, openPumpDevices, type PumpDevices } from './native-audio-pump.node';
import { nativeStartParams } from './native-start-params';

export interface NativeSessionOptions {
  audio: AudioConfig;
  bindAddress: string;
  portMin: number;
  portMax: number;
}

/** Even ports from a random start in the range, RTCP on the next one (as RtpSocketPair.create does). */
export function* portCandidates(portMin: number, portMax: number, random: () => number): Generator<number> {
  const lo = portMin % 2 === 0 ? portMin : portMin + 1;
  const hi = portMax - 1;
  if (hi < lo) return;
  const pairs = Math.floor((hi - lo) / 2) + 1;
  const first = Math.floor(random() * pairs) % pairs;
  for (let i = 0; i < pairs; i++) yield lo + 2 * ((first + i) % pairs);
}

const pump = new NativeAudioPump();
const log = createLogger('media');

export class NativeMediaSession implements MediaSession {
  private readonly events = new Emitter<MediaSessionEvents>();
  private id = -1;
  private state: 'new' | 'open' | 'closed' = 'new';
  private opening: Promise<MediaEndpoint> | null = null;
  private closing: Promise<RtpStats> | null = null;
  private devices: Promise<PumpDevices> | null = null;
  private started = false;
  private muted = false;
  private codec: RtpStats['codec'] = null;
  private lastStats: RtpStats = emptyStats();
  private latchChanges = 0;
  private pumpRounds = 0;
  private endpoint: MediaEndpoint | null = null;
  private levelListeners = 0;

  constructor(
    private readonly api: NativeMediaApi,
    private readonly options: NativeSessionOptions,
  ) {}

  /** The bound RTP port (for a hand-over to the worker when the call turns out to need SRTP). */
  get rtpPort(): number {
    return this.endpoint?.rtpPort ?? 0;
  }

  open(): Promise<MediaEndpoint> {
    this.opening ??= this.doOpen();
    return this.opening;
  }

  private async doOpen(): Promise<MediaEndpoint> {
    const { bindAddress, portMin, portMax } = this.options;
    // The speaker ring is drained even without a recording: the output level meter reads it.
    const hasOutput = true;
    for (const port of portCandidates(portMin, portMax, Math.random)) {
      const r = this.api.mediaOpen(bindAddress, port, hasOutput);
      if ('id' in r) {
        this.id = r.id;
        this.state = 'open';
        this.endpoint = { address: bindAddress, rtpPort: port, rtcpPort: port + 1 };
        log.info('media on the native engine', { rtpPort: port });
        // Devices open while the call is set up, so start() finds them ready (as the worker does).
        this.devices = openPumpDevices(this.options.audio, (message) => this.events.emit('error', { message }));
        return { ...this.endpoint };
      }
      if (r.code !== 'EADDRINUSE') throw new Error(r.message);
    }
    throw new Error(`no free RTP port pair in ${portMin}-${portMax} on ${bindAddress}`);
  }

  async start(params: MediaStartParams): Promise<void> {
    await this.apply(params, 'start');
  }

  async update(params: MediaStartParams): Promise<void> {
    await this.apply(params, 'update');
  }

  private async apply(params: MediaStartParams, what: string): Promise<void> {
    if (this.opening) await this.opening;
    if (this.state !== 'open') throw new Error(`media ${what}: session is ${this.state === 'new' ? 'not open yet' : this.state}`);
    if (params.srtp || params.ice) throw new Error(`media ${what}: the native engine does not do SRTP or ICE yet`);
    // The engine takes numeric addresses only; a name in c= is resolved here, off the real-time thread.
    const remoteAddress = isIP(params.remoteAddress) ? params.remoteAddress : (await lookup(params.remoteAddress)).address;
    const native = nativeStartParams({ ...params, remoteAddress }, { ssrc: randomInt(2 ** 32), seq: randomInt(2 ** 16), timestamp: randomInt(2 ** 32) });
    if (!this.started) {
      const devices = await (this.devices ?? Promise.resolve(null));
      if (this.state !== 'open') return; // closed while the devices opened
      pump.add(this.id, this.api, devices, (levels) => this.pollFromPump(levels));
    }
    this.api.mediaStart(this.id, native);
    this.started = true;
    this.codec = params.codec;
    this.api.mediaMute(this.id, this.muted);
  }

  sendDtmf(digits: string, durationMs = 100): void {
    if (typeof digits !== 'string' || digits.length > 256 || !DTMF_DIGITS.test(digits)) {
      this.events.emit('error', { message: `invalid DTMF digits: ${String(digits).slice(0, 40)}` });
      return;
    }
    if (this.state !== 'open' || digits.length === 0) return;
    const ms = Number.isFinite(durationMs) ? Math.round(Math.min(5000, Math.max(40, durationMs))) : 100;
    this.api.mediaDtmf(this.id, digits, ms);
  }

  setMuted(muted: boolean): void {
    this.muted = muted === true;
    if (this.state === 'open') this.api.mediaMute(this.id, this.muted);
  }

  async stats(): Promise<RtpStats> {
    if (this.state === 'open') {
      const s = this.api.mediaStats(this.id);
      if (s) this.lastStats = this.toRtpStats(s);
    }
    return { ...this.lastStats };
  }

  /** A new latched source becomes the worker path's 'latched' event (read with the stats, not per packet). */
  private checkLatch(s: NativeStats): void {
    if (s.latchChanges === this.latchChanges || !s.remote) return;
    this.latchChanges = s.latchChanges;
    const m = /^\[?(.*?)\]?:(\d+)$/.exec(s.remote);
    if (m) this.events.emit('latched', { address: m[1] as string, port: Number(m[2]) });
  }

  private toRtpStats(s: NativeStats): RtpStats {
    this.checkLatch(s);
    return {
      codec: this.codec,
      packetsSent: s.packetsSent,
      octetsSent: s.octetsSent,
      packetsReceived: s.packetsReceived,
      octetsReceived: s.octetsReceived,
      packetsLost: s.packetsLost,
      duplicates: s.duplicates,
      late: s.late,
      concealedMs: s.concealedMs,
      jitterMs: s.jitterMs,
      remote: s.remote || null,
      maxSendGapMs: s.maxSendGapMs,
      discarded: s.discarded,
      rtcpReceived: s.rtcpReceived,
    };
  }

  close(): Promise<RtpStats> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<RtpStats> {
    if (this.opening) await this.opening.catch(() => {});
    if (this.state !== 'open') {
      this.state = 'closed';
      return { ...this.lastStats };
    }
    this.state = 'closed';
    pump.drain(this.id); // what the engine played last still reaches the recording
    const final = this.api.mediaClose(this.id);
    if (final) this.lastStats = this.toRtpStats(final);
    pump.remove(this.id);
    const devices = await (this.devices ?? Promise.resolve(null));
    if (devices) await devices.close();
    return { ...this.lastStats };
  }

  on<K extends keyof MediaSessionEvents>(event: K, listener: (payload: MediaSessionEvents[K]) => void): () => void {
    const off = this.events.on(event, listener);
    if (event !== 'level') return off;
    this.levelListeners++;
    let removed = false;
    return () => {
      off();
      if (!removed) this.levelListeners--;
      removed = true;
    };
  }

  /**
   * The pump's 100 ms round: meters (10 Hz, while someone listens); every 5th round the engine's counters,
   * whose latching changes become events. Issue 12: the stats object is the round's main cost (a dozen
   * named properties made in C, then copied), and nothing needs it more often than twice a second.
   */
  private pollFromPump(levels: { input: number; output: number }): void {
    if (this.state !== 'open') return;
    if (this.levelListeners > 0) this.events.emit('level', { input: this.muted ? 0 : levels.input, output: levels.output });
    if (this.pumpRounds++ % 5 !== 0) return;
    const s = this.api.mediaStats(this.id);
    if (s) this.lastStats = this.toRtpStats(s);
  }
}
