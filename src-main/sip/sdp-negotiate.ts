// SDP offer/answer for one audio stream (G.711, G.722) (RFC 3264 over RFC 4566 SDP, parsed with sdp-transform);
// turns SDP into the MediaStartParams the media session needs. Pure.

import { parse, write } from 'sdp-transform';
import type { MediaDescription, SessionDescription } from 'sdp-transform';
import type { CodecName, LocalIceParameters, MediaStartParams } from '../rtp/media-session';
import { addIceMismatch, addLocalNatAttributes, readPeerIce, remoteIceParameters } from './sdp-ice';
import { ipFamilyOf, unreachableMediaReason, type IpFamily } from './media-family';
import { answerCryptoLine, cryptoForOffer, cryptoOfAnswer, offerCryptoLines, srtpParams } from './sdp-crypto';
import type { LocalSrtp } from './srtp-policy';
import { addComfortNoise, addVoipMetrics, CN_STATIC_PT, comfortNoiseOf, wantsVoipMetrics } from './sdp-cn-xr';
import { WIDEBAND_CODECS } from '../codec/codec-preference';
import { codecAvailable } from '../codec/codec-registry';
import { KNOWN_CODECS, codecOfFormat, formatLines, offerPayloadType, peerPrefersDtx } from './sdp-codecs';

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface LocalMediaOffer {
  /** IP to put in c= (and o=): the address the peer should send RTP to. */
  address: string;
  port: number;
  /** Preference order; empty means the default ['PCMU', 'PCMA'] (G722 only when listed). */
  codecs: CodecName[];
  /** Offer / accept RFC 4733 telephone-event/8000 (events 0-16, PT 101 in our offers). */
  telephoneEvent: boolean;
  /** Packetisation time in ms (20). */
  ptime: number;
  /** What we want; sendonly or inactive put the call on hold (RFC 3264 §8.4). Default sendrecv. */
  direction?: Direction;
  /** o= sess-id: numeric, stays the same for the whole session (RFC 4566 §5.2). */
  sessionId: string;
  /** o= sess-version: the caller increments it on every new offer/answer (RFC 3264 §8). */
  sessionVersion: number;
  username?: string;
  /** ICE on (RFC 8839): our ufrag/pwd/candidates; address/port above are then the default candidate. */
  ice?: LocalIceParameters;
  /** RFC 3605 a=rtcp, when RTCP is not on port + 1 of the c= address (e.g. a NAT's mapping). */
  rtcp?: { address: string; port: number };
  /**
   * The IP families our RTP socket can send to (media-family.ts reachableFamilies); a peer's c= of
   * another family is refused with a reason instead of failing every send. Absent: not checked.
   */
  families?: readonly IpFamily[];
  /** SRTP with SDES keys (RFC 4568): our mode and keys; absent = plain RTP only. */
  srtp?: LocalSrtp;
  /** RFC 3389: offer/accept CN/8000 and send comfort noise instead of silence (the user's preference). */
  comfortNoise?: boolean;
  /** RFC 3611 §5.1: offer/accept a=rtcp-xr:voip-metrics. */
  xrVoipMetrics?: boolean;
}

export type AnswerResult = { sdp: string; media: MediaStartParams } | { error: { status: 488; reason: string } };

const TELEPHONE_EVENT_PT = 101;
/** RFC 4733 §3.2: 0-15 are the DTMF digits and A-D, 16 is flash; we send and accept all of them. */
const SUPPORTED_EVENTS = { min: 0, max: 16 };
const DEFAULT_CODECS: CodecName[] = ['PCMU', 'PCMA'];
/** The SAVP profiles only with SRTP on (sdp-crypto.ts); DTLS-SRTP (UDP/TLS/RTP/SAVP) is not implemented. */
const SUPPORTED_PROTOCOLS = new Set(['RTP/AVP', 'RTP/AVPF', 'RTP/SAVP', 'RTP/SAVPF']);

function localCodecs(local: LocalMediaOffer): CodecName[] {
  // A codec this build cannot code (Opus without libopus) is not offered (codecAvailable warns once).
  const list = (local.codecs ?? []).filter((c) => KNOWN_CODECS.includes(c) && codecAvailable(c));
  return list.length > 0 ? [...new Set(list)] : DEFAULT_CODECS;
}

/** RFC 4566 §5.7 addrtype of our c=/o=: IP6 for an IPv6 address, else IP4. */
function ipVersion(address: string): 4 | 6 {
  return ipFamilyOf(address) === 6 ? 6 : 4;
}

function validPtime(ptime: unknown): number | undefined {
  // G.711 packets of 10-60 ms in 10 ms steps are what RTP media engines commonly handle.
  return typeof ptime === 'number' && Number.isInteger(ptime) && ptime >= 10 && ptime <= 60 && ptime % 10 === 0
    ? ptime
    : undefined;
}

function baseSession(local: LocalMediaOffer): SessionDescription {
  const v = ipVersion(local.address);
  const username = (local.username ?? '-').replace(/\s+/g, '') || '-';
  const sessionId = /^\d+$/.test(local.sessionId) ? local.sessionId : '0';
  return {
    version: 0,
    origin: { username, sessionId, sessionVersion: local.sessionVersion, netType: 'IN', ipVer: v, address: local.address },
    name: '-',
    connection: { version: v, ip: local.address },
    timing: { start: 0, stop: 0 },
    media: [],
  };
}

/** Our offer: m=audio with PCMU/PCMA in preference order, telephone-event on PT 101 (RFC 4733 §7). */
export function createOffer(local: LocalMediaOffer): string {
  const session = baseSession(local);
  const codecs = localCodecs(local);
  const m: MediaDescription = {
    type: 'audio',
    port: local.port,
    // RFC 4568: mandatory SRTP offers RTP/SAVP; optional offers RTP/AVP with a=crypto (best effort).
    protocol: local.srtp?.mode === 'mandatory' ? 'RTP/SAVP' : 'RTP/AVP',
    payloads: '',
    rtp: codecs.map((c) => formatLines(c, offerPayloadType(c)).rtp),
    fmtp: codecs.flatMap((c) => formatLines(c, offerPayloadType(c)).fmtp ?? []),
    ptime: validPtime(local.ptime) ?? 20,
    direction: local.direction ?? 'sendrecv',
  };
  if (local.telephoneEvent) {
    m.rtp.push({ payload: TELEPHONE_EVENT_PT, codec: 'telephone-event', rate: 8000 });
    m.fmtp.push({ payload: TELEPHONE_EVENT_PT, config: `${SUPPORTED_EVENTS.min}-${SUPPORTED_EVENTS.max}` });
  }
  if (local.comfortNoise) addComfortNoise(m, CN_STATIC_PT);
  if (local.xrVoipMetrics) addVoipMetrics(m);
  m.payloads = m.rtp.map((r) => r.payload).join(' ');
  if (local.srtp) m.crypto = offerCryptoLines(local.srtp);
  addLocalNatAttributes(m, local);
  session.media.push(m);
  return write(session);
}

interface ParsedSdp {
  session: SessionDescription;
  media: MediaDescription[];
}

/**
 * Bounds on what is parsed, found by fuzzing. sdp-transform tries ~60 regular expressions on each a=
 * line and its writer walks its whole grammar per m= line: a 48 KB body of 1,600 m= lines took ~200 ms
 * of main thread to answer. Real offers carry a few streams (audio, video, BFCP, text) and fewer than
 * 100 lines; 400 leaves room for hostile candidate lists (which sdp-ice.ts trims to 64) and bounds a
 * parse to a few ms. More than this is refused before parsing.
 */
const MAX_MEDIA = 16;
const MAX_LINES = 400;

/** sdp-transform never throws and skips what it cannot read, so the structure is checked here. */
function parseSdp(text: unknown): ParsedSdp | string {
  if (typeof text !== 'string' || text.trim() === '') return 'empty SDP';
  if (!/^v=0\s*$/.test(text.trimStart().split(/\r?\n/, 1)[0] ?? '')) return 'malformed SDP: it must start with v=0';
  if ((text.match(/\n/g)?.length ?? 0) > MAX_LINES) return `SDP not accepted: more than ${MAX_LINES} lines`;
  if ((text.match(/^m=/gm)?.length ?? 0) > MAX_MEDIA) return `SDP not accepted: more than ${MAX_MEDIA} m= lines`;
  let session: SessionDescription;
  try {
    session = parse(text);
  } catch {
    return 'malformed SDP';
  }
  const media = Array.isArray(session.media) ? session.media : [];
  if (media.length === 0) return 'malformed SDP: no m= line';
  for (const m of media) {
    if (typeof m.type !== 'string' || !Number.isInteger(m.port) || m.port < 0 || m.port > 65_535 || typeof m.protocol !== 'string') {
      return 'malformed SDP: unreadable m= line';
    }
  }
  return { session, media };
}

function payloadList(m: MediaDescription): number[] {
  return String(m.payloads ?? '')
    .trim()
    .split(/\s+/)
    .filter((p) => /^\d{1,3}$/.test(p))
    .map(Number)
    .filter((p) => p <= 127);
}

/** What codec a payload type stands for: its rtpmap, or the RFC 3551 static assignment. */
function codecOf(m: MediaDescription, pt: number): { name: string; rate: number; channels: number } | null {
  const map = (m.rtp ?? []).find((r) => r.payload === pt);
  if (map) return { name: String(map.codec).toUpperCase(), rate: map.rate ?? 0, channels: map.encoding ?? 1 };
  if (pt === 0) return { name: 'PCMU', rate: 8000, channels: 1 };
  if (pt === 8) return { name: 'PCMA', rate: 8000, channels: 1 };
  if (pt === 9) return { name: 'G722', rate: 8000, channels: 1 };
  return null;
}

/** Our codec behind a payload type, with the clock and channels it must have (sdp-codecs.ts). */
function knownCodecOf(m: MediaDescription, pt: number): CodecName | null {
  const c = codecOf(m, pt);
  return c ? codecOfFormat(c.name, c.rate, c.channels) : null;
}

/** RFC 7587 §6.1: send with DTX when we send Opus and the peer's fmtp for it says usedtx=1. */
function sendDtxOf(m: MediaDescription, pick: { pt: number; codec: CodecName }): { sendDtx?: true } {
  if (pick.codec !== 'OPUS') return {};
  return peerPrefersDtx((m.fmtp ?? []).find((f) => f.payload === pick.pt)?.config) ? { sendDtx: true } : {};
}

/**
 * The m= line's formats that are in `ours`, each payload type once: the wideband ones we enabled first
 * (in our order), then the others in the m= line's order. RFC 3264 §6.1 recommends the offer's order
 * "unless there is a specific reason"; a wideband codec both sides have enabled is one (issue 13).
 */
function commonFormats(m: MediaDescription, ours: CodecName[]): Array<{ pt: number; codec: CodecName }> {
  const out: Array<{ pt: number; codec: CodecName }> = [];
  for (const pt of payloadList(m)) {
    const codec = knownCodecOf(m, pt);
    if (codec !== null && ours.includes(codec) && !out.some((c) => c.pt === pt)) out.push({ pt, codec });
  }
  const wideRank = (c: CodecName) => (WIDEBAND_CODECS.includes(c) ? ours.indexOf(c) : Infinity);
  // Array.prototype.sort is stable: the narrowband formats keep the m= line's order.
  return out.sort((a, b) => {
    const ra = wideRank(a.codec);
    const rb = wideRank(b.codec);
    return ra === rb ? 0 : ra < rb ? -1 : 1;
  });
}

function describe(m: MediaDescription): string {
  const names = payloadList(m).map((pt) => {
    const c = codecOf(m, pt);
    return c ? `${c.name}/${c.rate}` : `PT ${pt}`;
  });
  return names.length > 0 ? names.join(', ') : 'none';
}

/**
 * RFC 4733 §2.4.1 event list ("0-15,16"); absent means 0-15. Returns the events we also support.
 * sdp-transform hands a config that looks like a number ("a=fmtp:101 15") over as a number, so it is
 * taken as unknown and read as text (issue 9: that valid offer was refused with 500).
 */
function eventsWeSupport(config: unknown): number[] {
  const events = new Set<number>();
  for (const part of String(config ?? '0-15').split(',')) {
    const r = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!r) continue;
    const lo = Number(r[1]);
    const hi = r[2] === undefined ? lo : Number(r[2]);
    for (let e = Math.max(lo, SUPPORTED_EVENTS.min); e <= Math.min(hi, SUPPORTED_EVENTS.max); e++) events.add(e);
  }
  return [...events].sort((a, b) => a - b);
}

function formatEvents(events: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < events.length; ) {
    let j = i;
    while (j + 1 < events.length && (events[j + 1] ?? -1) === (events[j] ?? -2) + 1) j++;
    parts.push(i === j ? `${events[i]}` : `${events[i]}-${events[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The peer's telephone-event/8000 payload type (ours must have the same clock as G.711). */
function telephoneEventOf(m: MediaDescription): { pt: number; events: number[] } | null {
  for (const pt of payloadList(m)) {
    const c = codecOf(m, pt);
    if (c && c.name === 'TELEPHONE-EVENT' && c.rate === 8000) {
      const events = eventsWeSupport((m.fmtp ?? []).find((f) => f.payload === pt)?.config);
      return events.length > 0 ? { pt, events } : null;
    }
  }
  return null;
}

function directionOf(session: SessionDescription, m: MediaDescription): Direction {
  return m.direction ?? session.direction ?? 'sendrecv';
}

/**
 * The c= address for a stream (media-level over session-level, RFC 4566 §5.7). sdp-transform turns a
 * number-looking address ("c=IN IP4 19840") into a number: anything but non-empty text without spaces
 * is no address at all (found by fuzzing: it reached the media session as the remote address).
 */
function connectionOf(session: SessionDescription, m: MediaDescription): string | undefined {
  const ip: unknown = m.connection?.ip ?? session.connection?.ip;
  return typeof ip === 'string' && ip !== '' && !/\s/.test(ip) ? ip : undefined;
}

/** RFC 2543-style hold: c=0.0.0.0 (or ::) means "do not send to me" (RFC 3264 §8.4 keeps it legal). */
function isNullAddress(ip: string | undefined): boolean {
  return ip === '0.0.0.0' || ip === '::';
}

/** Combines what the peer declared (from its side) with what we want (from ours). */
function ourDirection(peer: Direction, peerAddress: string | undefined, wanted: Direction): Direction {
  const peerSends = peer === 'sendrecv' || peer === 'sendonly';
  const peerReceives = (peer === 'sendrecv' || peer === 'recvonly') && !isNullAddress(peerAddress);
  const weSend = peerReceives && (wanted === 'sendrecv' || wanted === 'sendonly');
  const weReceive = peerSends && (wanted === 'sendrecv' || wanted === 'recvonly');
  if (weSend && weReceive) return 'sendrecv';
  if (weSend) return 'sendonly';
  if (weReceive) return 'recvonly';
  return 'inactive';
}

function ptimeOf(session: SessionDescription, m: MediaDescription): number | undefined {
  return validPtime(m.ptime) ?? validPtime((session as { ptime?: unknown }).ptime);
}

function rejected(m: MediaDescription): MediaDescription {
  // RFC 3264 §6: a rejected stream keeps its m= line, with port 0 and at least one format.
  const formats = String(m.payloads ?? '').trim().split(/\s+/)[0] || '0';
  return { type: m.type, port: 0, protocol: m.protocol, payloads: formats, rtp: [], fmtp: [] };
}

/**
 * Answers an offer (RFC 3264 §6): accepts the first usable audio stream with every offered codec we
 * support, in the offer's order (the first is what we send), plus telephone-event if offered; every
 * other m= line gets port 0. §6.1: the peer may then send any format of the answer, so all of them
 * are played (media `receiveCodecs`).
 */
export function createAnswer(offerSdp: string, local: LocalMediaOffer): AnswerResult {
  const parsed = parseSdp(offerSdp);
  if (typeof parsed === 'string') return { error: { status: 488, reason: parsed } };
  const { session, media } = parsed;
  const supported = localCodecs(local);
  const answer = baseSession(local);
  let accepted: MediaStartParams | null = null;
  let why = 'no audio stream offered';

  for (const [index, m] of media.entries()) {
    if (accepted || m.type !== 'audio' || m.port === 0) {
      answer.media.push(rejected(m));
      continue;
    }
    const crypto = SUPPORTED_PROTOCOLS.has(m.protocol.toUpperCase())
      ? cryptoForOffer(offerSdp, index, m.protocol, local.srtp)
      : { refuse: `audio transport ${m.protocol} is not supported (DTLS-SRTP is not implemented; RTP/AVP and SDES RTP/SAVP are)` };
    if ('refuse' in crypto) {
      why = crypto.refuse;
      answer.media.push(rejected(m));
      continue;
    }
    const common = commonFormats(m, supported);
    const pick = common[0];
    const remoteAddress = connectionOf(session, m);
    if (!pick) {
      why = `no common codec: offer has ${describe(m)}; we support ${supported.join(', ')}`;
      answer.media.push(rejected(m));
      continue;
    }
    if (remoteAddress === undefined) {
      why = 'malformed SDP: no c= line for the audio stream';
      answer.media.push(rejected(m));
      continue;
    }

    // RFC 8839 §4.2: ICE only if the offer does ICE too (and its c=/m= are among its candidates).
    const peer = local.ice ? readPeerIce(offerSdp, index, remoteAddress, m.port) : ({ kind: 'none' } as const);
    // Without ICE media goes to c=: an address of a family our socket cannot send to is refused (RFC
    // 3264 §6: port 0), so a later stream of the other family (RFC 4091 ANAT style) may still be taken.
    const unreachable = peer.kind === 'ice' ? null : unreachableMediaReason(remoteAddress, local.families ?? [4, 6]);
    if (unreachable !== null) {
      why = unreachable;
      answer.media.push(rejected(m));
      continue;
    }

    const te = local.telephoneEvent ? telephoneEventOf(m) : null;
    const cn = local.comfortNoise ? comfortNoiseOf(m, payloadList(m)) : undefined;
    const xr = local.xrVoipMetrics === true && wantsVoipMetrics(session, m);
    const ptime = ptimeOf(session, m) ?? validPtime(local.ptime) ?? 20;
    const direction = ourDirection(directionOf(session, m), remoteAddress, local.direction ?? 'sendrecv');
    const am: MediaDescription = {
      type: 'audio',
      port: local.port,
      protocol: m.protocol,
      payloads: [...common.map((c) => c.pt), ...(te ? [te.pt] : []), ...(cn !== undefined ? [cn] : [])].join(' '),
      rtp: common.map((c) => formatLines(c.codec, c.pt).rtp),
      fmtp: common.flatMap((c) => formatLines(c.codec, c.pt).fmtp ?? []),
      ptime,
      direction,
    };
    if (te) {
      am.rtp.push({ payload: te.pt, codec: 'telephone-event', rate: 8000 });
      am.fmtp.push({ payload: te.pt, config: formatEvents(te.events) });
    }
    if (cn !== undefined) addComfortNoise(am, cn);
    if (xr) addVoipMetrics(am);
    if (crypto.chosen && local.srtp) am.crypto = answerCryptoLine(local.srtp, crypto.chosen);
    answer.media.push(am);

    const receiveCodecs = common.map((c) => ({ payloadType: c.pt, codec: c.codec }));
    accepted = { remoteAddress, remotePort: m.port, codec: pick.codec, payloadType: pick.pt, receiveCodecs, ptime, direction, ...sendDtxOf(m, pick) };
    if (local.ice || local.rtcp) {
      if (peer.kind === 'ice') accepted.ice = remoteIceParameters(peer, false);
      if (peer.kind === 'mismatch') addIceMismatch(am);
      addLocalNatAttributes(am, peer.kind === 'ice' ? local : { ...local, ice: undefined });
    }
    // RFC 3605: a=rtcp overrides the default RTCP port (RTP port + 1, RFC 3550 §11).
    if (m.rtcp && Number.isInteger(m.rtcp.port) && m.rtcp.port > 0) accepted.remoteRtcpPort = m.rtcp.port;
    if (te) accepted.telephoneEventPayloadType = te.pt;
    if (cn !== undefined) Object.assign(accepted, { comfortNoisePayloadType: cn, silenceSuppression: true });
    if (xr) accepted.xrVoipMetrics = true;
    if (crypto.chosen && local.srtp) accepted.srtp = srtpParams(local.srtp, crypto.chosen);
  }

  if (!accepted) return { error: { status: 488, reason: why } };
  return { sdp: write(answer), media: accepted };
}

/**
 * Reads the answer to our offer (RFC 3264 §6.1/§7): the first codec in the answer that we offered is
 * the one to send, with the payload type the answer uses. The peer sends with any format of the
 * answer that we offered (§6.1), so all of them are played (`receiveCodecs`).
 */
export function parseAnswer(answerSdp: string, offered: LocalMediaOffer): MediaStartParams | { error: string } {
  const parsed = parseSdp(answerSdp);
  if (typeof parsed === 'string') return { error: parsed };
  const { session, media } = parsed;
  // We offer exactly one audio stream, so the answer's first audio m= line is its answer.
  const m = media.find((x) => x.type === 'audio');
  if (!m) return { error: 'answer has no audio stream' };
  if (m.port === 0) return { error: 'the peer rejected the audio stream (port 0)' };
  const ours = localCodecs(offered);
  const common = commonFormats(m, ours);
  const pick = common[0];
  if (!pick) return { error: `no common codec: answer has ${describe(m)}; we offered ${ours.join(', ')}` };
  const remoteAddress = connectionOf(session, m);
  if (remoteAddress === undefined) return { error: 'malformed SDP: no c= line for the audio stream' };
  const ice = iceOfAnswer(answerSdp, media.indexOf(m), remoteAddress, m.port, offered);
  const unreachable = ice.ice ? null : unreachableMediaReason(remoteAddress, offered.families ?? [4, 6]);
  if (unreachable !== null) return { error: unreachable };
  const crypto = cryptoOfAnswer(answerSdp, media.indexOf(m), m.protocol, offered.srtp);
  if ('error' in crypto) return crypto;

  const result: MediaStartParams = {
    remoteAddress,
    remotePort: m.port,
    ...ice,
    codec: pick.codec,
    payloadType: pick.pt,
    ...sendDtxOf(m, pick),
    receiveCodecs: common.map((c) => ({ payloadType: c.pt, codec: c.codec })),
    ptime: ptimeOf(session, m) ?? validPtime(offered.ptime) ?? 20,
    direction: ourDirection(directionOf(session, m), remoteAddress, offered.direction ?? 'sendrecv'),
  };
  if (m.rtcp && Number.isInteger(m.rtcp.port) && m.rtcp.port > 0) result.remoteRtcpPort = m.rtcp.port;
  const te = offered.telephoneEvent ? telephoneEventOf(m) : null;
  if (te) result.telephoneEventPayloadType = te.pt;
  // RFC 3389: CN only if we offered it and the answer kept it; RFC 3611 §5.1: XR only if both ask for it.
  const cn = offered.comfortNoise ? comfortNoiseOf(m, payloadList(m)) : undefined;
  if (cn !== undefined) Object.assign(result, { comfortNoisePayloadType: cn, silenceSuppression: true });
  if (offered.xrVoipMetrics && wantsVoipMetrics(session, m)) result.xrVoipMetrics = true;
  if (crypto.chosen && offered.srtp) result.srtp = srtpParams(offered.srtp, crypto.chosen);
  return result;
}

/** The peer's ICE in its answer to our ICE offer: we offered, so we control (RFC 8445 §6.1.1). */
function iceOfAnswer(sdp: string, index: number, address: string, port: number, offered: LocalMediaOffer): Pick<MediaStartParams, 'ice'> {
  if (!offered.ice) return {};
  const peer = readPeerIce(sdp, index, address, port);
  return peer.kind === 'ice' ? { ice: remoteIceParameters(peer, true) } : {};
}

/**
 * True when the SDP puts us on hold: its audio stream is sendonly or inactive, or has c=0.0.0.0
 * (RFC 3264 §8.4). False for unreadable SDP or when no audio stream is active.
 */
export function isHold(sdp: string): boolean {
  const parsed = parseSdp(sdp);
  if (typeof parsed === 'string') return false;
  const m = parsed.media.find((x) => x.type === 'audio' && x.port !== 0);
  if (!m) return false;
  const dir = directionOf(parsed.session, m);
  return dir === 'sendonly' || dir === 'inactive' || isNullAddress(connectionOf(parsed.session, m));
}
