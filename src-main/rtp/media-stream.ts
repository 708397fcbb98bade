// One call's audio stream inside the media thread: per 20 ms tick it sends the microphone (or a DTMF
// event) as RTP and plays the jitter buffer's next frame; it validates and latches received RTP and
// sends/reads RTCP. Its audio runs at the send codec's sample rate (8 or 16 kHz, issue 13; stream-rate.ts
// converts what runs at another). Pure: sockets, devices and clocks are handed in (fake clock in tests).

import { mixSaturating } from './conference-mix';
import { Emitter } from '../util/emitter';
import { getCodec } from '../codec/codec-registry';
import { G711Plc } from '../codec/g711-plc';
import type { AudioCodec } from '../codec/audio-codec';
import { FRAME_SAMPLES, type AudioInput, type AudioOutput } from '../audio/audio-device';
import { frameSamplesAt } from '../audio/frame-resampler';
import { StreamRateBridge } from './stream-rate';
import { NullInput, NullOutput } from '../audio/null-device';
import { SampleRing } from '../audio/sample-ring';
import { peakLevel } from '../audio/tone-analysis';
import { encodeDtmfEvent } from './dtmf-event';
import { DtmfQueue } from './dtmf-queue';
import { receiverQuality } from './e-model';
import { DtmfReceiver } from './dtmf-receive';
import { InbandDtmf } from '../audio/dtmf-tone';
import { applyGain } from '../audio/gain';
import { JitterBuffer, type JitterAdaptMode } from './jitter-buffer';
import { StretchedPlayout } from './stretched-playout';
import type { MediaStartParams, RtpStats } from './media-session';
import { RtpLatch, type TransportAddress } from './rtp-latch';
import { isRtcp, parseRtp, writeRtp } from './rtp-packet';
import { RtpReceiverStats } from './rtp-receiver-stats';
import { receiveDecoders, type ReceiveDecoders } from './receive-codecs';
import { RtpSender } from './rtp-sender';
import { RtcpSession } from './rtcp-session';
import { SrtpSession } from './srtp-session';
import { CN_PAYLOAD_TYPE, MAX_CN_ORDER, parseComfortNoise, writeComfortNoise } from './comfort-noise';
import { ComfortNoiseGenerator } from './comfort-noise-generator';
import type { DtxDecision } from './dtx-policy';
import { SilenceSuppressor } from './silence-suppressor';
import { StreamXr } from './stream-xr';
import { viewOfVoipMetrics } from './xr-voip-metrics';
import type { VoipMetricsBlock } from './rtcp-xr';
import type { ReceiverMeasurements } from './e-model';

/** Sees each tick's sent and played frames (a call recording); must not block or keep the frames. */
export interface MediaTap {
  sent(frame: Int16Array): void;
  heard(frame: Int16Array): void;
  /** The rate of the frames from now on (the call's; told when the tap is set and when it changes). */
  setSampleRate?(rate: number): void;
}

export interface MediaTransport {
  sendRtp(data: Uint8Array, length: number, port: number, address: string): void;
  sendRtcp(data: Uint8Array, length: number, port: number, address: string): void;
}

export interface MediaStreamEvents {
  latched: { address: string; port: number };
  /** Peak levels (0..1) over the last 100 ms. */
  level: { input: number; output: number };
  /** A device failed; the stream goes on with silence. */
  error: { message: string };
  /** The peer pressed a key (an RFC 4733 event, reported once per press). */
  dtmf: { digit: string };
}

export interface MediaStreamDeps {
  transport: MediaTransport;
  input: AudioInput;
  output: AudioOutput;
  random: () => number;
  /** Wall clock (ms since 1970) for RTCP NTP timestamps; the tick's time is monotonic. */
  wallClockMs: () => number;
  cname: string;
  /** How the jitter buffer changes its delay (issue 13): time-stretch (default) or whole frames. */
  jitterAdapt?: JitterAdaptMode;
}

/** RTP clock of G.711 and G.722 (RFC 3551 §4.5.2) before the codec is known; Opus runs at 48000 (RFC 7587 §4.1). */
const CLOCK_RATE = 8000;
const MAX_PAYLOAD = 1600; // 200 ms of G.711 or G.722
/** Decoded samples of the largest payload: G.722 gives two per octet, Opus up to 120 ms at 48 kHz. */
const MAX_DECODED = 5760;
const SEND_BUFFERS = 8; // in-flight datagrams may still reference a buffer for a moment
const SRTP_TAG_ROOM = 16; // the SRTP tag (10 octets at most) is appended in place
const LEVEL_TICKS = 5; // 100 ms: levels at 10 Hz
const JB_MAX_DELAY_MS = 200;
const SPEECH: DtxDecision = { kind: 'speech' };

/** A jitter buffer counting in `clockRate` RTP units (20 ms packets until the peer's size is seen). */
function newJitterBuffer(clockRate: number, adapt: JitterAdaptMode): JitterBuffer {
  return new JitterBuffer({ frameSamples: clockRate / 50, clockRate, minDelayMs: 40, maxDelayMs: JB_MAX_DELAY_MS, maxPayloadBytes: 512, adapt });
}

export class MediaStream extends Emitter<MediaStreamEvents> {
  private params!: MediaStartParams;
  private codec!: AudioCodec;
  /** Every audio payload type of the answer: the peer may send (and switch to) any of them. */
  private decoders!: ReceiveDecoders;
  private latch!: RtpLatch;
  private framesPerPacket = 1;
  private readonly sender: RtpSender;
  private readonly dtmf = new DtmfQueue(20);
  private dtmfTimestamp = 0;
  /** The call's audio rate (the send codec's PCM rate), its 20 ms frame, and RTP units per 20 ms. */
  private rate = CLOCK_RATE;
  private frameSamples = FRAME_SAMPLES;
  private rtpPerFrame = FRAME_SAMPLES;
  private readonly bridge = new StreamRateBridge(CLOCK_RATE);
  /** Keys sent as tones in the audio (the account's DTMF mode "in-band"). */
  private inband = new InbandDtmf(CLOCK_RATE);
  private readonly dtmfIn = new DtmfReceiver();
  private tap: MediaTap | null = null;
  /** Microphone and speaker volume (issue 11), as gains. */
  private inputGain = 1;
  private outputGain = 1;
  private muted = false;
  private closed = false;
  private input: AudioInput;
  private output: AudioOutput;

  private micFrame = new Int16Array(FRAME_SAMPLES);
  private packetPcm = new Int16Array(FRAME_SAMPLES);
  private packetFill = 0;
  private readonly payload = new Uint8Array(MAX_PAYLOAD);
  private readonly sendBuffers = Array.from({ length: SEND_BUFFERS }, () => new Uint8Array(12 + MAX_PAYLOAD + SRTP_TAG_ROOM));
  private sendIndex = 0;
  private lastSendMs = Number.NaN;
  private maxSendGapMs = 0;
  private wasSending = false;

  private receiver = new RtpReceiverStats(CLOCK_RATE);
  private remoteSsrc: number | null = null;
  /** Counts of earlier remote SSRCs (a peer that restarted its stream), so totals never go back. */
  private prior = { received: 0, lost: 0, duplicates: 0 };
  private jitter: JitterBuffer;
  /** The RTP clock now (the send codec's): the jitter buffer and receiver statistics count in it. */
  private clockRate = CLOCK_RATE;
  /** The decoder of the last packet played: its own concealment (Opus PLC) takes over a loss. */
  private lastDecoder: AudioCodec | null = null;
  /** Lost Opus frames decoded through the packet after them: its in-band FEC, or libopus's concealment if it carries none. */
  private fecRecovered = 0;
  private readonly playFifo = new SampleRing(MAX_DECODED * 2);
  private readonly decoded = new Int16Array(MAX_DECODED);
  /**
   * Loss concealment (G.711 Appendix I, its lengths scaled to the call's rate: the same pitch-repeat and
   * fade at 16 kHz for G.722, whose own Appendix IV PLC is not implemented); every decoded frame passes
   * through it, 3.75 ms late.
   */
  private plc = new G711Plc(CLOCK_RATE);
  /** Lengthens/shortens what is played when the jitter buffer asks (issue 13); after the PLC. Remade with the buffer. */
  private playout: StretchedPlayout;
  private readonly jitterAdapt: JitterAdaptMode;
  private lastFrameSamples = 0;
  /** Played vs concealed packets and the changes between them (the E-model's BurstR). */
  private readonly runs = { received: 0, lost: 0, receivedThenLost: 0, lostThenReceived: 0 };
  private lastWasLost = false;
  /** Milliseconds played that were not received audio, once received audio started (stats.concealedMs). */
  private concealedMs = 0;
  private heardAudio = false;
  private outFrame = new Int16Array(FRAME_SAMPLES);
  private octetsReceived = 0;
  private discarded = 0;
  /** RTCP datagrams accepted from the peer (the no-RTP watchdog counts them as signs of life). */
  private rtcpReceived = 0;
  private readonly rtcp: RtcpSession;
  /** SRTP/SRTCP with the negotiated SDES keys (RFC 3711); null = plain RTP. */
  private srtp: SrtpSession | null = null;

  private inPeak = 0;
  private outPeak = 0;
  private levelTicks = 0;

  /** Silence suppression (RFC 3389): the microphone's voice activity and when to send a SID. */
  private readonly silence = new SilenceSuppressor();
  /** Comfort noise received: played from the last CN packet until speech comes back. */
  private readonly noise: ComfortNoiseGenerator;
  private cnActive = false;
  private readonly cn: { sent: number; received: number; suppressed: number; lastLevel?: number } = { sent: 0, received: 0, suppressed: 0 };
  /** RFC 3611 XR: burst/gap model of the play-out, the largest jitter buffer target, received levels. */
  private readonly xr = new StreamXr(JB_MAX_DELAY_MS);

  constructor(
    private readonly deps: MediaStreamDeps,
    params: MediaStartParams,
    nowMs: number,
  ) {
    super();
    this.sender = new RtpSender(deps.random);
    this.input = deps.input;
    this.output = deps.output;
    this.watch(this.input, 'input');
    this.watch(this.output, 'output');
    this.jitterAdapt = deps.jitterAdapt ?? 'stretch';
    this.jitter = newJitterBuffer(CLOCK_RATE, this.jitterAdapt);
    this.playout = new StretchedPlayout(this.jitter, this.playFifo, CLOCK_RATE, MAX_DECODED, CLOCK_RATE);
    this.rtcp = new RtcpSession({ ssrc: this.sender.ssrc, cname: deps.cname, random: deps.random, wallClockMs: deps.wallClockMs });
    this.noise = new ComfortNoiseGenerator(Math.floor(deps.random() * 0x100000000));
    this.apply(params, nowMs, true);
  }

  /** A re-INVITE/UPDATE: new remote (latching starts over), codec, ptime or direction. */
  update(params: MediaStartParams, nowMs: number): void {
    this.apply(params, nowMs, false);
  }

  /** Microphone and speaker volume as gains (1 = unchanged); the meters show the result. */
  setGain(input: number, output: number): void {
    this.inputGain = input;
    this.outputGain = output;
  }

  /** Starts (or with null stops) handing each tick's frames to `tap`. */
  setTap(tap: MediaTap | null): void {
    this.tap = tap;
    tap?.setSampleRate?.(this.rate);
  }

  setMuted(muted: boolean): void {
    if (this.muted && !muted) this.sender.resumeAfterSilence();
    this.muted = muted;
  }

  /**
   * Queues keys: RFC 4733 events (nothing is sent without a negotiated telephone-event payload type),
   * or tone pairs in the audio itself ('inband').
   */
  sendDtmf(digits: string, durationMs: number, mode: 'rfc4733' | 'inband' = 'rfc4733'): boolean {
    if (mode === 'inband') return this.inband.enqueue(digits, durationMs) > 0;
    if (this.params.telephoneEventPayloadType === undefined) return false;
    return this.dtmf.enqueue(digits, durationMs) > 0;
  }

  /** The 20 ms last played to our speaker (at the call's rate): what the far end said (a conference partner mixes it in). */
  get heardFrame(): Int16Array {
    return this.outFrame;
  }

  /**
   * First half of a tick: microphone (or DTMF) -> RTP, then RTCP when due. `mix`: a conference
   * partner's last heard frame, added to what we send (our mute silences only our microphone).
   */
  sendTick(nowMs: number, mix?: Int16Array | null): void {
    if (this.closed) return;
    const got = this.bridge.read(this.input, this.micFrame);
    if (!got || this.muted) this.micFrame.fill(0);
    else applyGain(this.micFrame, this.inputGain);
    // In-band keys replace the voice (and sound through a mute, as RFC 4733 events do).
    this.inband.fill(this.micFrame);
    const inLevel = this.muted ? 0 : peakLevel(this.micFrame);
    if (inLevel > this.inPeak) this.inPeak = inLevel;
    if (mix) mixSaturating(this.micFrame, this.bridge.mix(mix));

    const dir = this.params.direction ?? 'sendrecv';
    const sending = dir === 'sendrecv' || dir === 'sendonly';
    // A recording holds what the peer was sent: silence while the call is held.
    if (sending) this.tap?.sent(this.micFrame);
    if (!sending) {
      this.sender.advanceTimestamp(this.rtpPerFrame);
      this.packetFill = 0;
      if (this.wasSending) this.sender.resumeAfterSilence();
      this.wasSending = false;
      this.lastSendMs = Number.NaN;
    } else {
      this.wasSending = true;
      const dtmf = this.dtmf.tick();
      if (dtmf.kind === 'event' && this.params.telephoneEventPayloadType !== undefined) {
        if (dtmf.first) {
          this.packetFill = 0; // a partial voice packet is dropped; the event starts now (RFC 4733 §2.5.1.1)
          this.dtmfTimestamp = this.sender.timestamp;
        }
        const n = encodeDtmfEvent(dtmf.packet, this.payload);
        const header = this.sender.nextWithTimestamp(this.params.telephoneEventPayloadType, this.dtmfTimestamp, dtmf.packet.marker, n);
        this.sender.advanceTimestamp(this.rtpPerFrame); // the audio clock runs on under the event
        if (dtmf.packet.end) this.sender.resumeAfterSilence();
        this.send(header, n, nowMs);
      } else {
        this.packetPcm.set(this.micFrame, this.packetFill * this.frameSamples);
        const dtx = this.dtxOn();
        if (dtx) this.silence.frame(this.micFrame, nowMs);
        if (++this.packetFill >= this.framesPerPacket) {
          const samples = this.packetFill * this.frameSamples;
          const rtpUnits = this.packetFill * this.rtpPerFrame; // RFC 3551 §4.5.2: G.722 counts 8000/s
          this.packetFill = 0;
          const decision = dtx ? this.silence.packet(nowMs) : SPEECH;
          if (decision.kind !== 'speech') this.sendSilence(decision, rtpUnits, nowMs);
          else {
            const n = this.codec.encode(this.packetPcm.subarray(0, samples), this.payload);
            if (n > 0) this.send(this.sender.next(this.params.payloadType, rtpUnits, false, n), n, nowMs);
            else {
              // Opus DTX (RFC 7587 §3.4): nothing sent for this frame; the clock runs on, the next packet is marked.
              this.sender.advanceTimestamp(rtpUnits);
              this.sender.resumeAfterSilence();
            }
          }
        }
      }
    }
    this.rtcp.tick(nowMs, this.rtcpState(), (buf, len) => this.sendRtcpPacket(buf, len));
  }

  /** Second half of a tick: the next 20 ms from the jitter buffer (or concealment) to the speaker. */
  playTick(nowMs: number): void {
    if (this.closed) return;
    while (this.playFifo.available < this.frameSamples) {
      const r = this.jitter.pop(nowMs);
      if (r.kind === 'empty') break;
      if (r.kind === 'frame') {
        if (this.isComfortNoise(r.payloadType)) {
          // RFC 3389 §4: noise at the signalled level from now until the next speech packet.
          const cn = parseComfortNoise(r.payload);
          if (cn) {
            this.noise.set(cn);
            this.cn.lastLevel = cn.level;
          }
          this.cnActive = true;
          this.playNoise(this.lastFrameSamples || this.jitter.packetSamples);
          continue;
        }
        // The format of this packet, which may differ from the one before (RFC 3550 §5.1: per packet).
        const codec = this.decoders.get(r.payloadType);
        if (!codec) {
          this.conceal(); // queued before a re-INVITE took its format away
          continue;
        }
        // A format of another rate than the call's (the answer listed both) is converted to it.
        const d = this.bridge.decoded(this.decoded, codec.decode(r.payload, this.decoded), codec.sampleRate);
        this.heardAudio = true;
        this.lastDecoder = codec;
        // This frame plays after what is still queued for the speaker: its whole wait since it could have come.
        this.playout.noteReceived();
        this.cnActive = false;
        if (!codec.conceal) this.plc.good(d.samples, d.n);
        this.playout.queue(d.samples, d.n);
        this.lastFrameSamples = d.n;
        this.countRun(false);
      } else if (r.kind === 'expand' && !this.cnActive) {
        this.concealWait();
      } else if (this.cnActive) {
        // A gap in the peer's comfort noise (its SID was lost): more noise, not concealment.
        this.playNoise(this.lastFrameSamples || this.jitter.packetSamples);
      } else {
        this.conceal();
      }
    }
    // The sender stopped during silence (DTX): the noise goes on while nothing arrives; not a loss.
    if (this.cnActive && this.playFifo.available < FRAME_SAMPLES) this.playNoise(FRAME_SAMPLES - this.playFifo.available);
    const dir = this.params.direction ?? 'sendrecv';
    const hearing = dir === 'sendrecv' || dir === 'recvonly';
    const short = this.frameSamples - Math.min(this.frameSamples, this.playFifo.available);
    if (this.heardAudio && short > 0 && hearing) this.concealedMs += (short * 1000) / this.rate;
    this.playFifo.read(this.outFrame); // silence when nothing is ready
    if (this.params.xrVoipMetrics) this.xr.played(this.outFrame, nowMs, this.heardAudio, this.jitter.stats.targetDelayMs);
    if (dir === 'sendonly' || dir === 'inactive') this.outFrame.fill(0);
    applyGain(this.outFrame, this.outputGain);
    this.bridge.write(this.output, this.outFrame);
    this.tap?.heard(this.outFrame);
    const outLevel = peakLevel(this.outFrame);
    if (outLevel > this.outPeak) this.outPeak = outLevel;
    if (++this.levelTicks >= LEVEL_TICKS) {
      this.emit('level', { input: this.inPeak, output: this.outPeak });
      this.inPeak = this.outPeak = this.levelTicks = 0;
    }
  }

  /** A datagram on the RTP port. Anything malformed, unexpected or from a stranger is counted and dropped. */
  receiveRtp(data: Uint8Array, from: TransportAddress, nowMs: number): void {
    if (this.closed) return;
    // RFC 5761 §4: a peer multiplexing RTCP onto the RTP port is told apart by payload type.
    if (isRtcp(data)) return this.receiveRtcp(data, from, nowMs);
    if (this.srtp) {
      // RFC 3711 §3.3: authenticated before anything else looks at it; a failure is dropped, never
      // played, and moves neither the latch nor the statistics.
      const n = this.srtp.unprotectRtp(data);
      if (n < 0) {
        this.discarded++;
        return;
      }
      data = data.subarray(0, n);
    }
    const p = parseRtp(data);
    const te = this.params.telephoneEventPayloadType;
    const isAudio = p !== null && this.decoders.has(p.payloadType) && p.payload.length > 0;
    const isEvent = p !== null && te !== undefined && p.payloadType === te;
    // RFC 3389 §3: a level octet and at most a few reflection coefficients; anything else is not CN.
    const isCn = p !== null && !isAudio && this.isComfortNoise(p.payloadType) && p.payload.length >= 1 && p.payload.length <= 1 + MAX_CN_ORDER;
    if (!p || (!isAudio && !isEvent && !isCn) || p.payload.length > MAX_PAYLOAD) {
      this.discarded++;
      return;
    }
    const { verdict, latchedOnto } = this.latch.observe(from, p.ssrc, p.sequenceNumber, nowMs);
    if (verdict === 'reject') {
      this.discarded++;
      return;
    }
    if (latchedOnto) {
      this.rtcp.peerMoved(latchedOnto);
      this.emit('latched', latchedOnto);
    }
    if (p.ssrc !== this.remoteSsrc) this.newRemoteSource(p.ssrc);
    if (this.receiver.update(p.sequenceNumber, p.timestamp, nowMs) === 'duplicate') return;
    this.octetsReceived += p.payload.length;
    if (isCn) {
      // Through the jitter buffer, so the noise starts when the silence does (after the speech before it).
      this.cn.received++;
      this.jitter.push(p.sequenceNumber, p.timestamp, p.payload, nowMs, p.ssrc, p.payloadType, true);
      return;
    }
    if (!isAudio) {
      // Events are not played; each key press is reported once (RFC 4733 §2.5.2).
      const digit = this.dtmfIn.observe(p.payload, p.timestamp, p.marker);
      if (digit) this.emit('dtmf', { digit });
      return;
    }
    // G.711 and G.722 carry one RTP timestamp unit per octet: the packet size tells the peer's packetisation time, which it
    // may change mid-call; the buffer keeps what it holds (rebuilding it was an audible gap).
    // Opus says its duration in the packet's TOC (RFC 6716 §3.1); a malformed one is dropped here.
    const duration = this.decoders.get(p.payloadType)?.packetDuration?.(p.payload) ?? p.payload.length;
    if (duration <= 0) {
      this.discarded++;
      return;
    }
    if (duration !== this.jitter.packetSamples) this.jitter.setFrameSamples(duration);
    this.jitter.push(p.sequenceNumber, p.timestamp, p.payload, nowMs, p.ssrc, p.payloadType, p.marker);
  }

  /** A datagram on the RTCP port. */
  receiveRtcp(data: Uint8Array, from: TransportAddress, nowMs: number): void {
    if (this.closed) return;
    // Issue 9: the same sources as RTP (the latch's rule), not any port of the peer's host.
    const signalledRtcp = { address: this.params.remoteAddress, port: this.params.remoteRtcpPort ?? this.params.remotePort + 1 };
    const known = this.latch.acceptsRtcp(from, signalledRtcp);
    const n = known && this.srtp ? this.srtp.unprotectRtcp(data) : data.length;
    if (!known || n < 0 || !this.rtcp.receive(data.subarray(0, n), from, this.remoteSsrc, nowMs, this.params.symmetric !== false)) this.discarded++;
    else this.rtcpReceived++;
  }

  /** What this side measured of the peer's audio (the E-model's and the XR block's input). */
  private measurements(): ReceiverMeasurements {
    const rtt = this.rtcp.rttMs;
    return {
      packetsReceived: this.prior.received + this.receiver.packetsReceived,
      packetsLost: this.prior.lost + this.receiver.packetsLost,
      discarded: this.jitter.stats.late + this.jitter.stats.dropped,
      ...(rtt !== null ? { roundTripMs: rtt } : {}),
      bufferDelayMs: this.jitter.stats.targetDelayMs,
      packetMs: (this.jitter.packetSamples * 1000) / this.clockRate,
      plcDelayMs: (this.plc.delay * 1000) / this.rate,
      runs: this.runs,
    };
  }

  stats(): RtpStats {
    const remote = this.latch.remote;
    const m = this.measurements();
    const { packetsReceived, packetsLost } = m;
    const rtt = this.rtcp.rttMs;
    // Issue 13: the G.107 score of what this side hears, and (RTCP XR) what the peer says it hears of us.
    const score = receiverQuality(m);
    const peer = this.rtcp.peerVoipMetrics ? viewOfVoipMetrics(this.rtcp.peerVoipMetrics) : null;
    const sentXr = this.rtcp.sentVoipMetrics;
    return {
      codec: this.codec.name,
      packetsSent: this.sender.packetsSent,
      octetsSent: this.sender.octetsSent,
      packetsReceived,
      octetsReceived: this.octetsReceived,
      packetsLost,
      duplicates: this.prior.duplicates + this.receiver.duplicates,
      late: this.jitter.stats.late,
      concealedMs: Math.round(this.concealedMs),
      jitterMs: Math.round(this.receiver.jitterMs * 100) / 100,
      remote: `${remote.address}:${remote.port}`,
      maxSendGapMs: Math.round(this.maxSendGapMs * 100) / 100,
      discarded: this.discarded,
      rtcpReceived: this.rtcpReceived,
      ...(rtt !== null ? { roundTripMs: rtt } : {}),
      ...(score ? { quality: { ...score, ...(peer ? { peer } : {}) } } : {}),
      ...(this.params.comfortNoisePayloadType !== undefined ? { comfortNoise: { ...this.cn } } : {}),
      ...(this.params.xrVoipMetrics
        ? { xr: { ...(sentXr ? { sent: viewOfVoipMetrics(sentXr) } : {}), ...(peer ? { received: peer } : {}), dropped: this.rtcp.xrDropped } }
        : {}),
      ...(this.srtp ? { srtp: { suite: this.srtp.suite, authFailures: this.srtp.authFailures, replayed: this.srtp.replayed } } : {}),
      jitterBuffer: this.playout.report(),
    };
  }

  /** Sends the RTCP BYE (RFC 3550 §6.6) and stops; the caller closes devices and sockets. */
  close(nowMs?: number): void {
    if (this.closed) return;
    this.rtcp.sendBye(this.rtcpState(), (buf, len) => this.sendRtcpPacket(buf, len), nowMs);
    this.closed = true;
    // Native codec state (Opus) is freed now rather than by the collector.
    this.codec.destroy?.();
    for (const d of this.decoders.values()) d.destroy?.();
  }

  private apply(params: MediaStartParams, nowMs: number, first: boolean): void {
    const remote = { address: params.remoteAddress, port: params.remotePort };
    const remoteChanged = first || remote.address !== this.params.remoteAddress || remote.port !== this.params.remotePort;
    this.params = { ...params };
    if (!params.srtp) this.srtp = null;
    else if (this.srtp) this.srtp.update(params.srtp);
    else this.srtp = new SrtpSession(params.srtp);
    // A stateful codec (G.722) keeps its state over a re-INVITE that keeps it.
    if (!this.codec || this.codec.name !== params.codec) {
      this.codec?.destroy?.();
      this.codec = getCodec(params.codec);
    }
    this.codec.setDtx?.(params.sendDtx === true);
    this.decoders = receiveDecoders(params, this.decoders);
    this.setRate(this.codec.sampleRate, this.codec.clockRate);
    // Our tick is 20 ms: a ptime that is a multiple of it is honoured, anything else rounded down (a
    // receiver copes with shorter packets than it asked for more easily than with longer ones).
    // Opus frames are at most 60 ms (RFC 6716 §2.1.4).
    this.framesPerPacket = Math.max(1, Math.min(this.codec.name === 'OPUS' ? 3 : 5, Math.floor(params.ptime / 20)));
    if (this.packetPcm.length !== this.framesPerPacket * this.frameSamples) this.packetPcm = new Int16Array(this.framesPerPacket * this.frameSamples);
    this.packetFill = 0;
    if (remoteChanged) {
      if (first) this.latch = new RtpLatch(remote, { symmetric: params.symmetric !== false }, nowMs);
      else this.latch.reset(remote, nowMs);
      this.rtcp.setRemote({ address: params.remoteAddress, port: params.remoteRtcpPort ?? params.remotePort + 1 }, nowMs);
    }
  }

  private send(header: ReturnType<RtpSender['next']>, payloadLength: number, nowMs: number): void {
    const buf = this.sendBuffers[this.sendIndex] as Uint8Array;
    this.sendIndex = (this.sendIndex + 1) % SEND_BUFFERS;
    let len = writeRtp(header, this.payload.subarray(0, payloadLength), buf);
    if (this.srtp) len = this.srtp.protectRtp(buf, len);
    if (len === 0) return;
    const to = this.latch.remote;
    this.deps.transport.sendRtp(buf, len, to.port, to.address);
    if (!Number.isNaN(this.lastSendMs)) this.maxSendGapMs = Math.max(this.maxSendGapMs, nowMs - this.lastSendMs);
    this.lastSendMs = nowMs;
    this.rtcp.noteSent();
  }

  private sendRtcpPacket(buf: Uint8Array, len: number): void {
    const to = this.rtcp.remote;
    if (!this.srtp) return this.deps.transport.sendRtcp(buf, len, to.port, to.address);
    // RFC 3711 §3.4: SRTCP, in a buffer of its own (a few packets a second).
    const out = this.srtp.protectRtcp(buf, len);
    if (out) this.deps.transport.sendRtcp(out, out.length, to.port, to.address);
  }

  private rtcpState() {
    return {
      sender: this.sender,
      receiver: this.remoteSsrc === null ? null : this.receiver,
      remoteSsrc: this.remoteSsrc,
      ...(this.params.xrVoipMetrics ? { voipMetrics: () => this.voipMetrics() } : {}),
    };
  }

  /** RFC 3611 §4.7: our VoIP Metrics block about the peer's stream; null before it sent anything. */
  private voipMetrics(): VoipMetricsBlock | null {
    if (this.remoteSsrc === null) return null;
    return this.xr.block(this.remoteSsrc, this.measurements(), this.jitter.stats.targetDelayMs, this.cnActive ? this.cn.lastLevel : undefined);
  }

  private dtxOn(): boolean {
    return this.params.silenceSuppression === true && this.params.comfortNoisePayloadType !== undefined;
  }

  private isComfortNoise(payloadType: number): boolean {
    return payloadType === this.params.comfortNoisePayloadType && !this.decoders.has(payloadType);
  }

  /**
   * A silent packet's worth with DTX on: nothing, or a SID (RFC 3389 §4: its timestamp is the start of
   * the noise period, no marker bit). The next speech packet starts a talkspurt (RFC 3551 §4.1: marker).
   */
  private sendSilence(d: DtxDecision, samples: number, nowMs: number): void {
    this.cn.suppressed++;
    if (d.kind === 'sid') {
      const n = writeComfortNoise({ level: d.level, coefficients: [] }, this.payload);
      const header = this.sender.nextWithTimestamp(this.params.comfortNoisePayloadType ?? CN_PAYLOAD_TYPE, this.sender.timestamp, false, n);
      this.send(header, n, nowMs);
      this.cn.sent++;
    }
    this.sender.advanceTimestamp(samples);
    this.sender.resumeAfterSilence();
    this.lastSendMs = Number.NaN; // the pause is intended: not a send gap
  }

  /** `n` samples of comfort noise to the speaker (through the PLC, whose history it then is). */
  private playNoise(n: number): void {
    this.noise.fill(this.decoded, n);
    this.plc.good(this.decoded, n);
    this.playFifo.push(this.decoded, n);
  }

  private newRemoteSource(ssrc: number): void {
    if (this.remoteSsrc !== null) {
      this.prior.received += this.receiver.packetsReceived;
      this.prior.lost += this.receiver.packetsLost;
      this.prior.duplicates += this.receiver.duplicates;
      this.receiver = new RtpReceiverStats(this.clockRate);
      this.playout.reset();
    }
    this.remoteSsrc = ssrc;
  }

  /**
   * Packet loss concealment for one missing packet: G.711 Appendix I (pitch-period repetition, fading
   * from 10 ms on, silent after 60 ms), which replaced repeating the last frame with a fade (issue 13).
   */
  private conceal(): void {
    const n = Math.min(MAX_DECODED, this.lastFrameSamples || Math.round((this.jitter.packetSamples * this.rate) / this.clockRate));
    if (this.heardAudio) this.countRun(true);
    this.concealOne(n);
  }

  /** The buffer waits for a late packet (stretch mode): concealed like a loss, but no packet was lost. */
  private concealWait(): void {
    this.concealOne(Math.min(MAX_DECODED, this.lastFrameSamples || Math.round((this.jitter.packetSamples * this.rate) / this.clockRate)));
  }

  /** n samples of concealment: the codec's own (Opus FEC or PLC) where it has one, else G.711 Appendix I. */
  private concealOne(n: number): void {
    const own = this.lastDecoder?.conceal && this.lastDecoder.sampleRate === this.rate ? this.lastDecoder : null;
    const next = own?.recover ? this.jitter.peekNext() : null;
    if (own && next && this.decoders.get(next.payloadType) === own && own.recover?.(next.payload, this.decoded, n) === n) {
      // Opus: the lost frame rebuilt from the next packet's in-band FEC (RFC 7587 §3.3), not guessed.
      this.fecRecovered++;
    } else if (own?.conceal) {
      this.decoded.fill(0, 0, n); // whatever the codec's concealment does not fill stays silent
      own.conceal(this.decoded, n);
    } else this.plc.conceal(this.decoded, n);
    this.playout.queue(this.decoded, n);
    if (this.heardAudio) this.concealedMs += (n * 1000) / this.rate;
  }

  /**
   * Issue 13: the call's audio runs at the send codec's rate. Frames, concealment, in-band keys and the
   * devices follow a change (a re-INVITE from G.711 to G.722); audio queued at the old rate is dropped.
   */
  private setRate(rate: number, clockRate: number): void {
    this.rtpPerFrame = clockRate / 50;
    const clockChanged = clockRate !== this.clockRate;
    if (clockChanged) {
      // Opus (48000) and G.711/G.722 (8000) count time differently: the buffer and statistics start over.
      this.clockRate = clockRate;
      this.jitter = newJitterBuffer(clockRate, this.jitterAdapt);
      this.receiver = new RtpReceiverStats(clockRate);
      this.remoteSsrc = null;
    }
    const changed = rate !== this.rate;
    // The stretcher works in the call's samples and talks to the buffer in its RTP units.
    if (changed || clockChanged) this.playout = new StretchedPlayout(this.jitter, this.playFifo, rate, MAX_DECODED, clockRate);
    if (!changed && this.micFrame.length === frameSamplesAt(rate)) return;
    this.rate = rate;
    this.frameSamples = frameSamplesAt(rate);
    this.micFrame = new Int16Array(this.frameSamples);
    this.outFrame = new Int16Array(this.frameSamples);
    this.bridge.setRate(rate);
    if (changed) {
      this.plc = new G711Plc(rate);
      this.inband = new InbandDtmf(rate);
      this.playFifo.clear();
      this.lastFrameSamples = 0;
    }
    // Devices that can run at the call's rate do (a WAV being recorded, issue 13); the others are resampled.
    this.input.setSampleRate?.(rate);
    this.output.setSampleRate?.(rate);
    this.tap?.setSampleRate?.(rate);
  }

  private countRun(lost: boolean): void {
    this.xr.observe(lost);
    if (lost) this.runs.lost++;
    else this.runs.received++;
    if (lost && !this.lastWasLost && this.runs.received > 0) this.runs.receivedThenLost++;
    if (!lost && this.lastWasLost) this.runs.lostThenReceived++;
    this.lastWasLost = lost;
  }

  private watch(device: AudioInput | AudioOutput, kind: 'input' | 'output'): void {
    device.onError = (err) => {
      if (this.closed) return;
      this.emit('error', { message: err.message });
      // The call goes on with silence; the failed device is released in the background.
      if (kind === 'input') this.input = new NullInput();
      else this.output = new NullOutput();
      device.close().catch(() => {});
    };
  }

  /** Lost frames decoded through the next packet's in-band FEC (Opus, RFC 7587 §3.3). */
  get fecRecoveries(): number {
    return this.fecRecovered;
  }

  /** The devices in use now (a failed one has been replaced by a null device). */
  get devices(): { input: AudioInput; output: AudioOutput } {
    return { input: this.input, output: this.output };
  }
}
