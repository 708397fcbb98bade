// ICE in SDP offer/answer (RFC 8839): our ufrag/pwd/candidates on the audio m= line, the default candidate
// for c=/m= (RFC 8445 §5.1.4), the peer's ICE attributes (RFC 8839 and RFC 5245-era peers alike) and the
// ice-mismatch check (RFC 8839 §4.2). Pure.

import type { MediaDescription } from 'sdp-transform';
import { parseIceAttributes, type IceCandidate } from '../nat/ice-candidate';
import { canonicalIp } from '../nat/transport-address';
import { checkCandidate } from '../rtp/media-nat-protocol';
import type { LocalIceParameters, MediaEndpoint, RemoteIceParameters } from '../rtp/media-session';
import type { LocalMediaOffer } from './sdp-negotiate';

/** What our side of the SDP needs to know about NAT traversal (a subset of LocalMediaOffer). */
export interface LocalNatSdp {
  address: string;
  port: number;
  ice?: LocalIceParameters;
  /** RFC 3605 a=rtcp, when the RTCP destination is not RTP port + 1 on the c= address. */
  rtcp?: { address: string; port: number };
}

/**
 * The default candidate of a component, i.e. what goes into c=/m= (RFC 8445 §5.1.4: the one most likely to
 * work with a peer that does not do ICE). We pick server-reflexive, then host, and relayed only when it is
 * all we have: a non-ICE peer that sends to our public mapping reaches us through any endpoint-independent
 * NAT, and our own RTP leaves from the same socket, so symmetric-RTP peers and media relays latch onto it.
 * A relayed default would need a TURN permission for an address we do not know before the peer's RTP
 * arrives, so it would work with nobody but ICE peers, who ignore c=/m= anyway.
 */
export function chooseDefaultCandidate(candidates: readonly IceCandidate[], component: number): IceCandidate | null {
  const of = (type: IceCandidate['type']) =>
    candidates.filter((c) => c.component === component && c.type === type).sort((a, b) => b.priority - a.priority)[0];
  return of('srflx') ?? of('host') ?? of('relay') ?? null;
}

/**
 * Our SDP side with NAT traversal applied: with ICE, c=/m= carry the default candidate and the ICE
 * attributes go along; with STUN alone, c=/m= carry the public mapping of the RTP socket.
 */
export function applyLocalNat(offer: LocalMediaOffer, endpoint: Pick<MediaEndpoint, 'ice' | 'mapped'>): LocalMediaOffer {
  if (endpoint.ice) {
    const rtp = chooseDefaultCandidate(endpoint.ice.candidates, 1);
    if (!rtp) return { ...offer, ice: endpoint.ice };
    const rtcp = chooseDefaultCandidate(endpoint.ice.candidates, 2);
    const out: LocalMediaOffer = { ...offer, ice: endpoint.ice, address: rtp.address, port: rtp.port };
    if (rtcp && (rtcp.address !== rtp.address || rtcp.port !== rtp.port + 1)) out.rtcp = { address: rtcp.address, port: rtcp.port };
    return out;
  }
  if (endpoint.mapped) {
    const m = endpoint.mapped;
    const out: LocalMediaOffer = { ...offer, address: m.address, port: m.rtpPort };
    if (m.rtcpPort !== m.rtpPort + 1) out.rtcp = { address: m.address, port: m.rtcpPort };
    return out;
  }
  return offer;
}

/** Puts a=rtcp, a=ice-ufrag, a=ice-pwd, a=candidate and a=end-of-candidates (no trickling) on an m= line. */
export function addLocalNatAttributes(m: MediaDescription, local: LocalNatSdp): void {
  if (local.rtcp) m.rtcp = { port: local.rtcp.port, netType: 'IN', ipVer: local.rtcp.address.includes(':') ? 6 : 4, address: local.rtcp.address };
  const ice = local.ice;
  if (!ice) return;
  m.iceUfrag = ice.ufrag;
  m.icePwd = ice.pwd;
  m.candidates = ice.candidates.map((c) => ({
    foundation: c.foundation,
    component: c.component,
    transport: c.transport.toUpperCase(),
    priority: c.priority,
    ip: c.address,
    port: c.port,
    type: c.type,
    ...(c.type !== 'host' && c.relatedAddress !== undefined ? { raddr: c.relatedAddress, rport: c.relatedPort ?? 0 } : {}),
  }));
  m.endOfCandidates = 'end-of-candidates';
}

/** RFC 8839 §4.2: in an answer, "your default destination is not among your candidates" (and no other ICE). */
export function addIceMismatch(m: MediaDescription): void {
  m.invalid = [...(m.invalid ?? []), { value: 'ice-mismatch' }];
}

/** The raw lines of the session part and of each m= section, in order (sdp-transform's media index). */
export function sdpSections(text: string): { session: string[]; media: string[][] } {
  const session: string[] = [];
  const media: string[][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('m=')) media.push([]);
    (media[media.length - 1] ?? session).push(line);
  }
  return { session, media };
}

export type PeerIce =
  | { kind: 'none' }
  /** The peer does ICE but c=/m= are not one of its candidates (an ALG or SBC rewrote them): do not use ICE. */
  | { kind: 'mismatch' }
  /** The peer said it saw our default destination outside our candidates (answer only). */
  | { kind: 'peer-mismatch' }
  | { kind: 'ice'; ufrag: string; pwd: string; lite: boolean; candidates: IceCandidate[] };

/**
 * The peer's ICE parameters for its `index`-th m= section: ufrag/pwd at media or session level (RFC 8839
 * §5.4), candidates at media level, a=ice-lite at session level. RFC 5245-era SDP reads the same way.
 */
export function readPeerIce(sdp: string, index: number, defaultAddress: string, defaultPort: number): PeerIce {
  const { session, media } = sdpSections(sdp);
  const lines = media[index];
  if (!lines) return { kind: 'none' };
  if (lines.some((l) => /^a=ice-mismatch\s*$/i.test(l))) return { kind: 'peer-mismatch' };
  const s = parseIceAttributes(session);
  const m = parseIceAttributes(lines);
  const ufrag = m.ufrag ?? s.ufrag;
  const pwd = m.pwd ?? s.pwd;
  if (!ufrag || !pwd || m.candidates.length === 0) return { kind: 'none' };
  // RFC 8840 §4.3.1: 0.0.0.0 / port 9 mean "no candidate yet" (trickle), not a default that can mismatch.
  const placeholder = defaultAddress === '0.0.0.0' || defaultAddress === '::' || defaultPort === 9;
  const listed = m.candidates.some((c) => c.component === 1 && c.port === defaultPort && canonicalIp(c.address) === canonicalIp(defaultAddress));
  if (!placeholder && !listed) return { kind: 'mismatch' };
  return { kind: 'ice', ufrag, pwd, lite: s.lite || m.lite, candidates: m.candidates };
}

/**
 * The media layer's view of the peer's ICE, with our role: RFC 8445 §6.1.1, the offerer is controlling,
 * except that a full agent facing an ICE-lite peer always controls.
 */
export function remoteIceParameters(peer: Extract<PeerIce, { kind: 'ice' }>, weOffered: boolean): RemoteIceParameters {
  const p: RemoteIceParameters = {
    ufrag: peer.ufrag,
    pwd: peer.pwd,
    // Only what the media worker accepts (it would refuse the whole list for one odd candidate), at most 64.
    candidates: peer.candidates
      .map((c) => checkCandidate(c))
      .flatMap((r) => (r.ok ? [r.value] : []))
      .slice(0, 64),
    role: weOffered || peer.lite ? 'controlling' : 'controlled',
  };
  if (peer.lite) p.lite = true;
  return p;
}
