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
  /** Is this URL our page (file:// index.html or the dev server's origin)? */
  isOurUrl: (url: string) => boolean;
}

export type IpcCheck = { ok: true; channel: RequestChannel; payload: unknown } | { ok: false; error: ApiError };

/** Our page: the renderer's index.html by file URL (any #hash/?query), or a page on the dev server origin. */
export function pageUrlMatcher(indexFileUrl: string, devOrigin?: string): (url: string) => boolean {
  const base = indexFileUrl.split(/[?#]/)[0];
  return (url: string) => {
    if (url.split(/[?#]/)[0] === base) return true;
    if (!devOrigin) return false;
    try {
      return new URL(url).origin === new URL(devOrigin).origin;
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
