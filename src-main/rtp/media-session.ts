// The boundary between SIP and media (after sipsorcery's IMediaSession): SIP negotiates SDP and hands
// the result here as plain parameters; media never sees SIP or SDP text.

import type { RingtoneChoice } from '../audio/ringtone';
import type { AudioConfig } from '../audio/audio-config';
import type { IceCandidate } from '../nat/ice-candidate';
import type { SrtpSuite } from './srtp-crypto';
import type { SrtpParams } from './srtp-session';
import type { VoipMetricsView } from './xr-voip-metrics';

/** SDP encoding names (upper case) of the codecs we implement; G722 (16 kHz audio) and OPUS (48 kHz) are wideband (issue 13). */
export type CodecName = 'PCMU' | 'PCMA' | 'G722' | 'OPUS';

export interface MediaEndpoint {
  /** Address the RTP socket is bound to (0.0.0.0 when bound to all). */
  address: string;
  rtpPort: number;
  /** RFC 3550 §11: RTCP on the next higher port. */
  rtcpPort: number;
  /** With ICE on: our credentials and gathered candidates (host, srflx, relay) for the SDP (RFC 8839). */
  ice?: LocalIceParameters;
  /** With a STUN server: the public mapping (srflx) of the RTP/RTCP sockets, when it differs from theirs. */
  mapped?: { address: string; rtpPort: number; rtcpPort: number };
}

/** Our side of ICE: the ufrag/pwd and the candidates of component 1 (RTP) and 2 (RTCP). */
export interface LocalIceParameters {
  ufrag: string;
  pwd: string;
  candidates: IceCandidate[];
}

/** The peer's side of ICE, from its SDP, and the role we take (RFC 8445 §6.1.1: the offerer controls). */
export interface RemoteIceParameters {
  ufrag: string;
  pwd: string;
  candidates: IceCandidate[];
  role: 'controlling' | 'controlled';
  /** The peer is an ICE-lite agent (RFC 8445 §2.5). */
  lite?: boolean;
}

export type IceCandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** Which candidate pair carries the media (the selected pair, or the best valid one before nomination). */
export interface IceStats {
  /** new, checking, connected, completed, failed, closed; "unused" when the peer did not do ICE. */
  state: string;
  /** The TURN relay stopped working after it was allocated (e.g. "437 Allocation Mismatch" on Refresh). */
  relayProblem?: string;
  selectedPair?: {
    local: { type: IceCandidateType; address: string; port: number };
    remote: { type: IceCandidateType; address: string; port: number };
  };
}

/** An audio format the peer may send us: its payload type in this session and the codec behind it. */
export interface ReceiveCodec {
  payloadType: number;
  codec: CodecName;
}

export interface MediaStartParams {
  remoteAddress: string;
  remotePort: number;
  /** Defaults to remotePort + 1 (RFC 3550 §11) unless the SDP had a=rtcp (RFC 3605). */
  remoteRtcpPort?: number;
  /** What we send with. */
  codec: CodecName;
  payloadType: number;
  /**
   * Every audio format of the negotiated answer, which the peer may send and switch between mid-call
   * (RFC 3264 §6.1/§7). Absent: only `payloadType` is played.
   */
  receiveCodecs?: ReceiveCodec[];
  /** RFC 4733 payload type the peer accepts, if any. */
  telephoneEventPayloadType?: number;
  /** Packetisation time in ms (20 by default). */
  ptime: number;
  /** RFC 7587 §6.1: the peer asked for Opus DTX (usedtx=1): our encoder stops sending in silence. */
  sendDtx?: boolean;
  /** Symmetric RTP (RFC 4961): latch onto the source of the peer's packets. Default true. */
  symmetric?: boolean;
  /** a=sendrecv/sendonly/recvonly/inactive as negotiated; default sendrecv. */
  direction?: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
  /** Both sides do ICE: media goes on the pair ICE selects instead of remoteAddress/latching. */
  ice?: RemoteIceParameters;
  /** SRTP with the SDES keys of the offer/answer (RFC 4568); absent = plain RTP. */
  srtp?: SrtpParams;
  /** RFC 3389: the comfort noise payload type of the answer (CN/8000); absent = CN not agreed. */
  comfortNoisePayloadType?: number;
  /**
   * Our silence suppression (the user's comfort noise preference): during silence no audio is sent,
   * only CN packets. Used only with `comfortNoisePayloadType` (the peer accepted CN).
   */
  silenceSuppression?: boolean;
  /** RFC 3611 §5.1: both sides asked for VoIP Metrics report blocks (a=rtcp-xr:voip-metrics). */
  xrVoipMetrics?: boolean;
}

export interface RtpStats {
  codec: CodecName | null;
  packetsSent: number;
  octetsSent: number;
  packetsReceived: number;
  octetsReceived: number;
  /** RFC 3550 A.3 cumulative loss. */
  packetsLost: number;
  duplicates: number;
  /** Arrived after their play-out time and were dropped. */
  late: number;
  /**
   * Milliseconds played that were not received audio (loss concealment, or silence because nothing
   * was ready), counted once received audio has started: the gaps a listener hears.
   */
  concealedMs?: number;
  /** RFC 3550 A.8 interarrival jitter, in ms. */
  jitterMs: number;
  /** Where our RTP goes now, after symmetric latching ("addr:port"), or null before start. */
  remote: string | null;
  /** Largest gap between two of our sent packets, in ms (measured in the media thread). */
  maxSendGapMs: number;
  /** Datagrams dropped on the RTP/RTCP ports: malformed, wrong payload type, or from a stranger. */
  discarded?: number;
  /** RTCP packets accepted from the peer (they too show that its media reaches us). */
  rtcpReceived?: number;
  /** RTCP round-trip time in ms (RFC 3550 §6.4.1), once the peer has reported on one of our SRs. */
  roundTripMs?: number;
  /** ICE state and the candidate pair that carried the media (sessions opened with ICE on). */
  ice?: IceStats;
  /**
   * Issue 13: ITU-T G.107 E-model score of the received audio (loss and discards, BurstR, RTT / 2 +
   * jitter buffer + packet time): R 0..100 and MOS 1..4.5. Absent until a packet has arrived.
   */
  quality?: { r: number; mos: number; peer?: VoipMetricsView };
  /**
   * RFC 3389 comfort noise: CN packets sent (silence descriptors) and received, speech packets not sent
   * because of silence, and the last noise level received (-dBov). Present when CN was agreed.
   */
  comfortNoise?: { sent: number; received: number; suppressed: number; lastLevel?: number };
  /**
   * RFC 3611 VoIP Metrics (XR agreed): the last block we sent (our view of the peer's audio), the last
   * the peer sent about ours (also in quality.peer), and XR blocks dropped as malformed or not ours.
   */
  xr?: { sent?: VoipMetricsView; received?: VoipMetricsView; dropped: number };
  /**
   * SRTP sessions: the suite, and the packets dropped because they failed authentication (wrong key,
   * tampered, a stranger) or were replays (RFC 3711 §3.3); both are in `discarded` too.
   */
  srtp?: { suite: SrtpSuite; authFailures: number; replayed: number };
  /** Issue 13: the receive jitter buffer's play-out delay and how it adapts (see JitterBufferReport). */
  jitterBuffer?: JitterBufferReport;
}

/**
 * The delay the receive jitter buffer adds: audio queued ahead of the speaker (packets waiting plus
 * the decoded residue of a stretched frame), now and averaged over the call since audio started; the
 * delay it aims for; how much play-out it lengthened (delay added) and shortened (given back); and
 * whether it does so by time-stretching ('stretch') or whole frames ('frame'). The 3.75 ms of the loss
 * concealment's look-back come on top.
 */
export interface JitterBufferReport {
  mode: 'stretch' | 'frame';
  delayMs: number;
  meanDelayMs: number;
  targetMs: number;
  grownMs: number;
  shrunkMs: number;
}

export interface MediaSessionEvents {
  error: { message: string };
  /** Peak levels 0..1 of the microphone and of what is played, at <= 10 Hz. */
  level: { input: number; output: number };
  /** Symmetric RTP latched onto a new source. */
  latched: { address: string; port: number };
  /** The media thread's periodic statistics (every 500 ms while the stream runs). */
  stats: RtpStats;
  /** The peer pressed a key, sent as an RFC 4733 event. */
  dtmf: { digit: string };
}

/** How the media sends keys: RFC 4733 events, or tone pairs mixed into the audio (in-band). */
export type DtmfMediaMode = 'rfc4733' | 'inband';

export interface MediaSession {
  /** The address open() will bind RTP to, known before it runs: which IP families an offer may use is decided before ringing. */
  readonly bindAddress?: string;
  /** Binds the RTP/RTCP sockets (in the media thread) and returns where the peer should send. */
  open(): Promise<MediaEndpoint>;
  /** Starts sending and receiving with the negotiated parameters. */
  start(params: MediaStartParams): Promise<void>;
  /** Changes the remote side or codec of a running session (re-INVITE, UPDATE). */
  update(params: MediaStartParams): Promise<void>;
  /** RFC 4733 events (0-9 * # A-D; nothing if the peer has no telephone-event), or in-band tones. */
  sendDtmf(digits: string, durationMs?: number, mode?: DtmfMediaMode): void;
  setMuted(muted: boolean): void;
  /**
   * Conference (issue 11): adds what `other`'s peer says to what this session sends (null stops).
   * False when the two cannot be mixed (not both open in the same engine). Optional for test doubles.
   */
  mixWith?(other: MediaSession | null): boolean;
  /**
   * Records the call from now on to a stereo WAV at `path` (left = what we send, right = what we hear;
   * written off the real-time path), or stops with null; rejects if the file cannot be written.
   * Optional: engines without it cannot record.
   */
  record?(path: string | null): Promise<void>;
  /** Changes the microphone and speaker volume (gains 0..4) of a running call (issue 11). Optional. */
  setGain?(input: number, output: number): void;
  stats(): Promise<RtpStats>;
  /** Stops media, closes devices (finishing the WAV recording) and sockets; returns the final stats. */
  close(): Promise<RtpStats>;
  on<K extends keyof MediaSessionEvents>(event: K, listener: (payload: MediaSessionEvents[K]) => void): () => void;
}

export interface MediaSessionOptions {
  audio: AudioConfig;
  /** Local address to bind RTP to; default 0.0.0.0. */
  bindAddress?: string;
  /** RTP port range (even ports; RTCP takes the next one). Default 10000-20000. */
  portMin?: number;
  portMax?: number;
  /** STUN / TURN / ICE for the media (issue 4); absent = plain RTP with symmetric latching. */
  nat?: MediaNatOptions;
  /** Microphone and speaker volume as gains 0..4 (issue 11); absent = 1 (unchanged). */
  gain?: { input: number; output: number };
  /** An incoming call: a ringtone on this session's output device until start() or close() (issue 11). */
  ringtone?: boolean;
  /** How the jitter buffer changes its delay (issue 13): time-stretch (default) or whole frames (the old way, for comparison). */
  jitterAdapt?: 'stretch' | 'frame';
  /** Issue 11: which ringtone (a built-in one or a WAV file); absent = the classic double ring. */
  ringtoneSound?: RingtoneChoice;
}

/** A server given by the user: a host name or IP literal, and a UDP port. */
export interface NatServer {
  host: string;
  port: number;
}

export interface MediaNatOptions {
  /** ICE (RFC 8445) with the peers that do it; off by default. */
  ice: boolean;
  /** STUN server: srflx candidates (with ICE) or the public mapping put in the SDP (without). */
  stun?: NatServer;
  /** TURN server with long-term credentials (RFC 8656): relay candidates; used with ICE only. */
  turn?: NatServer & { username: string; password: string };
}

export type MediaSessionFactory = (options: MediaSessionOptions) => MediaSession;
