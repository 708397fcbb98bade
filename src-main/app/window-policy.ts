// What the desktop window may load and do: the app:// origin it is served from, its Content-Security-
// Policy and the texts of the shell. Pure, so the rules are unit-tested without Electron.

/**
 * The renderer is served from app://softphone/ (protocol.handle in app-protocol.main.ts), not file://: one
 * origin, one CSP sent with every response, and no file:// privileges (the grantFileProtocolExtraPrivileges
 * fuse is off).
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'softphone';
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
  woff: 'font/woff',
  wasm: 'application/wasm',
};

/**
 * The renderer file an app:// request asks for, as a relative path with "/" separators, or null for any
 * other host, an encoded separator, a dot segment or a NUL: the handler then answers 404 and never touches
 * a file outside the renderer folder.
 */
export function rendererPathForUrl(url: string): { path: string; contentType: string } | null {
  // An encoded dot is refused outright: URL parsing would quietly resolve "%2e%2e" as "..".
  if (/%2e/i.test(url)) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  // Checked before decoding: %2F or %5C would smuggle a separator past the segment check.
  if (/%(2f|5c|00)/i.test(parsed.pathname)) return null;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (path === '/' || path === '') path = '/index.html';
  const segments = path.split('/').slice(1);
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))) return null;
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  return { path: segments.join('/'), contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream' };
}

/**
 * CSP for the renderer in Electron, sent with every app:// response (and, in development only, added to
 * the dev server's responses). No network at all in production: the UI talks to the core over IPC only,
 * so there is no WebSocket to allow (the browser mode's server sends its own policy naming its exact
 * port). With a dev server: its origin and its HMR socket, nothing else. Styles allow 'unsafe-inline'
 * because Svelte writes style attributes.
 */
export function electronCsp(devOrigin?: string): string {
  let connect = "'none'";
  let extra = '';
  if (devOrigin) {
    const dev = new URL(devOrigin);
    connect = `${dev.origin} ws://${dev.host}`;
    extra = ` ${dev.origin}`;
  }
  return [
    `default-src 'self'${extra}`,
    `script-src 'self'${extra}`,
    `style-src 'self' 'unsafe-inline'${extra}`,
    `img-src 'self' data:${extra}`,
    `font-src 'self'${extra}`,
    `connect-src ${connect}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
  ].join('; ');
}

/** Notification text for an incoming call in the app's language. */
export function incomingCallNotice(locale: string, remoteDisplayName: string, remoteUri: string): { title: string; body: string } {
  const who = remoteDisplayName ? `${remoteDisplayName} <${remoteUri}>` : remoteUri;
  return locale.toLowerCase().startsWith('ko') ? { title: '수신 전화', body: who } : { title: 'Incoming call', body: who };
}

/**
 * Notification text when the other side asks to transfer a call and the account says to ask (issue 11):
 * a REFER ("Bob asks to transfer you to carol") or an INVITE with Replaces ("carol wants to take over
 * your call with Bob"). The window has 30 s to answer before it is declined, so it is brought up.
 */
export function transferRequestNotice(
  locale: string,
  request: { kind: 'refer' | 'replaces'; target: string },
  party: { remoteDisplayName: string; remoteUri: string },
): { title: string; body: string } {
  const who = party.remoteDisplayName || party.remoteUri;
  const ko = locale.toLowerCase().startsWith('ko');
  if (request.kind === 'refer') {
    return ko ? { title: '호 전환 요청', body: `${who} 님이 ${request.target}(으)로 전환을 요청합니다` } : { title: 'Transfer request', body: `${who} asks to transfer you to ${request.target}` };
  }
  return ko ? { title: '통화 인계 요청', body: `${request.target} 님이 ${who} 님과의 통화를 넘겨받으려 합니다` } : { title: 'Call takeover request', body: `${request.target} wants to take over your call with ${who}` };
}

/** The question asked before closing the window (or quitting) with a call up. */
export function closeDuringCallQuestion(locale: string, calls: number): { message: string; detail: string; buttons: [string, string] } {
  if (locale.toLowerCase().startsWith('ko')) {
    return { message: '통화 중입니다', detail: `닫으면 통화 ${calls}건이 끊어집니다.`, buttons: ['끊고 닫기', '취소'] };
  }
  return {
    message: calls === 1 ? 'A call is in progress' : `${calls} calls are in progress`,
    detail: 'Closing the softphone hangs up.',
    buttons: ['Hang up and close', 'Cancel'],
  };
}
