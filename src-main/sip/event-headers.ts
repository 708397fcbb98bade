// The headers of SIP events (RFC 6665): Event (package and id, §8.2.1), Subscription-State (§8.2.3:
// active / pending / terminated with expires, reason and retry-after), parsed leniently and bounded.

export interface EventHeader {
  /** The package, lower-case ("message-summary", "presence", "dialog"). */
  package: string;
  id?: string;
}

export type SubscriptionStateValue = 'active' | 'pending' | 'terminated';

export interface SubscriptionStateHeader {
  state: SubscriptionStateValue;
  expires?: number;
  /** §4.1.3: deactivated, probation, rejected, timeout, giveup, noresource, invariant. */
  reason?: string;
  retryAfter?: number;
}

function params(parts: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const p of parts) {
    const eq = p.indexOf('=');
    const key = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    if (key) map.set(key, eq < 0 ? '' : p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return map;
}

const seconds = (v: string | undefined): number | undefined => {
  if (v === undefined || !/^\d{1,10}$/.test(v)) return undefined;
  return Math.min(Number(v), 2 ** 31 - 1);
};

/** "presence;id=7" -> { package: 'presence', id: '7' }; null when empty or not a token. */
export function parseEventHeader(text: string | undefined): EventHeader | null {
  if (!text) return null;
  const [name = '', ...rest] = text.slice(0, 500).split(';');
  const pkg = name.trim().toLowerCase();
  if (!/^[a-z0-9!%*_+`'~.-]+$/.test(pkg)) return null;
  const id = params(rest).get('id');
  return id ? { package: pkg, id } : { package: pkg };
}

/** §4.1.3: a NOTIFY matches a subscription by package and id (absent = absent). */
export function sameEvent(a: EventHeader, b: EventHeader): boolean {
  return a.package === b.package && (a.id ?? '') === (b.id ?? '');
}

/** "active;expires=3600" and the like; an unknown state is treated as active (§8.2.3 extension rule is not ours to guess). */
export function parseSubscriptionState(text: string | undefined): SubscriptionStateHeader | null {
  if (!text) return null;
  const [value = '', ...rest] = text.slice(0, 500).split(';');
  const v = value.trim().toLowerCase();
  if (v === '') return null;
  const state: SubscriptionStateValue = v === 'pending' ? 'pending' : v === 'terminated' ? 'terminated' : 'active';
  const p = params(rest);
  const out: SubscriptionStateHeader = { state };
  const expires = seconds(p.get('expires'));
  if (expires !== undefined) out.expires = expires;
  const reason = p.get('reason');
  if (reason && /^[a-z0-9-]{1,40}$/i.test(reason)) out.reason = reason.toLowerCase();
  const retryAfter = seconds(p.get('retry-after'));
  if (retryAfter !== undefined) out.retryAfter = retryAfter;
  return out;
}

/**
 * When to refresh a subscription granted for `expires` seconds: well before it runs out (RFC 6665
 * §4.1.2.2 leaves the margin to us): 32 s early for long ones, half-way for short ones.
 */
export function refreshDelayMs(expires: number): number {
  const s = expires > 64 ? expires - 32 : expires / 2;
  return Math.max(1, s) * 1000;
}
