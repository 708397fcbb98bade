// ICE candidates: priority and foundation (RFC 8445 §5.1.2, §5.1.1.3) and the SDP a=candidate / ice-ufrag /
// ice-pwd grammar (RFC 8839 §5.1, §5.4), so the SIP layer can put them in offers and read them from answers.

import { crc32 } from './crc32';
import { cryptoRandom, type RandomBytes } from './nat-clock';
import { addressKey, canonicalIp, ipFamily, isValidPort, type TransportAddress } from './transport-address';

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

export interface IceCandidate {
  /** 1-32 ice-chars; equal for candidates of the same type, base IP, server and transport. */
  foundation: string;
  /** 1 = RTP, 2 = RTCP (RFC 8445 §5.1.1.1). */
  component: number;
  /** Lower-case; only "udp" is used for checks. */
  transport: string;
  priority: number;
  address: string;
  port: number;
  type: CandidateType;
  /** raddr/rport: the base for srflx/prflx, the mapped address for relay (RFC 8839 §5.1). */
  relatedAddress?: string;
  relatedPort?: number;
  /** Extension attributes as name/value pairs (e.g. generation 0, network-id 1), kept for re-emission. */
  extensions?: [string, string][];
}

/** A candidate of our own, with the base it is sent from (RFC 8445 §5.1.1: host and relay are their own base). */
export interface LocalCandidate extends IceCandidate {
  base: TransportAddress;
}

/** A gathering result handed to the agent (which computes priority and foundation). */
export interface GatheredCandidate {
  type: 'host' | 'srflx' | 'relay';
  address: string;
  port: number;
  component?: number;
  /** srflx: the host socket's address; host and relay are their own base. */
  base?: TransportAddress;
  /** The STUN/TURN server that gave srflx/relay (part of the foundation, §5.1.1.3). */
  server?: string;
  /** relay: the mapped address from the Allocate response (raddr/rport in SDP). */
  related?: TransportAddress;
  localPreference?: number;
}

/** RFC 8445 §5.1.2.2 recommended type preferences. */
export const TYPE_PREFERENCE: Record<CandidateType, number> = { host: 126, prflx: 110, srflx: 100, relay: 0 };

/** §5.1.2.1: priority = 2^24 * type preference + 2^8 * local preference + (256 - component ID). */
export function candidatePriority(type: CandidateType, component: number, localPreference = 65535): number {
  const lp = Math.max(0, Math.min(65535, Math.floor(localPreference)));
  return TYPE_PREFERENCE[type] * 0x1000000 + lp * 0x100 + (256 - Math.max(1, Math.min(256, component)));
}

/**
 * §5.1.1.3: candidates share a foundation when they have the same type, base IP address, STUN/TURN server
 * IP address and transport. The foundation is any stable string of ice-chars, here a CRC of those facts.
 */
export function candidateFoundation(type: CandidateType, baseAddress: string, serverAddress?: string, transport = 'udp'): string {
  const key = `${type}|${canonicalIp(baseAddress)}|${serverAddress ? canonicalIp(serverAddress) : ''}|${transport.toLowerCase()}`;
  return String(crc32(new TextEncoder().encode(key)));
}

/**
 * A local candidate from a gathering result. `sameTypeCount` = candidates of this type and component already
 * held, so each gets a distinct local preference (§5.1.2.1).
 */
export function makeLocalCandidate(g: GatheredCandidate, sameTypeCount: number): LocalCandidate {
  const component = g.component ?? 1;
  const base = g.type === 'srflx' && g.base ? g.base : { address: g.address, port: g.port };
  const candidate: LocalCandidate = {
    foundation: candidateFoundation(g.type, base.address, g.server),
    component,
    transport: 'udp',
    priority: candidatePriority(g.type, component, g.localPreference ?? 65535 - sameTypeCount),
    address: g.address,
    port: g.port,
    type: g.type,
    base,
  };
  const related = g.type === 'srflx' ? base : g.type === 'relay' ? g.related : undefined;
  if (related) {
    candidate.relatedAddress = related.address;
    candidate.relatedPort = related.port;
  }
  return candidate;
}

/** §7.2.5.3.1: a local peer-reflexive candidate learned from a check response, with the check's PRIORITY. */
export function makePrflxLocal(mapped: TransportAddress, base: TransportAddress, component: number, priority: number): LocalCandidate {
  return {
    foundation: candidateFoundation('prflx', base.address),
    component,
    transport: 'udp',
    priority,
    address: mapped.address,
    port: mapped.port,
    type: 'prflx',
    base,
    relatedAddress: base.address,
    relatedPort: base.port,
  };
}

const ICE_CHAR = /^[A-Za-z0-9+/]+$/;
const TYPES = new Set<string>(['host', 'srflx', 'prflx', 'relay']);

/**
 * Parses "candidate:..." (RFC 8839 §5.1), with or without the "a=" prefix; null if malformed.
 * Host names and mDNS ".local" addresses parse (the agent ignores what is not an IP literal).
 */
export function parseCandidate(line: string): IceCandidate | null {
  if (typeof line !== 'string') return null;
  let text = line.trim();
  if (text.startsWith('a=')) text = text.slice(2);
  if (!text.toLowerCase().startsWith('candidate:')) return null;
  const fields = text.slice('candidate:'.length).split(/\s+/);
  if (fields.length < 8) return null;
  const [foundation, componentText, transport, priorityText, address, portText, typKeyword, type] = fields as [
    string, string, string, string, string, string, string, string,
  ];
  if (!ICE_CHAR.test(foundation) || foundation.length > 32) return null;
  if (!/^\d{1,3}$/.test(componentText) || !/^\d{1,10}$/.test(priorityText) || !/^\d{1,5}$/.test(portText)) return null;
  const component = Number(componentText);
  const priority = Number(priorityText);
  const port = Number(portText);
  if (component < 1 || component > 256 || priority < 1 || priority > 0xffffffff || port > 65535) return null;
  if (typKeyword.toLowerCase() !== 'typ' || !TYPES.has(type.toLowerCase())) return null;
  const candidate: IceCandidate = {
    foundation,
    component,
    transport: transport.toLowerCase(),
    priority,
    address,
    port,
    type: type.toLowerCase() as CandidateType,
  };
  const rest = fields.slice(8);
  const extensions: [string, string][] = [];
  for (let i = 0; i + 1 < rest.length; i += 2) {
    const name = rest[i] as string;
    const value = rest[i + 1] as string;
    if (name === 'raddr') candidate.relatedAddress = value;
    else if (name === 'rport') {
      if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) return null;
      candidate.relatedPort = Number(value);
    } else extensions.push([name, value]);
  }
  if (extensions.length > 0) candidate.extensions = extensions;
  return candidate;
}

/** "candidate:<foundation> <component> UDP <priority> <address> <port> typ <type> [raddr .. rport ..]" (no "a="). */
export function formatCandidate(c: IceCandidate): string {
  let out = `candidate:${c.foundation} ${c.component} ${c.transport.toUpperCase()} ${c.priority} ${c.address} ${c.port} typ ${c.type}`;
  // RFC 8839 §5.1: raddr/rport are included for srflx, prflx and relay candidates.
  if (c.type !== 'host' && c.relatedAddress !== undefined) out += ` raddr ${c.relatedAddress} rport ${c.relatedPort ?? 0}`;
  for (const [name, value] of c.extensions ?? []) out += ` ${name} ${value}`;
  return out;
}

/** True if the agent can run checks with it: UDP, an IP literal and a usable port. */
export function isUsableCandidate(c: IceCandidate): boolean {
  return c.transport === 'udp' && ipFamily(c.address) !== null && isValidPort(c.port);
}

export interface IceCredentials {
  ufrag: string;
  pwd: string;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** RFC 8445 §5.3: ufrag >= 24 bits and pwd >= 128 bits of randomness; RFC 8839 §5.4: 4-256 and 22-256 chars. */
export function generateIceCredentials(random: RandomBytes = cryptoRandom): IceCredentials {
  const pick = (n: number) => Array.from(random(n), (b) => ALPHABET[b & 63]).join('');
  return { ufrag: pick(8), pwd: pick(24) };
}

export interface IceSdpParameters {
  ufrag?: string;
  pwd?: string;
  /** a=ice-lite (RFC 8839 §5.3). */
  lite: boolean;
  /** a=ice-options tokens, e.g. "trickle", "ice2". */
  options: string[];
  candidates: IceCandidate[];
  endOfCandidates: boolean;
}

/** Reads the ICE attributes from SDP lines ("a=name:value" or "name:value"); session and media level alike. */
export function parseIceAttributes(lines: string[]): IceSdpParameters {
  const out: IceSdpParameters = { lite: false, options: [], candidates: [], endOfCandidates: false };
  for (const raw of lines) {
    if (typeof raw !== 'string') continue;
    const line = raw.trim().replace(/^a=/, '');
    const colon = line.indexOf(':');
    const name = (colon < 0 ? line : line.slice(0, colon)).toLowerCase();
    const value = colon < 0 ? '' : line.slice(colon + 1).trim();
    if (name === 'ice-ufrag' && /^[A-Za-z0-9+/]{4,256}$/.test(value)) out.ufrag = value;
    else if (name === 'ice-pwd' && /^[A-Za-z0-9+/]{22,256}$/.test(value)) out.pwd = value;
    else if (name === 'ice-lite') out.lite = true;
    else if (name === 'ice-options') out.options.push(...value.split(/\s+/).filter(Boolean));
    else if (name === 'end-of-candidates') out.endOfCandidates = true;
    else if (name === 'candidate') {
      const c = parseCandidate(line);
      if (c) out.candidates.push(c);
    }
  }
  return out;
}

/** The media-level SDP lines for our ICE parameters and candidates (each with the "a=" prefix). */
export function formatIceAttributes(credentials: IceCredentials, candidates: IceCandidate[], options: string[] = []): string[] {
  const lines = [`a=ice-ufrag:${credentials.ufrag}`, `a=ice-pwd:${credentials.pwd}`];
  if (options.length > 0) lines.push(`a=ice-options:${options.join(' ')}`);
  for (const c of candidates) lines.push(`a=${formatCandidate(c)}`);
  return lines;
}

/** One-line description of a pair for logs and the bench report: "host 10.0.0.1:5000 -> relay 203.0.113.9:49152". */
export function describePair(p: { local: IceCandidate; remote: IceCandidate }): string {
  return `${p.local.type} ${addressKey(p.local)} -> ${p.remote.type} ${addressKey(p.remote)}`;
}
