// ICE connectivity-check messages (RFC 8445 §7.1-§7.3): building requests and responses with short-term
// credentials, validating incoming checks, and the role-conflict rule (§7.3.1.1).

import { shortTermKey } from './stun-credentials';
import {
  encodeStun,
  getAttr,
  hasIntegrity,
  StunMethod,
  verifyIntegrity,
  type DecodedStun,
  type StunAttribute,
} from './stun-message';
import type { TransportAddress } from './transport-address';

export type IceRole = 'controlling' | 'controlled';

export interface CheckRequestParams {
  transactionId: Uint8Array;
  localUfrag: string;
  remoteUfrag: string;
  remotePwd: string;
  /** §7.1.1: the priority a peer-reflexive candidate from this check would get. */
  priority: number;
  role: IceRole;
  tieBreaker: bigint;
  /** §7.1.2: set by the controlling agent to nominate the pair. */
  useCandidate: boolean;
  software?: string;
}

/** §7.1: USERNAME "remote:local", PRIORITY, ICE-CONTROLLING/CONTROLLED, [USE-CANDIDATE], MI (peer's pwd), FINGERPRINT. */
export function buildCheckRequest(p: CheckRequestParams): Uint8Array {
  const attributes: StunAttribute[] = [];
  if (p.software) attributes.push({ name: 'software', value: p.software });
  attributes.push({ name: 'username', value: `${p.remoteUfrag}:${p.localUfrag}` });
  attributes.push({ name: 'priority', value: p.priority });
  attributes.push(p.role === 'controlling' ? { name: 'iceControlling', value: p.tieBreaker } : { name: 'iceControlled', value: p.tieBreaker });
  if (p.useCandidate) attributes.push({ name: 'useCandidate', value: true });
  return encodeStun(
    { method: StunMethod.Binding, cls: 'request', transactionId: p.transactionId, attributes },
    { integrityKey: shortTermKey(p.remotePwd), fingerprint: true },
  );
}

/** §7.3.1.2 / RFC 8489 §6.3.1: success with XOR-MAPPED-ADDRESS = the request's source, signed with our pwd. */
export function buildCheckSuccess(request: DecodedStun, source: TransportAddress, localPwd: string): Uint8Array {
  return encodeStun(
    {
      method: StunMethod.Binding,
      cls: 'success',
      transactionId: request.transactionId,
      attributes: [{ name: 'xorMappedAddress', value: { address: source.address, port: source.port } }],
    },
    { integrityKey: shortTermKey(localPwd), fingerprint: true },
  );
}

/**
 * An error response. RFC 8489 §9.1.3: 400 and 401 are sent without MESSAGE-INTEGRITY (we could not
 * authenticate the request); 487 and 420 after authentication carry it.
 */
export function buildCheckError(
  request: DecodedStun,
  code: number,
  reason: string,
  localPwd: string | null,
  unknownAttributes?: number[],
): Uint8Array {
  const attributes: StunAttribute[] = [{ name: 'errorCode', value: { code, reason } }];
  if (unknownAttributes && unknownAttributes.length > 0) attributes.push({ name: 'unknownAttributes', value: unknownAttributes });
  return encodeStun(
    { method: StunMethod.Binding, cls: 'error', transactionId: request.transactionId, attributes },
    localPwd !== null ? { integrityKey: shortTermKey(localPwd), fingerprint: true } : { fingerprint: true },
  );
}

export type IncomingCheck =
  | {
      ok: true;
      /** The peer's ufrag, the second half of USERNAME. */
      remoteUfrag: string;
      priority: number;
      useCandidate: boolean;
      controlling?: bigint;
      controlled?: bigint;
    }
  | { ok: false; code: 400 | 401 | 420; reason: string; authenticated: boolean; unknownAttributes?: number[] };

/** §7.3 with RFC 8489 §9.1.3: authenticate a Binding request against our ufrag and pwd. */
export function validateCheckRequest(msg: DecodedStun, localUfrag: string, localPwd: string): IncomingCheck {
  const username = getAttr(msg, 'username');
  if (username === undefined || !hasIntegrity(msg)) {
    return { ok: false, code: 400, reason: 'Bad Request', authenticated: false };
  }
  const colon = username.indexOf(':');
  if (colon < 0 || username.slice(0, colon) !== localUfrag || !verifyIntegrity(msg, shortTermKey(localPwd))) {
    return { ok: false, code: 401, reason: 'Unauthenticated', authenticated: false };
  }
  if (msg.unknownRequired.length > 0) {
    return { ok: false, code: 420, reason: 'Unknown Attribute', authenticated: true, unknownAttributes: msg.unknownRequired };
  }
  const priority = getAttr(msg, 'priority');
  // §7.3: PRIORITY and one of ICE-CONTROLLING/ICE-CONTROLLED are mandatory in a check.
  if (priority === undefined) return { ok: false, code: 400, reason: 'Bad Request: no PRIORITY', authenticated: true };
  const controlling = getAttr(msg, 'iceControlling');
  const controlled = getAttr(msg, 'iceControlled');
  const out: IncomingCheck = { ok: true, remoteUfrag: username.slice(colon + 1), priority, useCandidate: getAttr(msg, 'useCandidate') === true };
  if (controlling !== undefined) out.controlling = controlling;
  if (controlled !== undefined) out.controlled = controlled;
  return out;
}

/**
 * §7.3.1.1: both sides think they are controlling (or both controlled). The agent with the larger
 * tie-breaker is controlling: we either answer 487 Role Conflict (keeping our role) or switch role.
 */
export function resolveRoleConflict(
  role: IceRole,
  tieBreaker: bigint,
  check: { controlling?: bigint; controlled?: bigint },
): 'none' | 'switch' | 'respond-487' {
  if (role === 'controlling' && check.controlling !== undefined) {
    return tieBreaker >= check.controlling ? 'respond-487' : 'switch';
  }
  if (role === 'controlled' && check.controlled !== undefined) {
    return tieBreaker >= check.controlled ? 'switch' : 'respond-487';
  }
  return 'none';
}
