// 3xx handling for outgoing requests (RFC 3261 §8.1.3.4): follow the best Contact of a 301/302, at most
// MAX_REDIRECTS times, never to a URI already tried (a loop).

import { contactsOf, statusText } from './sip-headers';
import { formatSipUri, parseSipUri } from './sip-uri';
import type { SipResponse } from './sip-message';

export const MAX_REDIRECTS = 5;

export interface RedirectTracker {
  /** Request-URIs already tried, normalised. */
  readonly tried: Set<string>;
  redirects: number;
}

export function createRedirectTracker(firstUri: string): RedirectTracker {
  return { tried: new Set([normalise(firstUri)]), redirects: 0 };
}

/** Comparable form: scheme/host lower-cased, port and parameters as parsed (RFC 3261 §19.1.4 loosely). */
function normalise(uri: string): string {
  const u = parseSipUri(uri);
  if (!u) return uri.trim();
  return formatSipUri({ ...u, host: u.host.toLowerCase(), headers: {} });
}

function qOf(params: Record<string, string | null | undefined>): number {
  const q = Number(params.q ?? '1');
  return Number.isFinite(q) ? q : 0;
}

/**
 * The next Request-URI for a 3xx, or why we stop. Only 301/302 are followed (300 wants the user to
 * choose, 305/380 need a proxy or service change we do not implement). Among the Contacts, sip/sips
 * URIs not tried yet, highest q first (§20.10). Records the choice in the tracker.
 */
export function nextRedirect(res: SipResponse, tracker: RedirectTracker): { uri: string } | { error: string } {
  if (res.status !== 301 && res.status !== 302) return { error: statusText(res) };
  if (tracker.redirects >= MAX_REDIRECTS) return { error: `${statusText(res)}: too many redirects (${MAX_REDIRECTS})` };
  const candidates = contactsOf(res)
    .map((c, index) => ({ c, index }))
    .filter(({ c }) => parseSipUri(c.uri) !== null)
    .sort((a, b) => qOf(b.c.params) - qOf(a.c.params) || a.index - b.index);
  if (candidates.length === 0) return { error: `${statusText(res)} without a usable Contact` };
  const fresh = candidates.find(({ c }) => !tracker.tried.has(normalise(c.uri)));
  if (!fresh) return { error: `${statusText(res)}: redirect loop` };
  // RFC 3261 §19.1.5: URI headers (?Subject=...) are not copied into the Request-URI.
  const parsed = parseSipUri(fresh.c.uri);
  const uri = parsed ? formatSipUri({ ...parsed, headers: {} }) : fresh.c.uri;
  tracker.tried.add(normalise(uri));
  tracker.redirects += 1;
  return { uri };
}
