// message/sipfrag bodies of REFER's NOTIFYs (RFC 3420, RFC 3515 §2.4.5) and the Subscription-State
// header (RFC 6665 §8.2.3): building ours, reading the peer's. Pure; the peer's text is hostile.

/** The sipfrag media type with the version RFC 3515 §2.4.5 shows. */
export const SIPFRAG_TYPE = 'message/sipfrag;version=2.0';
/** A status line is short; anything longer than this is not read (the rest of a sipfrag is ignored). */
const MAX_STATUS_LINE = 256;

export interface SipfragStatus {
  status: number;
  reason: string;
}

/** "SIP/2.0 200 OK\r\n": the body of a NOTIFY reporting the referred request's status (RFC 3515 §2.4.5). */
export function buildSipfrag(status: number, reason: string): string {
  const clean = reason.replace(/[\r\n]+/g, ' ').slice(0, 100);
  return `SIP/2.0 ${status} ${clean}\r\n`;
}

/**
 * The status line of a sipfrag body, or null when it has none we can read. RFC 3515 §2.4.5: the body
 * MUST at least hold the status line of the referred request's response.
 */
export function parseSipfrag(body: string | undefined): SipfragStatus | null {
  if (!body) return null;
  const first = body.replace(/^[\r\n]+/, '').split(/\r?\n/, 1)[0] ?? '';
  if (first.length > MAX_STATUS_LINE) return null;
  const m = /^SIP\/2\.0[ \t]+([1-6]\d\d)(?:[ \t]+([^\r\n]*))?$/i.exec(first.trimEnd());
  if (!m) return null;
  // A reason phrase is shown to the user: keep printable characters only.
  const reason = (m[2] ?? '').replace(/[^\x20-\x7e\u00a0-\uffff]/g, '').slice(0, 100);
  return { status: Number(m[1]), reason };
}

/** True for the media type of a sipfrag body (parameters and case ignored). */
export function isSipfrag(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'message/sipfrag';
}

export interface SubscriptionState {
  state: 'active' | 'pending' | 'terminated';
  reason?: string;
  expires?: number;
}

/** RFC 6665 §8.2.3 Subscription-State, or null when missing or not one of the three states. */
export function parseSubscriptionState(value: string | undefined): SubscriptionState | null {
  if (!value || value.length > 256) return null;
  const [head, ...params] = value.split(';').map((s) => s.trim());
  const state = head?.toLowerCase();
  if (state !== 'active' && state !== 'pending' && state !== 'terminated') return null;
  const out: SubscriptionState = { state };
  for (const p of params) {
    const [k, v] = p.split('=').map((s) => s.trim());
    if (k?.toLowerCase() === 'reason' && v && /^[\w-]{1,40}$/.test(v)) out.reason = v.toLowerCase();
    if (k?.toLowerCase() === 'expires' && v && /^\d{1,9}$/.test(v)) out.expires = Number(v);
  }
  return out;
}

/** The event package of an Event header ("refer;id=2" -> "refer"), lower case. */
export function eventPackage(value: string | undefined): string {
  return (value ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
