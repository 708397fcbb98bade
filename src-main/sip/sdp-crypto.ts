// SDES in SDP (RFC 4568): our a=crypto lines in offers and answers, and the peer's read strictly from the
// raw SDP text (sdp-transform keeps one session parameter only, and a dropped UNENCRYPTED_SRTP would go
// unnoticed). Pure.

import type { MediaDescription } from 'sdp-transform';
import { SRTP_SUITES, type SrtpSuite } from '../rtp/srtp-crypto';
import { decodeMasterKey, type SrtpParams } from '../rtp/srtp-session';
import type { LocalSrtp } from './srtp-policy';

/** One usable a=crypto line of the peer. */
export interface PeerCrypto {
  tag: number;
  suite: SrtpSuite;
  key: string;
  mki?: { value: number; length: number };
}

/** RTP/SAVP and RTP/SAVPF (RFC 3711 §12, RFC 5124): the profiles that say "SRTP". */
export function isSavp(protocol: string): boolean {
  return /^RTP\/SAVPF?$/i.test(protocol);
}

/** Our lines for an offer: one per suite, the stronger tag first (tag 1 = 80-bit tag). */
export function offerCryptoLines(local: LocalSrtp): NonNullable<MediaDescription['crypto']> {
  return SRTP_SUITES.map((suite, i) => ({ id: i + 1, suite, config: `inline:${local.keys[suite]}` }));
}

/** Our line in an answer: the offer's tag and suite with our key (RFC 4568 §7.1.2). */
export function answerCryptoLine(local: LocalSrtp, chosen: PeerCrypto): NonNullable<MediaDescription['crypto']> {
  return [{ id: chosen.tag, suite: chosen.suite, config: `inline:${local.keys[chosen.suite]}` }];
}

/** The raw a=crypto values of the m= section `index` (0-based), in order. */
export function rawCryptoLines(sdp: string, index: number): string[] {
  const out: string[] = [];
  let section = -1;
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) section++;
    else if (section === index && line.startsWith('a=crypto:')) out.push(line.slice('a=crypto:'.length).trim());
    if (out.length >= 32) break; // a real offer has a handful; the rest is noise
  }
  return out;
}

/**
 * One a=crypto value (RFC 4568 §9.1) we can use, or null. Skipped: other suites, other key methods,
 * several keys, a malformed key, an MKI over 4 octets, and every session parameter but WSH (the
 * others change the transform: UNENCRYPTED_SRTP and friends weaken it, KDR and FEC we do not do).
 */
export function parseCryptoLine(value: string): PeerCrypto | null {
  const parts = value.split(/[ \t]+/);
  const [tagText, suite, keyParams, ...sessionParams] = parts;
  if (!tagText || !/^\d{1,9}$/.test(tagText) || !suite || !keyParams) return null;
  if (!(SRTP_SUITES as readonly string[]).includes(suite)) return null;
  if (sessionParams.some((p) => !/^WSH=\d{1,10}$/.test(p))) return null;
  if (keyParams.includes(';')) return null; // several keys (told apart by MKI): not supported
  const m = /^inline:([A-Za-z0-9+/]{40})(?:\|(2\^\d{1,2}|\d{1,15}))?(?:\|(\d{1,10}):(\d{1,3}))?$/.exec(keyParams);
  if (!m || !decodeMasterKey(m[1] as string)) return null;
  const out: PeerCrypto = { tag: Number(tagText), suite: suite as SrtpSuite, key: m[1] as string };
  if (m[3] !== undefined) {
    const length = Number(m[4]);
    const mkiValue = Number(m[3]);
    if (length < 1 || length > 4 || mkiValue >= 2 ** (8 * length)) return null;
    out.mki = { value: mkiValue, length };
  }
  return out;
}

/** The peer's usable lines of one m= section, in its order of preference. */
export function peerCryptoLines(sdp: string, index: number): PeerCrypto[] {
  const out: PeerCrypto[] = [];
  for (const raw of rawCryptoLines(sdp, index)) {
    const c = parseCryptoLine(raw);
    if (c && !out.some((o) => o.tag === c.tag)) out.push(c);
  }
  return out;
}

/** The media engine's SRTP parameters for a negotiated line. */
export function srtpParams(local: LocalSrtp, peer: PeerCrypto): SrtpParams {
  return { suite: peer.suite, localKey: local.keys[peer.suite], remoteKey: peer.key, ...(peer.mki ? { remoteMki: peer.mki } : {}) };
}

/**
 * The offer's line we answer with (RFC 4568 §7.1.2: the first acceptable in the offerer's order). A line
 * carrying our own key is skipped: two directions under one key would reuse the keystream (RFC 3711 §9.1).
 */
export function chooseOfferedCrypto(offered: PeerCrypto[], local: LocalSrtp): PeerCrypto | undefined {
  return offered.find((c) => c.key !== local.keys[c.suite]);
}

/**
 * The answer's line to our offer (RFC 4568 §7.1.3): a tag we offered, with the suite we offered under
 * it, and a key that is not ours. Undefined when the answer took none.
 */
export function answeredCrypto(answer: PeerCrypto[], local: LocalSrtp): PeerCrypto | undefined {
  const ours = offerCryptoLines(local);
  return answer.find((c) => ours.some((o) => o.id === c.tag && o.suite === c.suite) && c.key !== local.keys[c.suite]);
}

/**
 * SRTP for one offered audio stream: the line we take, nothing (plain RTP), or why the stream is refused.
 * RTP/SAVP needs SRTP on and a usable line; plain RTP/AVP with a=crypto is best-effort SRTP (what
 * baresip's `mediaenc srtp` offers), taken when we are on; mandatory refuses a stream without it.
 */
export function cryptoForOffer(sdp: string, index: number, protocol: string, local: LocalSrtp | undefined): { chosen?: PeerCrypto } | { refuse: string } {
  const savp = isSavp(protocol);
  if (!local) return savp ? { refuse: `audio transport ${protocol} (SRTP) offered, but SRTP is off here` } : {};
  const chosen = chooseOfferedCrypto(peerCryptoLines(sdp, index), local);
  if (chosen) return { chosen };
  if (savp) return { refuse: `audio transport ${protocol} offered without a usable a=crypto line (we do ${SRTP_SUITES.join(', ')} with one inline key)` };
  if (local.mode === 'mandatory') return { refuse: 'plain RTP refused: SRTP is mandatory here and the offer has no usable a=crypto line' };
  return {};
}

/**
 * SRTP from the answer to our offer: the line it took, nothing (plain RTP: our offer was best effort), or
 * an error. An answer must keep the offer's transport (RFC 3264 §6) and, to RTP/SAVP, carry a key.
 */
export function cryptoOfAnswer(sdp: string, index: number, protocol: string, local: LocalSrtp | undefined): { chosen?: PeerCrypto } | { error: string } {
  if (!local) return {}; // SRTP off: as before SRTP existed, the answer's keys are not looked at
  if (isSavp(protocol) !== (local.mode === 'mandatory')) return { error: `the answer changed the audio transport to ${protocol}` };
  const chosen = answeredCrypto(peerCryptoLines(sdp, index), local);
  if (chosen) return { chosen };
  if (local.mode === 'mandatory') return { error: 'the answer has no usable a=crypto line for our SRTP offer (SRTP is mandatory)' };
  // A peer that answered with keys we cannot use will encrypt: its packets played as plain G.711 are noise.
  if (rawCryptoLines(sdp, index).length > 0) return { error: 'the answer has an a=crypto line that does not match our offer' };
  return {};
}
