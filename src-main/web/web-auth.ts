// Who may use the 127.0.0.1 web server: the holder of the random token (query or cookie), asking by
// the exact host we listen on (defeats DNS rebinding), and for WebSockets from our own page's origin
// (defeats cross-site WebSocket hijacking). Plus the security headers every response carries. Pure.

/** Constant-time comparison, so the token cannot be guessed byte by byte from response times. */
export function tokensEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Cookies are per host, not per port: the name carries the port so two servers do not clash. */
export function tokenCookieName(port: number): string {
  return `softphone_token_${port}`;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name && !out.has(name)) out.set(name, value);
  }
  return out;
}

export interface AuthInput {
  /** Request target as received, e.g. "/ws?token=…". */
  url: string;
  cookie: string | undefined;
  host: string | undefined;
}

export type AuthResult =
  | { ok: true; viaQuery: boolean }
  | { ok: false; status: 401 | 403; reason: string };

/** The Host values we answer to: only the address we print, 127.0.0.1:PORT. */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}`;
}

/** Browsers always send Origin on a WebSocket handshake; only our page's origin may connect. */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  return origin === `http://127.0.0.1:${port}`;
}

export function checkRequestAuth(input: AuthInput, token: string, port: number): AuthResult {
  if (!isAllowedHost(input.host, port)) return { ok: false, status: 403, reason: 'wrong host' };
  let query: string | null = null;
  try {
    query = new URL(input.url, `http://127.0.0.1:${port}`).searchParams.get('token');
  } catch {
    return { ok: false, status: 401, reason: 'bad request target' };
  }
  if (query !== null && tokensEqual(query, token)) return { ok: true, viaQuery: true };
  const cookie = parseCookies(input.cookie).get(tokenCookieName(port));
  if (cookie !== undefined && tokensEqual(cookie, token)) return { ok: true, viaQuery: false };
  return { ok: false, status: 401, reason: 'missing or wrong token' };
}

/** Set after a good ?token= request so the page's scripts, styles and WebSocket need no token in the URL. */
export function tokenCookie(token: string, port: number): string {
  return `${tokenCookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

/**
 * The page's Content-Security-Policy: scripts only from this server, network only to this server's
 * WebSocket. Styles allow 'unsafe-inline' because Svelte writes style attributes in its templates;
 * no script can be injected that way.
 */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    // The page URL carries the token: never send it on as a Referer.
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}
