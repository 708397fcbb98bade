// The only ipcMain user: ONE invoke channel for requests (sender and payload checked by ipc-guard
// before the core sees them) and one channel on which core events are sent to our window.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { AppCore } from '../app-core/app-core';
import { EVENT_CHANNELS, IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from './channel-names';
import type { ApiResult, RequestChannel } from './contract';
import { checkIpcRequest, type IpcSenderInfo } from './ipc-guard';

function senderInfo(event: IpcMainInvokeEvent): IpcSenderInfo {
  let frame: IpcSenderInfo['senderFrame'] = null;
  try {
    // Reading senderFrame of a frame that has gone away can throw in some Electron versions.
    const f = event.senderFrame;
    frame = f ? { url: f.url, parent: f.parent } : null;
  } catch {
    frame = null;
  }
  return { sender: { id: event.sender.id }, senderFrame: frame };
}

/** Connects `window` to `core`; returns the function that disconnects it. */
export function registerIpc(core: Pick<AppCore, 'handle' | 'on'>, window: BrowserWindow, isOurUrl: (url: string) => boolean): () => void {
  const webContentsId = window.webContents.id;
  ipcMain.handle(IPC_REQUEST_CHANNEL, async (event, message: unknown): Promise<ApiResult<RequestChannel>> => {
    const checked = checkIpcRequest(senderInfo(event), message, { webContentsId, isOurUrl });
    if (!checked.ok) return { ok: false, error: checked.error };
    return core.handle(checked.channel, checked.payload, { transport: 'ipc', id: `webContents-${event.sender.id}` });
  });
  const unsubscribe = EVENT_CHANNELS.map((event) =>
    core.on(event, (payload) => {
      if (window.isDestroyed() || window.webContents.isDestroyed()) return;
      window.webContents.send(IPC_EVENT_CHANNEL, { event, payload });
    }),
  );
  return () => {
    ipcMain.removeHandler(IPC_REQUEST_CHANNEL);
    for (const off of unsubscribe) off();
  };
}
