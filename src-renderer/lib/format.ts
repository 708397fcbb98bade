// Pure display helpers shared by the views: durations, clock times, SIP URIs shown as party names.

/** "00:12", "12:34", "1:02:03" (call timers and history durations). */
export function formatDuration(totalSeconds: number): string {
  const s = Number.isFinite(totalSeconds) && totalSeconds > 0 ? Math.floor(totalSeconds) : 0;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${two(m)}:${two(sec)}`;
}

/** Seconds a call has been connected at `now` (0 before it connects). */
export function connectedSeconds(connectedAt: number | null, now: number): number {
  if (connectedAt === null) return 0;
  return Math.max(0, Math.floor((now - connectedAt) / 1000));
}

/** The user part of a SIP/tel URI ("sip:bob@example.com" -> "bob"), or the input when it is none. */
export function uriUser(uri: string): string {
  const m = /^(?:sips?:|tel:)?([^@;?]+)(?:@|$)/i.exec(uri.trim().replace(/^<|>$/g, ''));
  return m?.[1] ?? uri;
}

/** What to call the other party: the display name when there is one, else the URI's user part. */
export function partyName(displayName: string, uri: string): string {
  const name = displayName.trim();
  return name !== '' ? name : uriUser(uri);
}

/** Time of day for history rows; the date too when it is not today. */
export function formatWhen(ms: number, now: number, locale: string): string {
  const d = new Date(ms);
  const sameDay = new Date(now).toDateString() === d.toDateString();
  const opts: Intl.DateTimeFormatOptions = sameDay
    ? { hour: '2-digit', minute: '2-digit' }
    : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' };
  try {
    return new Intl.DateTimeFormat(locale, opts).format(d);
  } catch {
    return d.toISOString();
  }
}

/** Date and time of a history entry in the UI language ("Dec 3, 2026, 10:37 AM", "2026. 12. 3. 오전 10:37"). */
export function formatDateTime(ms: number, locale: string): string {
  const d = new Date(ms);
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
  } catch {
    return d.toISOString();
  }
}

/** "+0 ms", "+1234 ms": offsets in the call-flow ladder, from the first message. */
export function formatOffset(ms: number): string {
  return `+${Math.max(0, Math.round(ms))} ms`;
}

/** "10:37:44.123": wall-clock time of a SIP message, locale-neutral like a packet capture. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** "192.0.2.1:5060", "[2001:db8::1]:5060" (addresses in the Network view). */
export function formatHostPort(a: { address: string; port: number }): string {
  return a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
