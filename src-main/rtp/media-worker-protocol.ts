// Messages between the main-thread MediaSession proxy and the media worker, with validation of both
// directions (a worker message is data from another thread; a bad one is reported, never acted on).

import type { AudioConfig, AudioDeviceInfo } from '../audio/audio-config';
import { MAX_RING_DEVICE_NAME } from '../audio/ring-device';
import { isBuiltinRingtone, type RingtoneChoice } from '../audio/ringtone';
import type { CodecName, MediaEndpoint, MediaNatOptions, MediaStartParams, ReceiveCodec, RtpStats } from './media-session';
import { checkEndpointNat, checkIceStats, checkNatOptions, checkRemoteIce } from './media-nat-protocol';
import { decodeMasterKey, isSrtpSuite, type SrtpParams } from './srtp-session';

export interface WorkerOpenOptions {
  audio: AudioConfig;
  bindAddress: string;
  portMin: number;
  portMax: number;
  /** STUN/TURN/ICE (issue 4); absent = plain RTP. */
  nat?: MediaNatOptions;
  /** Microphone and speaker volume as gains (issue 11); absent = 1. */
  gain?: { input: number; output: number };
  /** An incoming call: ring on its output device until the media starts or the session closes (issue 11). */
  ringtone?: boolean;
  /** Jitter buffer adaptation (issue 13); absent = 'stretch'. */
  jitterAdapt?: 'stretch' | 'frame';
  /** Which ringtone (issue 11); absent = the classic ring. A file that cannot be played falls back to it. */
  ringtoneSound?: RingtoneChoice;
}

/** Main thread -> worker. `req` numbers the requests that get an answer. */
export type ToWorker =
  | { type: 'open'; session: number; req: number; options: WorkerOpenOptions }
  | { type: 'start'; session: number; req: number; params: MediaStartParams }
  | { type: 'update'; session: number; req: number; params: MediaStartParams }
  /** inband: tone pairs in the audio instead of RFC 4733 events. */
  | { type: 'dtmf'; session: number; digits: string; durationMs: number; inband?: boolean }
  | { type: 'mute'; session: number; muted: boolean }
  /** Microphone and speaker volume of this call, as gains 0..4 (issue 11). */
  | { type: 'gain'; session: number; input: number; output: number }
  /** Records the call to a stereo WAV at `path` (left = sent, right = heard), or stops with null (issue 11). */
  | { type: 'record'; session: number; req: number; path: string | null }
  /** Level meters wanted or not: 'level' messages are only posted while someone listens. */
  | { type: 'levels'; session: number; enabled: boolean }
  /** Conference (issue 11): add session `with`'s heard audio to what this one sends; 0 stops. */
  | { type: 'mix'; session: number; with: number }
  | { type: 'stats'; session: number; req: number }
  | { type: 'close'; session: number; req: number }
  /** Sound devices, listed where PortAudio lives (session is 0: not about a call). */
  | { type: 'devices'; session: number; req: number };

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';

/** Worker -> main thread. */
export type FromWorker =
  | { type: 'opened'; req: number; endpoint: MediaEndpoint }
  | { type: 'done'; req: number }
  | { type: 'stats'; req: number; stats: RtpStats }
  | { type: 'devices'; req: number; devices: AudioDeviceInfo[] }
  | { type: 'failed'; req: number; message: string }
  | { type: 'error'; session: number; message: string }
  | { type: 'level'; session: number; input: number; output: number }
  | { type: 'latched'; session: number; address: string; port: number }
  /** The peer pressed a key (RFC 4733 event). */
  | { type: 'dtmf'; session: number; digit: string }
  /** Periodic stats push, so a crashed worker still leaves the proxy recent numbers for close(). */
  | { type: 'snapshot'; session: number; stats: RtpStats }
  | { type: 'log'; level: LogLevelName; scope: string; msg: string; data?: Record<string, unknown> };

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

type Obj = Record<string, unknown>;

const codecs: readonly CodecName[] = ['PCMU', 'PCMA', 'G722', 'OPUS'];
const directions = ['sendrecv', 'sendonly', 'recvonly', 'inactive'] as const;
const levels: readonly LogLevelName[] = ['debug', 'info', 'warn', 'error'];
/** RFC 4733 §3.2 events we can send: 0-9 * # A-D (case-insensitive), plus ',' as a 500 ms pause. */
export const DTMF_DIGITS = /^[0-9*#A-Da-d,]*$/;

function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
function isInt(x: unknown, min: number, max: number): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
}
function isNum(x: unknown, min: number, max: number): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= min && x <= max;
}
function isStr(x: unknown, maxLen = 4096): x is string {
  return typeof x === 'string' && x.length <= maxLen;
}
function isOptional<T>(x: unknown, check: (v: unknown) => v is T): boolean {
  return x === undefined || check(x);
}
const isPort = (x: unknown): x is number => isInt(x, 1, 65535);
const isPt = (x: unknown): x is number => isInt(x, 0, 127);
const isBool = (x: unknown): x is boolean => typeof x === 'boolean';
const isSeq = (x: unknown): x is number => isInt(x, 0, Number.MAX_SAFE_INTEGER);

/** A host for UDP: an IPv4/IPv6 literal or a name, no spaces or control characters. */
function isHost(x: unknown): x is string {
  return isStr(x, 255) && x.length > 0 && /^[A-Za-z0-9.:_%\-[\]]+$/.test(x);
}

/** At most a handful of audio formats in an answer; more is not a real session. */
const MAX_RECEIVE_CODECS = 16;

/** The answer's audio formats: distinct payload types 0-127, each a codec we implement. */
function checkReceiveCodecs(x: unknown): Checked<ReceiveCodec[]> {
  if (!Array.isArray(x) || x.length > MAX_RECEIVE_CODECS) return { ok: false, error: 'bad receiveCodecs: not a short list' };
  const out: ReceiveCodec[] = [];
  for (const r of x as unknown[]) {
    if (!isObj(r) || !isPt(r.payloadType) || !codecs.includes(r.codec as CodecName)) {
      return { ok: false, error: `bad receiveCodecs entry: ${JSON.stringify(r)}` };
    }
    if (out.some((o) => o.payloadType === r.payloadType)) return { ok: false, error: `bad receiveCodecs: payload type ${r.payloadType} twice` };
    out.push({ payloadType: r.payloadType, codec: r.codec as CodecName });
  }
  return { ok: true, value: out };
}

export function checkStartParams(x: unknown): Checked<MediaStartParams> {
  if (!isObj(x)) return { ok: false, error: 'start params must be an object' };
  if (!isHost(x.remoteAddress)) return { ok: false, error: `bad remoteAddress: ${String(x.remoteAddress)}` };
  if (!isPort(x.remotePort)) return { ok: false, error: `bad remotePort: ${String(x.remotePort)}` };
  if (!isOptional(x.remoteRtcpPort, isPort)) return { ok: false, error: `bad remoteRtcpPort: ${String(x.remoteRtcpPort)}` };
  if (!codecs.includes(x.codec as CodecName)) return { ok: false, error: `unsupported codec: ${String(x.codec)}` };
  if (!isPt(x.payloadType)) return { ok: false, error: `bad payloadType: ${String(x.payloadType)}` };
  if (!isOptional(x.telephoneEventPayloadType, isPt)) {
    return { ok: false, error: `bad telephoneEventPayloadType: ${String(x.telephoneEventPayloadType)}` };
  }
  // RFC 4566 §6: ptime is in ms; anything outside 10..200 is not a usable G.711 packetisation.
  if (!isInt(x.ptime, 10, 200)) return { ok: false, error: `bad ptime: ${String(x.ptime)}` };
  if (!isOptional(x.symmetric, isBool)) return { ok: false, error: 'symmetric must be a boolean' };
  if (x.direction !== undefined && !directions.includes(x.direction as (typeof directions)[number])) {
    return { ok: false, error: `bad direction: ${String(x.direction)}` };
  }
  const p: MediaStartParams = {
    remoteAddress: x.remoteAddress,
    remotePort: x.remotePort,
    codec: x.codec as CodecName,
    payloadType: x.payloadType,
    ptime: x.ptime,
  };
  if (x.remoteRtcpPort !== undefined) p.remoteRtcpPort = x.remoteRtcpPort as number;
  if (x.receiveCodecs !== undefined) {
    const r = checkReceiveCodecs(x.receiveCodecs);
    if (!r.ok) return r;
    p.receiveCodecs = r.value;
  }
  if (x.telephoneEventPayloadType !== undefined) p.telephoneEventPayloadType = x.telephoneEventPayloadType as number;
  if (x.symmetric !== undefined) p.symmetric = x.symmetric as boolean;
  if (!isOptional(x.sendDtx, isBool)) return { ok: false, error: 'sendDtx must be a boolean' };
  if (x.sendDtx === true) p.sendDtx = true;
  if (x.direction !== undefined) p.direction = x.direction as MediaStartParams['direction'];
  if (x.ice !== undefined) {
    const ice = checkRemoteIce(x.ice);
    if (!ice.ok) return { ok: false, error: `bad ice: ${ice.error}` };
    p.ice = ice.value;
  }
  if (x.srtp !== undefined) {
    const srtp = checkSrtp(x.srtp);
    if (!srtp.ok) return srtp;
    p.srtp = srtp.value;
  }
  // RFC 3389 comfort noise and RFC 3611 XR (issue 13).
  if (!isOptional(x.comfortNoisePayloadType, isPt) || !isOptional(x.silenceSuppression, isBool) || !isOptional(x.xrVoipMetrics, isBool)) {
    return { ok: false, error: 'bad comfortNoisePayloadType/silenceSuppression/xrVoipMetrics' };
  }
  if (x.comfortNoisePayloadType !== undefined) p.comfortNoisePayloadType = x.comfortNoisePayloadType as number;
  if (x.silenceSuppression !== undefined) p.silenceSuppression = x.silenceSuppression as boolean;
  if (x.xrVoipMetrics !== undefined) p.xrVoipMetrics = x.xrVoipMetrics as boolean;
  return { ok: true, value: p };
}

/** SRTP parameters: a suite we implement and two 30-octet base64 keys (the key never appears in the error). */
function checkSrtp(x: unknown): Checked<SrtpParams> {
  if (!isObj(x) || !isSrtpSuite(x.suite)) return { ok: false, error: 'bad srtp: unknown suite' };
  if (!isStr(x.localKey, 64) || !decodeMasterKey(x.localKey) || !isStr(x.remoteKey, 64) || !decodeMasterKey(x.remoteKey)) {
    return { ok: false, error: 'bad srtp: a key is not 30 octets of base64' };
  }
  const value: SrtpParams = { suite: x.suite, localKey: x.localKey, remoteKey: x.remoteKey };
  if (x.remoteMki !== undefined) {
    const mki = x.remoteMki;
    if (!isObj(mki) || !isInt(mki.length, 1, 4) || !isInt(mki.value, 0, 2 ** (8 * mki.length) - 1)) return { ok: false, error: 'bad srtp: MKI' };
    value.remoteMki = { value: mki.value, length: mki.length };
  }
  return { ok: true, value };
}

export function checkAudioConfig(x: unknown): Checked<AudioConfig> {
  if (!isObj(x)) return { ok: false, error: 'audio config must be an object' };
  switch (x.kind) {
    case 'null':
      return { ok: true, value: { kind: 'null' } };
    case 'file': {
      if (!isOptional(x.play, isStr) || !isOptional(x.record, isStr) || !isOptional(x.loop, isBool)) {
        return { ok: false, error: 'file audio: play/record must be paths, loop a boolean' };
      }
      const v: AudioConfig = { kind: 'file' };
      if (x.play !== undefined) v.play = x.play as string;
      if (x.record !== undefined) v.record = x.record as string;
      if (x.loop !== undefined) v.loop = x.loop as boolean;
      return { ok: true, value: v };
    }
    case 'portaudio': {
      const isId = (d: unknown): d is number => isInt(d, 0, 65535);
      if (!isOptional(x.inputDevice, isId) || !isOptional(x.outputDevice, isId)) {
        return { ok: false, error: 'portaudio audio: device ids must be non-negative integers' };
      }
      if (!isOptional(x.echoCancellation, isBool)) return { ok: false, error: 'portaudio audio: echoCancellation must be a boolean' };
      const isName = (n: unknown): n is string => typeof n === 'string' && n.length <= MAX_RING_DEVICE_NAME && ![...n].some((c) => c < ' ' || c === '\x7f');
      if (!isOptional(x.ringDevice, isName)) return { ok: false, error: 'portaudio audio: ringDevice must be a device name' };
      const v: AudioConfig = { kind: 'portaudio' };
      if (x.inputDevice !== undefined) v.inputDevice = x.inputDevice as number;
      if (x.outputDevice !== undefined) v.outputDevice = x.outputDevice as number;
      if (x.echoCancellation !== undefined) v.echoCancellation = x.echoCancellation as boolean;
      if (x.ringDevice !== undefined && x.ringDevice !== '') v.ringDevice = x.ringDevice as string;
      return { ok: true, value: v };
    }
    default:
      return { ok: false, error: `unknown audio kind: ${String(x.kind)}` };
  }
}

/** A built-in ringtone's name, or a WAV file's path (no control characters, at most 1024 characters). */
export function checkRingtoneChoice(x: unknown): Checked<RingtoneChoice> {
  if (isObj(x) && isBuiltinRingtone(x.name)) return { ok: true, value: { name: x.name } };
  if (isObj(x) && typeof x.file === 'string' && x.file.length > 0 && x.file.length <= 1024 && ![...x.file].some((c) => c < ' ' || c === '\x7f')) {
    return { ok: true, value: { file: x.file } };
  }
  return { ok: false, error: 'bad ringtoneSound: a built-in name or a WAV file path' };
}

export function checkOpenOptions(x: unknown): Checked<WorkerOpenOptions> {
  if (!isObj(x)) return { ok: false, error: 'open options must be an object' };
  const audio = checkAudioConfig(x.audio);
  if (!audio.ok) return audio;
  if (!isHost(x.bindAddress)) return { ok: false, error: `bad bindAddress: ${String(x.bindAddress)}` };
  if (!isInt(x.portMin, 1024, 65534) || !isInt(x.portMax, 1025, 65535) || x.portMax <= x.portMin) {
    return { ok: false, error: `bad RTP port range ${String(x.portMin)}-${String(x.portMax)} (need 1024 <= min < max <= 65535)` };
  }
  const value: WorkerOpenOptions = { audio: audio.value, bindAddress: x.bindAddress, portMin: x.portMin, portMax: x.portMax };
  if (x.nat !== undefined) {
    const nat = checkNatOptions(x.nat);
    if (!nat.ok) return nat;
    value.nat = nat.value;
  }
  if (x.ringtone !== undefined) {
    if (!isBool(x.ringtone)) return { ok: false, error: 'bad ringtone: not a boolean' };
    if (x.ringtone) value.ringtone = true;
  }
  if (x.ringtoneSound !== undefined) {
    const sound = checkRingtoneChoice(x.ringtoneSound);
    if (!sound.ok) return sound;
    value.ringtoneSound = sound.value;
  }
  if (x.gain !== undefined) {
    if (!isObj(x.gain) || !isNum(x.gain.input, 0, 4) || !isNum(x.gain.output, 0, 4)) return { ok: false, error: 'bad gain: input and output must be 0-4' };
    value.gain = { input: x.gain.input, output: x.gain.output };
  }
  if (x.jitterAdapt !== undefined) {
    if (x.jitterAdapt !== 'stretch' && x.jitterAdapt !== 'frame') return { ok: false, error: 'bad jitterAdapt: stretch or frame' };
    value.jitterAdapt = x.jitterAdapt;
  }
  return { ok: true, value };
}

export function checkToWorker(x: unknown): Checked<ToWorker> {
  if (!isObj(x) || !isSeq(x.session)) return { ok: false, error: 'message without a session id' };
  const session = x.session;
  const needReq = (): Checked<number> => (isSeq(x.req) ? { ok: true, value: x.req } : { ok: false, error: `${String(x.type)} without req` });
  switch (x.type) {
    case 'open': {
      const req = needReq();
      if (!req.ok) return req;
      const options = checkOpenOptions(x.options);
      return options.ok ? { ok: true, value: { type: 'open', session, req: req.value, options: options.value } } : options;
    }
    case 'start':
    case 'update': {
      const req = needReq();
      if (!req.ok) return req;
      const params = checkStartParams(x.params);
      return params.ok ? { ok: true, value: { type: x.type, session, req: req.value, params: params.value } } : params;
    }
    case 'dtmf':
      if (!isStr(x.digits, 256) || !DTMF_DIGITS.test(x.digits)) return { ok: false, error: `bad DTMF digits: ${String(x.digits)}` };
      if (!isInt(x.durationMs, 40, 5000)) return { ok: false, error: `bad DTMF duration: ${String(x.durationMs)}` };
      if (!isOptional(x.inband, isBool)) return { ok: false, error: 'dtmf inband is not a boolean' };
      return { ok: true, value: { type: 'dtmf', session, digits: x.digits, durationMs: x.durationMs, ...(x.inband === true ? { inband: true } : {}) } };
    case 'mute':
      if (!isBool(x.muted)) return { ok: false, error: 'mute without a boolean' };
      return { ok: true, value: { type: 'mute', session, muted: x.muted } };
    case 'mix':
      if (!isSeq(x.with) && x.with !== 0) return { ok: false, error: 'mix without a session number' };
      return { ok: true, value: { type: 'mix', session, with: x.with as number } };
    case 'levels':
      if (!isBool(x.enabled)) return { ok: false, error: 'levels without a boolean' };
      return { ok: true, value: { type: 'levels', session, enabled: x.enabled } };
    case 'gain':
      if (!isNum(x.input, 0, 4) || !isNum(x.output, 0, 4)) return { ok: false, error: 'bad gain: input and output must be 0-4' };
      return { ok: true, value: { type: 'gain', session, input: x.input, output: x.output } };
    case 'record': {
      const req = needReq();
      if (!req.ok) return req;
      const okPath = x.path === null || (isStr(x.path, 4096) && x.path.length > 0 && ![...x.path].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f));
      if (!okPath) return { ok: false, error: 'record needs a file path or null' };
      return { ok: true, value: { type: 'record', session, req: req.value, path: x.path as string | null } };
    }
    case 'stats':
    case 'close':
    case 'devices': {
      const req = needReq();
      return req.ok ? { ok: true, value: { type: x.type, session, req: req.value } } : req;
    }
    default:
      return { ok: false, error: `unknown message type: ${String(x.type)}` };
  }
}

export function checkStats(x: unknown): Checked<RtpStats> {
  if (!isObj(x)) return { ok: false, error: 'stats must be an object' };
  const counters = ['packetsSent', 'octetsSent', 'packetsReceived', 'octetsReceived', 'packetsLost', 'duplicates', 'late'] as const;
  for (const k of counters) {
    // packetsLost may go negative with duplicates (RFC 3550 §6.4.1), hence the signed lower bound.
    if (!isNum(x[k], -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) return { ok: false, error: `stats.${k} is not a number` };
  }
  if (!isNum(x.jitterMs, 0, Number.MAX_SAFE_INTEGER) || !isNum(x.maxSendGapMs, 0, Number.MAX_SAFE_INTEGER)) {
    return { ok: false, error: 'stats.jitterMs/maxSendGapMs must be numbers' };
  }
  if (x.codec !== null && !codecs.includes(x.codec as CodecName)) return { ok: false, error: 'stats.codec' };
  if (x.remote !== null && !isStr(x.remote, 300)) return { ok: false, error: 'stats.remote' };
  const isCount = (v: unknown): v is number => isNum(v, 0, Number.MAX_SAFE_INTEGER);
  if (!isOptional(x.discarded, isCount) || !isOptional(x.roundTripMs, isCount) || !isOptional(x.concealedMs, isCount) || !isOptional(x.rtcpReceived, isCount)) {
    return { ok: false, error: 'stats.discarded/roundTripMs/concealedMs/rtcpReceived' };
  }
  if (x.ice !== undefined && !checkIceStats(x.ice).ok) return { ok: false, error: 'stats.ice' };
  if (x.quality !== undefined && (!isObj(x.quality) || !isNum(x.quality.r, 0, 100) || !isNum(x.quality.mos, 1, 4.5))) return { ok: false, error: 'stats.quality' };
  if (x.srtp !== undefined && (!isObj(x.srtp) || !isSrtpSuite(x.srtp.suite) || !isCount(x.srtp.authFailures) || !isCount(x.srtp.replayed))) {
    return { ok: false, error: 'stats.srtp' };
  }
  if (x.jitterBuffer !== undefined) {
    const j = x.jitterBuffer;
    const isMs = (v: unknown): v is number => isNum(v, 0, 1e12);
    if (!isObj(j) || (j.mode !== 'stretch' && j.mode !== 'frame') || ![j.delayMs, j.meanDelayMs, j.targetMs, j.grownMs, j.shrunkMs].every(isMs)) {
      return { ok: false, error: 'stats.jitterBuffer' };
    }
  }
  return { ok: true, value: x as unknown as RtpStats };
}

export function checkFromWorker(x: unknown): Checked<FromWorker> {
  if (!isObj(x)) return { ok: false, error: 'worker message must be an object' };
  const bad = (what: string): Checked<FromWorker> => ({ ok: false, error: `bad ${String(x.type)} message: ${what}` });
  switch (x.type) {
    case 'opened': {
      const e = x.endpoint;
      if (!isSeq(x.req) || !isObj(e) || !isStr(e.address, 255) || !isPort(e.rtpPort) || !isPort(e.rtcpPort)) return bad('endpoint');
      const nat = checkEndpointNat(e);
      if (!nat.ok) return bad(nat.error);
      return { ok: true, value: { type: 'opened', req: x.req, endpoint: { address: e.address, rtpPort: e.rtpPort, rtcpPort: e.rtcpPort, ...nat.value } } };
    }
    case 'done':
      return isSeq(x.req) ? { ok: true, value: { type: 'done', req: x.req } } : bad('req');
    case 'stats': {
      if (!isSeq(x.req)) return bad('req');
      const s = checkStats(x.stats);
      return s.ok ? { ok: true, value: { type: 'stats', req: x.req, stats: s.value } } : s;
    }
    case 'devices': {
      if (!isSeq(x.req) || !Array.isArray(x.devices)) return bad('devices');
      const devices: AudioDeviceInfo[] = [];
      for (const d of x.devices as unknown[]) {
        if (!isObj(d) || !isInt(d.id, 0, 65535) || !isStr(d.name, 1000) || !isStr(d.hostApi, 200)) return bad('device');
        if (!isInt(d.maxInputChannels, 0, 1024) || !isInt(d.maxOutputChannels, 0, 1024) || !isNum(d.defaultSampleRate, 0, 1e7)) return bad('device channels/rate');
        devices.push({ id: d.id, name: d.name, hostApi: d.hostApi, maxInputChannels: d.maxInputChannels, maxOutputChannels: d.maxOutputChannels, defaultSampleRate: d.defaultSampleRate });
      }
      return { ok: true, value: { type: 'devices', req: x.req, devices } };
    }
    case 'failed':
      return isSeq(x.req) && isStr(x.message) ? { ok: true, value: { type: 'failed', req: x.req, message: x.message } } : bad('req/message');
    case 'error':
      return isSeq(x.session) && isStr(x.message) ? { ok: true, value: { type: 'error', session: x.session, message: x.message } } : bad('session/message');
    case 'level':
      if (!isSeq(x.session) || !isNum(x.input, 0, 1) || !isNum(x.output, 0, 1)) return bad('levels');
      return { ok: true, value: { type: 'level', session: x.session, input: x.input, output: x.output } };
    case 'latched':
      if (!isSeq(x.session) || !isHost(x.address) || !isPort(x.port)) return bad('address');
      return { ok: true, value: { type: 'latched', session: x.session, address: x.address, port: x.port } };
    case 'dtmf':
      if (!isSeq(x.session) || !isStr(x.digit, 1) || !/^[0-9*#A-D]$/.test(x.digit)) return bad('digit');
      return { ok: true, value: { type: 'dtmf', session: x.session, digit: x.digit } };
    case 'snapshot': {
      if (!isSeq(x.session)) return bad('session');
      const s = checkStats(x.stats);
      return s.ok ? { ok: true, value: { type: 'snapshot', session: x.session, stats: s.value } } : s;
    }
    case 'log': {
      if (!levels.includes(x.level as LogLevelName) || !isStr(x.scope, 200) || !isStr(x.msg)) return bad('fields');
      const value: FromWorker = { type: 'log', level: x.level as LogLevelName, scope: x.scope, msg: x.msg };
      if (isObj(x.data)) value.data = x.data;
      return { ok: true, value };
    }
    default:
      return { ok: false, error: `unknown worker message type: ${String(x.type)}` };
  }
}

/** Stats of a session that has not started (or whose worker never answered). */
export function emptyStats(): RtpStats {
  return {
    codec: null,
    packetsSent: 0,
    octetsSent: 0,
    packetsReceived: 0,
    octetsReceived: 0,
    packetsLost: 0,
    duplicates: 0,
    late: 0,
    jitterMs: 0,
    remote: null,
    maxSendGapMs: 0,
    discarded: 0,
  };
}
