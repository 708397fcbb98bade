// REFER (RFC 3515): the Refer-To of our blind and attended transfers (with Replaces, RFC 3891 §6.2),
// and the judgement of a peer's Refer-To before we act on it. Pure; the peer's text is hostile.
import { parseReplaces, type ReplacesTarget } from './replaces';
import { parseSipUri } from './sip-uri';

const MAX_REFER_TO = 1024;

/**
 * The Refer-To URI: `target`, with the Replaces header escaped into it for an attended transfer
 * (RFC 3261 §19.1.1 headers in a URI; RFC 3891 §6.2: Replaces in Refer-To). The URI's own headers
 * and any previous "?…" part are dropped: only Replaces travels.
 */
export function referToUri(target: string, replaces?: string): string {
  const base = target.replace(/^<|>$/g, '').split('?', 1)[0] ?? target;
  return replaces ? `${base}?Replaces=${encodeURIComponent(replaces)}` : base;
}

export interface ReferTarget {
  /** The URI to INVITE, without its headers. */
  uri: string;
  /** RFC 3891: the dialog the new INVITE replaces at its target (attended transfer). */
  replaces?: ReplacesTarget;
  /** The raw Replaces value to copy into the INVITE. */
  replacesText?: string;
}

/**
 * A peer's Refer-To (already stripped of its name-addr brackets): a sip/sips URI we may INVITE, or why
 * not. RFC 3515 §2.4.2 lets us refuse a URI scheme we do not handle; only the Replaces header of the
 * URI is honoured (others, e.g. a forged From or Route, could steer our INVITE), method must be INVITE.
 */
export function judgeReferTo(value: string | undefined): { target: ReferTarget } | { reason: string } {
  if (!value || value.length > MAX_REFER_TO) return { reason: 'missing or over-long Refer-To' };
  const raw = value.trim().replace(/^<|>$/g, '');
  const q = raw.indexOf('?');
  const uri = q < 0 ? raw : raw.slice(0, q);
  const parsed = parseSipUri(uri);
  if (!parsed || !/^sips?:/i.test(uri)) return { reason: `Refer-To is not a SIP URI: ${uri.slice(0, 80)}` };
  if (/;\s*method=(?!INVITE\b)/i.test(uri)) return { reason: 'Refer-To asks for a method other than INVITE' };
  const target: ReferTarget = { uri };
  if (q >= 0) {
    for (const part of raw.slice(q + 1).split('&')) {
      const eq = part.indexOf('=');
      if (eq < 0 || part.slice(0, eq).toLowerCase() !== 'replaces') continue;
      let decoded: string;
      try {
        decoded = decodeURIComponent(part.slice(eq + 1));
      } catch {
        return { reason: 'Refer-To carries a badly escaped Replaces' };
      }
      const replaces = parseReplaces(decoded);
      if (!replaces) return { reason: 'Refer-To carries a malformed Replaces' };
      target.replaces = replaces;
      target.replacesText = decoded;
    }
  }
  return { target };
}
