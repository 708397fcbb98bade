// ipcMain's checks with fake Electron event objects: wrong window, sub-frame, foreign page, bad payload.
import { describe, expect, it } from 'vitest';
import { checkIpcRequest, pageUrlMatcher, type IpcSenderInfo } from '../../../src-main/ipc/ipc-guard';

const index = 'file:///opt/Softphone/resources/app.asar/dist/renderer/index.html';
const options = { webContentsId: 7, isOurUrl: pageUrlMatcher(index) };
const good: IpcSenderInfo = { sender: { id: 7 }, senderFrame: { url: `${index}#/settings`, parent: null } };

describe('ipc guard', () => {
  it('passes a valid request from our main frame with its parsed payload', () => {
    expect(checkIpcRequest(good, { channel: 'call.dial', payload: { target: 'sip:bob@example.com' } }, options)).toEqual({
      ok: true,
      channel: 'call.dial',
      payload: { target: 'sip:bob@example.com' },
    });
  });

  it('refuses other windows, sub-frames, destroyed frames and foreign pages as forbidden', () => {
    const forbidden = { ok: false, error: { code: 'forbidden', message: 'request from an unknown sender' } };
    const msg = { channel: 'app.snapshot', payload: {} };
    expect(checkIpcRequest({ ...good, sender: { id: 8 } }, msg, options)).toEqual(forbidden);
    expect(checkIpcRequest({ ...good, senderFrame: { url: index, parent: {} } }, msg, options)).toEqual(forbidden);
    expect(checkIpcRequest({ ...good, senderFrame: null }, msg, options)).toEqual(forbidden);
    expect(checkIpcRequest({ ...good, senderFrame: { url: 'https://evil.example/', parent: null } }, msg, options)).toEqual(forbidden);
    expect(checkIpcRequest({ ...good, senderFrame: { url: 'file:///tmp/other.html', parent: null } }, msg, options)).toEqual(forbidden);
  });

  it('compares the page by parsed scheme, host and path, not as a string (issue 8)', () => {
    const app = pageUrlMatcher('app://softphone/index.html');
    expect(app('app://softphone/index.html')).toBe(true);
    expect(app('app://softphone/index.html#/settings')).toBe(true);
    expect(app('app://softphone/index.html?lang=ko')).toBe(true);
    expect(app('app://softphone/')).toBe(true);
    expect(app('APP://SOFTPHONE/index.html')).toBe(true);
    expect(app('app://softphone/other.html')).toBe(false);
    expect(app('app://evil/index.html')).toBe(false);
    expect(app('https://softphone/index.html')).toBe(false);
    expect(app('app://softphone/index.html.evil')).toBe(false);
    expect(app('not a url')).toBe(false);
    // What a plain string comparison got wrong: a drive letter's case and percent-encoding.
    const win = pageUrlMatcher('file:///C:/Program%20Files/Softphone/resources/app.asar/dist/renderer/index.html');
    expect(win('file:///c:/Program Files/Softphone/resources/app.asar/dist/renderer/index.html#/')).toBe(true);
    expect(win('file:///C:/Program%20Files/Softphone/resources/app.asar/dist/renderer/other.html')).toBe(false);
    expect(win('file:///D:/Program%20Files/Softphone/resources/app.asar/dist/renderer/index.html')).toBe(false);
  });

  it('accepts the dev server origin only when configured', () => {
    const dev = { webContentsId: 7, isOurUrl: pageUrlMatcher(index, 'http://127.0.0.1:5173') };
    const fromDev: IpcSenderInfo = { sender: { id: 7 }, senderFrame: { url: 'http://127.0.0.1:5173/index.html', parent: null } };
    expect(checkIpcRequest(fromDev, { channel: 'app.snapshot', payload: {} }, dev).ok).toBe(true);
    expect(checkIpcRequest(fromDev, { channel: 'app.snapshot', payload: {} }, options).ok).toBe(false);
    expect(checkIpcRequest({ ...fromDev, senderFrame: { url: 'http://127.0.0.1:5174/', parent: null } }, { channel: 'app.snapshot' }, dev).ok).toBe(false);
  });

  it('answers malformed messages and payloads with typed errors', () => {
    expect(checkIpcRequest(good, 'call.dial', options)).toEqual({ ok: false, error: { code: 'invalid-request', message: 'a request is {channel, payload}' } });
    expect(checkIpcRequest(good, { channel: 'shell.exec', payload: {} }, options)).toEqual({ ok: false, error: { code: 'unknown-channel', message: 'unknown channel: shell.exec' } });
    const bad = checkIpcRequest(good, { channel: 'call.mute', payload: { callId: '', muted: 'yes' } }, options);
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.code).toBe('invalid-request');
    expect(Object.keys(bad.error.fields ?? {}).sort()).toEqual(['callId', 'muted']);
  });
});
