// Validation of the NAT-traversal parts of the media worker messages (STUN/TURN/ICE options, ICE
// candidates both ways, ICE stats): data from another thread, checked field by field like the rest.

import type { CandidateType, IceCandidate } from '../nat/ice-candidate';
import type { IceStats, LocalIceParameters, MediaEndpoint, MediaNatOptions, NatServer, RemoteIceParameters } from './media-session';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isInt = (x: unknown, min: number, max: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
const isPort = (x: unknown): x is number => isInt(x, 1, 65535);
/** An IP literal or a DNS name: no spaces, no control characters. */
const isHost = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 255 && /^[A-Za-z0-9.:_%\-[\]]+$/.test(x);
/** RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/"; ufrag 4-256, pwd 22-256 characters. */
const UFRAG = /^[A-Za-z0-9+/]{4,256}$/;
const PWD = /^[A-Za-z0-9+/]{22,256}$/;
const FOUNDATION = /^[A-Za-z0-9+/]{1,32}$/;
const TYPES: readonly CandidateType[] = ['host', 'srflx', 'prflx', 'relay'];
/** More candidates than any real agent signals: a bound on the work a hostile SDP can cause. */
export const MAX_CANDIDATES = 64;

const fail = <T>(error: string): Checked<T> => ({ ok: false, error });

function checkServer(x: unknown, what: string): Checked<NatServer> {
  if (!isObj(x) || !isHost(x.host) || !isPort(x.port)) return fail(`${what} must be {host, port}`);
  return { ok: true, value: { host: x.host, port: x.port } };
}

/** Credentials go into STUN attributes (RFC 8489 §14.3 USERNAME < 513 bytes): printable, bounded. */
function isCredential(x: unknown): x is string {
  if (typeof x !== 'string' || x.length === 0 || x.length > 256) return false;
  for (let i = 0; i < x.length; i++) {
    const c = x.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

export function checkNatOptions(x: unknown): Checked<MediaNatOptions> {
  if (!isObj(x) || typeof x.ice !== 'boolean') return fail('nat options need ice: boolean');
  const value: MediaNatOptions = { ice: x.ice };
  if (x.stun !== undefined) {
    const s = checkServer(x.stun, 'nat.stun');
    if (!s.ok) return s;
    value.stun = s.value;
  }
  if (x.turn !== undefined) {
    const t = checkServer(x.turn, 'nat.turn');
    if (!t.ok) return t;
    const turn = x.turn as Obj;
    if (!isCredential(turn.username) || !isCredential(turn.password)) return fail('nat.turn needs a username and a password (1-256 printable characters)');
    value.turn = { ...t.value, username: turn.username, password: turn.password };
  }
  return { ok: true, value };
}

export function checkCandidate(x: unknown): Checked<IceCandidate> {
  if (!isObj(x)) return fail('candidate must be an object');
  if (typeof x.foundation !== 'string' || !FOUNDATION.test(x.foundation)) return fail('candidate foundation');
  if (!isInt(x.component, 1, 256)) return fail('candidate component');
  if (typeof x.transport !== 'string' || !/^[A-Za-z0-9-]{1,16}$/.test(x.transport)) return fail('candidate transport');
  if (!isInt(x.priority, 1, 0xffffffff)) return fail('candidate priority');
  if (!isHost(x.address)) return fail('candidate address');
  // TCP active candidates carry port 9 (RFC 6544), and some stacks 0: the agent ignores what it cannot use.
  if (!isInt(x.port, 0, 65535)) return fail('candidate port');
  if (!TYPES.includes(x.type as CandidateType)) return fail('candidate type');
  const c: IceCandidate = {
    foundation: x.foundation,
    component: x.component,
    transport: x.transport.toLowerCase(),
    priority: x.priority,
    address: x.address,
    port: x.port,
    type: x.type as CandidateType,
  };
  if (x.relatedAddress !== undefined) {
    if (!isHost(x.relatedAddress)) return fail('candidate relatedAddress');
    c.relatedAddress = x.relatedAddress;
  }
  if (x.relatedPort !== undefined) {
    if (!isInt(x.relatedPort, 0, 65535)) return fail('candidate relatedPort');
    c.relatedPort = x.relatedPort;
  }
  return { ok: true, value: c };
}

function checkCandidates(x: unknown): Checked<IceCandidate[]> {
  if (!Array.isArray(x) || x.length > MAX_CANDIDATES) return fail(`candidates must be a list of at most ${MAX_CANDIDATES}`);
  const out: IceCandidate[] = [];
  for (const item of x as unknown[]) {
    const c = checkCandidate(item);
    if (!c.ok) return c;
    out.push(c.value);
  }
  return { ok: true, value: out };
}

export function checkLocalIce(x: unknown): Checked<LocalIceParameters> {
  if (!isObj(x) || typeof x.ufrag !== 'string' || !UFRAG.test(x.ufrag) || typeof x.pwd !== 'string' || !PWD.test(x.pwd)) return fail('ice ufrag/pwd');
  const candidates = checkCandidates(x.candidates);
  return candidates.ok ? { ok: true, value: { ufrag: x.ufrag, pwd: x.pwd, candidates: candidates.value } } : candidates;
}

export function checkRemoteIce(x: unknown): Checked<RemoteIceParameters> {
  const base = checkLocalIce(x);
  if (!base.ok) return base;
  const o = x as Obj;
  if (o.role !== 'controlling' && o.role !== 'controlled') return fail('ice role must be controlling or controlled');
  if (o.lite !== undefined && typeof o.lite !== 'boolean') return fail('ice lite must be a boolean');
  const value: RemoteIceParameters = { ...base.value, role: o.role };
  if (o.lite !== undefined) value.lite = o.lite as boolean;
  return { ok: true, value };
}

/** The optional NAT fields of an 'opened' endpoint. */
export function checkEndpointNat(e: Obj): Checked<Pick<MediaEndpoint, 'ice' | 'mapped'>> {
  const value: Pick<MediaEndpoint, 'ice' | 'mapped'> = {};
  if (e.ice !== undefined) {
    const ice = checkLocalIce(e.ice);
    if (!ice.ok) return ice;
    value.ice = ice.value;
  }
  if (e.mapped !== undefined) {
    const m = e.mapped;
    if (!isObj(m) || !isHost(m.address) || !isPort(m.rtpPort) || !isPort(m.rtcpPort)) return fail('endpoint.mapped');
    value.mapped = { address: m.address, rtpPort: m.rtpPort, rtcpPort: m.rtcpPort };
  }
  return { ok: true, value };
}

export function checkIceStats(x: unknown): Checked<IceStats> {
  if (!isObj(x) || typeof x.state !== 'string' || x.state.length > 40) return fail('stats.ice.state');
  if (x.relayProblem !== undefined && (typeof x.relayProblem !== 'string' || x.relayProblem.length > 300)) return fail('stats.ice.relayProblem');
  if (x.selectedPair === undefined) return { ok: true, value: { state: x.state, ...(x.relayProblem !== undefined ? { relayProblem: x.relayProblem } : {}) } };
  const p = x.selectedPair;
  const side = (s: unknown) => isObj(s) && TYPES.includes(s.type as CandidateType) && isHost(s.address) && isInt(s.port, 0, 65535);
  if (!isObj(p) || !side(p.local) || !side(p.remote)) return fail('stats.ice.selectedPair');
  return { ok: true, value: x as unknown as IceStats };
}
