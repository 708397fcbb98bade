// The checks ipc-main.main.ts runs on every message before the core sees it: the sender is our
// window's main frame showing our page (VS Code's validation of IPC senders), and the message is
// {channel, payload} for a contract channel with a valid payload. Pure, so it is unit-tested with fake
// event objects.
import { validateRequest, type ApiError, type RequestChannel } from './contract';

/** The parts of Electron's IpcMainInvokeEvent the check reads. */
export interface IpcSenderInfo {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

export interface IpcGuardOptions {
  /** webContents.id of our window. */
  webContentsId: number;
  /** Is this URL our page (app://softphone/index.html or the dev server's origin)? */
  isOurUrl: (url: string) => boolean;
}

export type IpcCheck = { ok: true; channel: RequestChannel; payload: unknown } | { ok: false; error: ApiError };

/** The parts of a page URL that say which page it is; null when the text is not a URL. */
function pageKey(url: string): { protocol: string; host: string; pathname: string } | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  // file:///C:/… and file:///c:/… are the same file on Windows: the drive letter's case carries no meaning.
  if (parsed.protocol === 'file:') pathname = pathname.replace(/^\/([A-Za-z]):/, (_m, d: string) => `/${d.toLowerCase()}:`);
  if (pathname === '/' && parsed.protocol !== 'file:') pathname = '/index.html';
  return { protocol: parsed.protocol, host: parsed.host.toLowerCase(), pathname };
}

/**
 * Our page: the renderer's index.html (app://softphone/index.html; any #hash or ?query), or any page on the
 * dev server's origin. Compared by parsed scheme, host and decoded path, never as strings: "%20" against a
 * space, a drive letter's case or a trailing "#/settings" must not turn our own page into a stranger.
 */
export function pageUrlMatcher(pageUrl: string, devOrigin?: string): (url: string) => boolean {
  const ours = pageKey(pageUrl);
  let dev: string | null = null;
  try {
    dev = devOrigin ? new URL(devOrigin).origin : null;
  } catch {
    dev = null;
  }
  return (url: string) => {
    const key = pageKey(url);
    if (!key) return false;
    if (ours && key.protocol === ours.protocol && key.host === ours.host && key.pathname === ours.pathname) return true;
    if (!dev) return false;
    try {
      return new URL(url).origin === dev;
    } catch {
      return false;
    }
  };
}

export function checkIpcRequest(event: IpcSenderInfo, message: unknown, options: IpcGuardOptions): IpcCheck {
  const frame = event.senderFrame;
  // senderFrame is null once the frame navigated away or was destroyed: nobody to trust.
  if (event.sender.id !== options.webContentsId || !frame || frame.parent !== null || !options.isOurUrl(frame.url)) {
    return { ok: false, error: { code: 'forbidden', message: 'request from an unknown sender' } };
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return { ok: false, error: { code: 'invalid-request', message: 'a request is {channel, payload}' } };
  }
  const { channel, payload } = message as { channel?: unknown; payload?: unknown };
  if (typeof channel !== 'string') return { ok: false, error: { code: 'invalid-request', message: 'a request is {channel, payload}' } };
  return validateRequest(channel, payload);
}
