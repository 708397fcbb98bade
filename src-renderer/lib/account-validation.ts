// Client-side checks of the SIP Account dialog, mirroring the core's schema (src-main/ipc/contract.ts)
// and its cross-field checks (src-main/app-core/network-preferences.ts) so the user sees a message next
// to the field before anything is sent; the core checks again.
import type { AccountForm, Preferences } from '../../src-main/ipc/contract';

/** Message keys (translated in i18n `validation`). */
export type ValidationCode =
  | 'required'
  | 'userIdRequired'
  | 'userIdChars'
  | 'noSpaces'
  | 'hostSpaces'
  | 'hostChars'
  | 'hostInvalid'
  | 'portRange'
  | 'proxyRequired'
  | 'expiresRange'
  | 'sessionExpiresRange'
  | 'tooLong'
  | 'sipPortRange'
  | 'rtpRange'
  | 'rtpOrder'
  | 'rtpEven'
  | 'serverInvalid'
  | 'turnUserRequired'
  | 'turnPasswordRequired'
  | 'keepAliveRange'
  | 'controlChars';

export type AccountField = keyof AccountForm;
export type TransportField = 'sipPort' | 'rtpPortMin' | 'rtpPortMax';
export type TopologyField = 'stunServer' | 'turnServer' | 'turnUser' | 'turnPassword' | 'keepAliveSeconds';
/** What the Topology tab edits: the preferences plus the write-only TURN password ('' keeps the stored one). */
export type TopologyValues = Pick<Preferences, 'stunServer' | 'turnServer' | 'turnUser' | 'iceEnabled' | 'keepAliveMethod' | 'keepAliveSeconds'> & {
  turnPassword: string;
};
export type FieldErrors<F extends string> = Partial<Record<F, ValidationCode>>;

const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * host[:port] as used for Domain and Proxy Address: a name, an IPv4 address or a bracketed IPv6
 * address (RFC 3261 §25.1 `hostport`). Returns null when it is fine, a code when not.
 */
export function checkHostPort(value: string): ValidationCode | null {
  if (/\s/.test(value)) return 'hostSpaces';
  if (/[/@]/.test(value)) return 'hostChars';
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(value);
  if (!m) return 'hostInvalid';
  const host = m[1] ?? '';
  if (!host.startsWith('[') && !HOSTNAME.test(host)) return 'hostInvalid';
  if (m[2] !== undefined) {
    const port = Number(m[2]);
    if (port < 1 || port > 65535) return 'portRange';
  }
  return null;
}

export function validateAccount(form: AccountForm): FieldErrors<AccountField> {
  const errors: FieldErrors<AccountField> = {};
  if (form.accountName.length > 100) errors.accountName = 'tooLong';

  const userId = form.userId.trim();
  if (userId === '') {
    // RFC 3261 §10.2: a REGISTER binds an address-of-record, which needs a user part.
    if (form.registerWithDomain) errors.userId = 'userIdRequired';
  } else if (/[\s@:]/.test(form.userId)) errors.userId = 'userIdChars';
  else if (form.userId.length > 100) errors.userId = 'tooLong';

  if (form.domain.trim() === '') errors.domain = 'required';
  else errors.domain = checkHostPort(form.domain) ?? undefined;

  if (/\s/.test(form.authorizationName)) errors.authorizationName = 'noSpaces';
  if (form.displayName.length > 100) errors.displayName = 'tooLong';
  if ((form.password ?? '').length > 256) errors.password = 'tooLong';

  if (form.sendOutboundVia === 'proxy') {
    if (form.proxyAddress.trim() === '') errors.proxyAddress = 'proxyRequired';
    else errors.proxyAddress = checkHostPort(form.proxyAddress) ?? undefined;
  } else if (form.proxyAddress.trim() !== '') {
    // Kept for later but still checked, so a bad value cannot be saved unnoticed.
    errors.proxyAddress = checkHostPort(form.proxyAddress) ?? undefined;
  }

  if (form.dialPlan.length > 500) errors.dialPlan = 'tooLong';
  if (!Number.isInteger(form.registerExpires) || form.registerExpires < 60 || form.registerExpires > 86400) {
    errors.registerExpires = 'expiresRange';
  }
  // RFC 4028 §4: 0 turns our session timer off; otherwise at least the 90 s Min-SE floor.
  const se = form.sessionExpires;
  if (se !== undefined && (!Number.isInteger(se) || se < 0 || se > 86400 || (se > 0 && se < 90))) errors.sessionExpires = 'sessionExpiresRange';
  return dropEmpty(errors);
}

export function validateTransport(p: Pick<Preferences, TransportField>): FieldErrors<TransportField> {
  const errors: FieldErrors<TransportField> = {};
  const intIn = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;
  if (!intIn(p.sipPort, 0, 65535)) errors.sipPort = 'sipPortRange';
  if (!intIn(p.rtpPortMin, 1024, 65534)) errors.rtpPortMin = 'rtpRange';
  if (!intIn(p.rtpPortMax, 1025, 65535)) errors.rtpPortMax = 'rtpRange';
  // RTP takes an even port and RTCP the next odd one (RFC 3550 §11), so a range starts even and has room for a pair.
  if (!errors.rtpPortMin && p.rtpPortMin % 2 !== 0) errors.rtpPortMin = 'rtpEven';
  if (!errors.rtpPortMin && !errors.rtpPortMax && p.rtpPortMax - p.rtpPortMin < 1) errors.rtpPortMax = 'rtpOrder';
  return errors;
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;
/** Loose IPv6 literal check (hex groups and colons, optional dotted tail); the core parses it exactly. */
const IPV6 = /^[0-9A-Fa-f:]+(?:\d{1,3}(?:\.\d{1,3}){3})?$/;

/** A STUN/TURN server: host, host:port, [IPv6] or [IPv6]:port (port 1-65535, default 3478). */
export function checkServerAddress(value: string): ValidationCode | null {
  const text = value.trim();
  if (/\s/.test(text) || /[/@]/.test(text)) return 'serverInvalid';
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(text);
  if (!m) return (text.match(/:/g) ?? []).length > 1 && IPV6.test(text) ? null : 'serverInvalid';
  const host = m[1] ?? '';
  if (host.startsWith('[') ? !IPV6.test(host.slice(1, -1)) || !host.includes(':') : !(IPV4.test(host) || HOSTNAME.test(host))) return 'serverInvalid';
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) return 'serverInvalid';
  return null;
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** The Topology tab; `hasStoredPassword`: an empty password field keeps the stored TURN password. */
export function validateTopology(v: TopologyValues, hasStoredPassword: boolean): FieldErrors<TopologyField> {
  const errors: FieldErrors<TopologyField> = {};
  if (v.stunServer.trim() !== '') errors.stunServer = checkServerAddress(v.stunServer) ?? undefined;
  if (v.turnServer.trim() !== '') {
    errors.turnServer = checkServerAddress(v.turnServer) ?? undefined;
    // RFC 8656 §9.2: TURN uses long-term credentials, so it needs both a user name and a password.
    if (v.turnUser.trim() === '') errors.turnUser = 'turnUserRequired';
    if (v.turnPassword === '' && !hasStoredPassword) errors.turnPassword = 'turnPasswordRequired';
  }
  if (!errors.turnUser && (v.turnUser.length > 256 || hasControl(v.turnUser))) errors.turnUser = v.turnUser.length > 256 ? 'tooLong' : 'controlChars';
  if (!errors.turnPassword && (v.turnPassword.length > 256 || hasControl(v.turnPassword))) {
    errors.turnPassword = v.turnPassword.length > 256 ? 'tooLong' : 'controlChars';
  }
  if (!Number.isInteger(v.keepAliveSeconds) || v.keepAliveSeconds < 10 || v.keepAliveSeconds > 300) errors.keepAliveSeconds = 'keepAliveRange';
  return dropEmpty(errors);
}

function dropEmpty<F extends string>(errors: FieldErrors<F>): FieldErrors<F> {
  const out: FieldErrors<F> = {};
  for (const [k, v] of Object.entries(errors) as [F, ValidationCode | undefined][]) if (v) out[k] = v;
  return out;
}
