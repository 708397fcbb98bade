// Electron preload (sandboxed, context-isolated): exposes window.softphone = {request, on} for the
// contract's channels only; no ipcRenderer, no Node, nothing else reaches the page.
import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadApi } from './preload-api';

const api = createPreloadApi({
  invoke: (channel, message) => ipcRenderer.invoke(channel, message),
  on: (channel, listener) => {
    ipcRenderer.on(channel, listener);
  },
});

contextBridge.exposeInMainWorld('softphone', {
  request: (channel: string, payload: unknown) => api.request(channel as never, payload as never),
  on: (event: string, listener: (payload: unknown) => void) => api.on(event as never, listener as never),
});
