// The shipped main-process bundle (dist/app/electron-main.js) run as a packaged app, without Electron's
// binary: a stand-in `electron` module (injected through Module._resolveFilename) records what the bundle
// asks of Electron and plays the user. The real app core starts on a free UDP port. Checked: development
// overrides dropped, the app:// scheme privileged before 'ready' and its handler serving the UI with the
// CSP (and nothing outside the renderer folder), no permission for the page, the window's isolation
// options, the IPC guard (a foreign page is forbidden; our page is served), navigation refused, the
// microphone asked before a call, click-to-call only after the user's answer, and the log file.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES, defaultSettings } from '../../src-main/settings/settings-schema';
import { IPC_REQUEST_CHANNEL } from '../../src-main/ipc/channel-names';
import { freeUdpPort } from '../support/free-port';

const ROOT = resolve(__dirname, '../..');
const BUNDLE = join(ROOT, 'dist', 'app', 'electron-main.js');
const built = existsSync(BUNDLE) && existsSync(join(ROOT, 'dist', 'renderer', 'index.html'));
if (!built) console.warn('\n*** electron-main-bundle: dist/ not built (node scripts/build.mjs): SKIPPED ***\n');

type Fn = (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What the bundle did with the stand-in Electron. */
interface Recorded {
  calls: string[];
  appEvents: Map<string, Fn>;
  privileged: unknown[];
  protocolHandlers: Map<string, Fn>;
  permissionRequest?: Fn;
  permissionCheck?: Fn;
  ipcHandlers: Map<string, Fn>;
  windows: { options: Record<string, any>; loaded: string[]; once: Map<string, Fn>; webContents: { id: number } }[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  dialogs: { message: string; buttons?: string[] }[];
  dialogAnswer: number;
  mediaStatus: string;
  askedForMedia: number;
  defaultClients: Set<string>;
  quit: Promise<void>;
}

function fakeElectron(dir: string, rec: Recorded, ready: Promise<void>, onQuit: () => void): Record<string, unknown> {
  let nextId = 1;
  class BrowserWindow {
    webContents = { id: nextId++, send: () => {}, isDestroyed: () => false, on: () => {} };
    private w: Recorded['windows'][number];
    constructor(options: Record<string, unknown>) {
      this.w = { options, loaded: [], once: new Map(), webContents: this.webContents };
      rec.windows.push(this.w);
    }
    once(event: string, fn: Fn) {
      this.w.once.set(event, fn);
    }
    on() {}
    loadURL(url: string) {
      this.w.loaded.push(url);
      return Promise.resolve();
    }
    loadFile(file: string) {
      this.w.loaded.push(`loadFile:${file}`);
      return Promise.resolve();
    }
    show() {}
    focus() {}
    restore() {}
    flashFrame() {}
    isMinimized() {
      return false;
    }
    isDestroyed() {
      return false;
    }
    close() {}
  }
  class Notification {
    static isSupported() {
      return true;
    }
    on() {}
    show() {}
    close() {}
  }
  return {
    app: {
      isPackaged: true,
      getPath: (name: string) => join(dir, name),
      getLocale: () => 'en-US',
      getVersion: () => '0.1.0',
      requestSingleInstanceLock: () => true,
      commandLine: { appendSwitch: (name: string, value?: string) => rec.calls.push(`appendSwitch ${name} ${value ?? ''}`) },
      whenReady: () => {
        rec.calls.push('app.whenReady');
        return ready;
      },
      on: (event: string, fn: Fn) => rec.appEvents.set(event, fn),
      quit: () => {
        rec.calls.push('app.quit');
        onQuit();
      },
      setAppUserModelId: () => {},
      isDefaultProtocolClient: (s: string) => rec.defaultClients.has(s),
      setAsDefaultProtocolClient: (s: string) => {
        rec.calls.push(`setAsDefaultProtocolClient:${s}`);
        rec.defaultClients.add(s);
        return true;
      },
      removeAsDefaultProtocolClient: (s: string) => {
        rec.calls.push(`removeAsDefaultProtocolClient:${s}`);
        return rec.defaultClients.delete(s);
      },
    },
    BrowserWindow,
    Notification,
    dialog: {
      showMessageBox: async (...args: unknown[]) => {
        const options = args.find((a) => a && typeof a === 'object' && 'message' in (a as object)) as { message: string; buttons?: string[] };
        rec.dialogs.push(options);
        return { response: rec.dialogAnswer };
      },
      showErrorBox: (title: string, message: string) => rec.calls.push(`showErrorBox:${title}:${message}`),
    },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: () => rec.calls.push('Menu.setApplicationMenu') },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        rec.calls.push('protocol.registerSchemesAsPrivileged');
        rec.privileged.push(...schemes);
      },
      handle: (scheme: string, fn: Fn) => {
        rec.calls.push(`protocol.handle:${scheme}`);
        rec.protocolHandlers.set(scheme, fn);
      },
    },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: () => rec.calls.push('webRequest.onHeadersReceived') },
        setPermissionRequestHandler: (fn: Fn) => (rec.permissionRequest = fn),
        setPermissionCheckHandler: (fn: Fn) => (rec.permissionCheck = fn),
        setDevicePermissionHandler: () => {},
      },
    },
    ipcMain: { handle: (channel: string, fn: Fn) => rec.ipcHandlers.set(channel, fn), removeHandler: (c: string) => rec.ipcHandlers.delete(c) },
    safeStorage: { isEncryptionAvailable: () => false, getSelectedStorageBackend: () => 'basic_text' },
    systemPreferences: {
      getMediaAccessStatus: () => rec.mediaStatus,
      askForMediaAccess: async () => {
        rec.askedForMedia++;
        rec.mediaStatus = 'denied';
        return false;
      },
    },
  };
}

describe.skipIf(!built)('dist/app/electron-main.js with a stand-in electron', () => {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-main-'));
  let onQuit: () => void = () => {};
  const rec: Recorded = {
    calls: [],
    appEvents: new Map(),
    privileged: [],
    protocolHandlers: new Map(),
    ipcHandlers: new Map(),
    windows: [],
    dialogs: [],
    dialogAnswer: 1,
    mediaStatus: 'granted',
    askedForMedia: 0,
    defaultClients: new Set(),
    quit: new Promise<void>((resolve) => (onQuit = resolve)),
  };
  let makeReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (makeReady = resolve));
  const savedEnv = { ...process.env };
  const M = Module as unknown as { _resolveFilename: Fn; _cache: Record<string, unknown> };
  const originalResolve = M._resolveFilename;
  const FAKE_ID = join(dir, 'electron-stand-in.js');

  beforeAll(async () => {
    // A saved preference puts the SIP socket on a free port (the default 5060 may be taken here).
    mkdirSync(join(dir, 'userData'), { recursive: true });
    const settings = { ...defaultSettings(), preferences: { ...DEFAULT_PREFERENCES, sipPort: await freeUdpPort('0.0.0.0') } };
    writeFileSync(join(dir, 'userData', 'settings.json'), JSON.stringify(settings));
    const fake = new Module(FAKE_ID);
    fake.exports = fakeElectron(dir, rec, ready, () => onQuit());
    (fake as unknown as { loaded: boolean }).loaded = true;
    M._cache[FAKE_ID] = fake;
    M._resolveFilename = function (request: string, ...rest: unknown[]) {
      return request === 'electron' ? FAKE_ID : originalResolve.call(this, request, ...rest);
    };
    process.env.SOFTPHONE_MEDIA_WORKER = join(dir, 'evil-worker.js');
    process.env.SOFTPHONE_AUDIO_RECORD = join(dir, 'call.wav');
    process.env.XDG_DATA_HOME = join(dir, 'xdg');
    delete process.env.XDG_DATA_DIRS;
    delete process.env.APPIMAGE;
    createRequire(__filename)(BUNDLE);
  });

  afterAll(async () => {
    // Quit as the app does (hang up, un-register, close the log) so no socket outlives the test.
    const beforeQuit = rec.appEvents.get('before-quit');
    if (beforeQuit) {
      beforeQuit({ preventDefault: () => {} });
      await rec.quit;
    }
    M._resolveFilename = originalResolve;
    delete M._cache[FAKE_ID];
    process.env = savedEnv;
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops development overrides and registers app:// as privileged before ready', () => {
    expect(process.env.SOFTPHONE_MEDIA_WORKER).toBeUndefined();
    expect(process.env.SOFTPHONE_AUDIO_RECORD).toBeUndefined();
    expect(rec.privileged).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect(rec.calls.indexOf('protocol.registerSchemesAsPrivileged')).toBeLessThan(rec.calls.indexOf('app.whenReady'));
    expect(rec.protocolHandlers.size).toBe(0);
    // The core runs in this process: V8's young generation is capped as for the headless command.
    expect(rec.calls).toContain('appendSwitch js-flags --max-semi-space-size=4');
    expect(rec.calls.indexOf('appendSwitch js-flags --max-semi-space-size=4')).toBeLessThan(rec.calls.indexOf('app.whenReady'));
  });

  it('after ready: serves the UI from app:// with the CSP, locks the session and opens an isolated window', async () => {
    // A desktop file as the deb installs it, so click-to-call may be offered once the window shows.
    mkdirSync(join(dir, 'xdg', 'applications'), { recursive: true });
    writeFileSync(join(dir, 'xdg', 'applications', 'softphone.desktop'), '[Desktop Entry]\n');
    makeReady();
    await expect.poll(() => rec.windows.length, { timeout: 20_000 }).toBe(1);
    expect(rec.calls.filter((c) => c.startsWith('showErrorBox'))).toEqual([]);

    const handler = rec.protocolHandlers.get('app') as Fn;
    const index = (await handler({ url: 'app://softphone/index.html', method: 'GET' })) as Response;
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const policy = index.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("connect-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toMatch(/ws:|\*/);
    const html = await index.text();
    expect(html).toContain('<div id="app"></div>');
    const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeTruthy();
    const js = (await handler({ url: `app://softphone/${script}`, method: 'GET' })) as Response;
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    for (const url of ['app://softphone/../app/electron-main.js', 'app://softphone/%2e%2e/app/electron-main.js', 'app://softphone/..%2Fapp%2Felectron-main.js', 'app://other/index.html', 'app://softphone/nope.html']) {
      expect(((await handler({ url, method: 'GET' })) as Response).status, url).toBe(404);
    }
    expect(((await handler({ url: 'app://softphone/index.html', method: 'POST' })) as Response).status).toBe(404);
    // Production: no header injection for other origins.
    expect(rec.calls).not.toContain('webRequest.onHeadersReceived');

    // The page gets no permission, not even audio 'media' (audio is PortAudio in the main process).
    for (const [permission, details] of [['media', { mediaTypes: ['audio'] }], ['notifications', {}], ['geolocation', {}]] as const) {
      let granted: boolean | undefined;
      rec.permissionRequest?.({}, permission, (ok: boolean) => (granted = ok), details);
      expect(granted, permission).toBe(false);
      expect(rec.permissionCheck?.({}, permission, 'app://softphone', details)).toBe(false);
    }

    const win = rec.windows[0]!;
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, devTools: false, webviewTag: false });
    expect(win.options.webPreferences.preload).toBe(join(ROOT, 'dist', 'app', 'preload.js'));
    expect(win.loaded).toEqual(['app://softphone/index.html']);
  });

  it('answers only our page over IPC and refuses foreign navigation', async () => {
    const win = rec.windows[0]!;
    const handle = rec.ipcHandlers.get(IPC_REQUEST_CHANNEL) as Fn;
    const event = (url: string) => ({ sender: { id: win.webContents.id }, senderFrame: { url, parent: null } });
    const request = { channel: 'app.snapshot', payload: {} };
    for (const url of ['https://evil.example/', 'file:///tmp/index.html', 'app://softphone/other.html', 'app://evil/index.html']) {
      expect(await handle(event(url), request), url).toEqual({ ok: false, error: { code: 'forbidden', message: 'request from an unknown sender' } });
    }
    expect(((await handle({ ...event('app://softphone/index.html'), sender: { id: 999 } }, request)) as { ok: boolean }).ok).toBe(false);
    const ours = (await handle(event('app://softphone/index.html#/history'), request)) as { ok: boolean };
    expect(ours.ok).toBe(true);

    const listeners = new Map<string, Fn>();
    rec.appEvents.get('web-contents-created')?.({}, { setWindowOpenHandler: (fn: Fn) => listeners.set('open', fn), on: (e: string, fn: Fn) => listeners.set(e, fn) });
    expect(listeners.get('open')?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    let prevented = 0;
    listeners.get('will-navigate')?.({ preventDefault: () => prevented++ }, 'https://evil.example/');
    listeners.get('will-navigate')?.({ preventDefault: () => prevented++ }, 'app://softphone/index.html#/settings');
    expect(prevented).toBe(1);
  });

  it('asks for the microphone before a call on macOS and refuses the call with a clear message when denied', async () => {
    const win = rec.windows[0]!;
    const handle = rec.ipcHandlers.get(IPC_REQUEST_CHANNEL) as Fn;
    const platform = Object.getOwnPropertyDescriptor(process, 'platform')!;
    rec.mediaStatus = 'not-determined';
    Object.defineProperty(process, 'platform', { value: 'darwin' });
    let result: { ok: boolean; error?: { message: string } };
    try {
      result = await handle({ sender: { id: win.webContents.id }, senderFrame: { url: 'app://softphone/index.html', parent: null } }, { channel: 'call.dial', payload: { target: 'sip:bob@127.0.0.1' } });
    } finally {
      Object.defineProperty(process, 'platform', platform);
    }
    expect(rec.askedForMedia).toBe(1);
    expect(result.ok).toBe(false);
    expect(result.error?.message).toMatch(/System Settings > Privacy & Security > Microphone/);
  });

  it('claims no handler until the user answers, then only the schemes chosen', async () => {
    expect(rec.calls.filter((c) => c.startsWith('setAsDefaultProtocolClient'))).toEqual([]);
    rec.dialogAnswer = 1; // "sip: only"
    rec.windows[0]!.once.get('ready-to-show')?.();
    await expect.poll(() => rec.calls.filter((c) => c.startsWith('setAsDefaultProtocolClient'))).toEqual(['setAsDefaultProtocolClient:sip']);
    expect(rec.dialogs.at(-1)?.message).toBe('Open sip: and tel: links with Softphone?');
    expect(JSON.parse(readFileSync(join(dir, 'userData', 'click-to-call.json'), 'utf8'))).toMatchObject({ choice: 'sip' });
  });

  it('writes its log to the OS logs folder, saying which overrides it ignored', () => {
    const logText = readFileSync(join(dir, 'logs', 'softphone.log'), 'utf8');
    expect(logText).toContain('ignored development-only environment variables in the packaged app');
    expect(logText).toContain('SOFTPHONE_MEDIA_WORKER');
    expect(logText).toMatch(/INFO {2}\[electron\] starting \{"version":"0\.1\.0","packaged":true/);
  });
});
