// Electron entry (dist/app/electron-main.js): one locked-down window over the app core, single
// instance, sip:/tel: click-to-call, incoming-call notification, ask before closing during a call,
// un-register on quit. Thin on purpose: everything testable lives in the core and pure helpers.
import { app, BrowserWindow, dialog, Notification, session } from 'electron';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AppCore } from '../app-core/app-core';
import { createNodeAppCore } from '../app-core/app-core.node';
import { pageUrlMatcher } from '../ipc/ipc-guard';
import { registerIpc } from '../ipc/ipc-main.main';
import { createLogger, setLogSink } from '../util/logger';
import { dialTargetFromArgv, dialTargetFromLink } from './protocol-link';
import { createSafeStorageBox } from './safe-storage-box.main';
import { createHeadlessSecretBox } from '../settings/secret-store.node';
import { closeDuringCallQuestion, electronCsp, incomingCallNotice } from './window-policy';

const SHUTDOWN_LIMIT_MS = 6000;

setLogSink((level, scope, msg, data) => {
  process.stderr.write(`${level} [${scope}] ${msg}${data ? ` ${JSON.stringify(data)}` : ''}\n`);
});
const log = createLogger('electron');

// The Vite dev server, only when not packaged (a packaged app never loads anything but its own files).
const devUrl = !app.isPackaged ? process.env.SOFTPHONE_DEV_URL : undefined;
const rendererIndex = join(__dirname, '..', 'renderer', 'index.html');
const isOurUrl = pageUrlMatcher(pathToFileURL(rendererIndex).toString(), devUrl);

let core: AppCore | null = null;
let window: BrowserWindow | null = null;
let pendingDial: string | null = dialTargetFromArgv(process.argv);
let closeConfirmed = false;
let quitState: 'running' | 'stopping' | 'done' = 'running';

function prefill(target: string): void {
  if (core) core.prefillDial(target);
  else pendingDial = target;
}

function showWindow(): void {
  if (!window) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

/** Asks before hanging up; resolves true when the user agreed (or no call is up). */
async function confirmHangup(): Promise<boolean> {
  const calls = core?.activeCalls().length ?? 0;
  if (calls === 0 || closeConfirmed) return true;
  const q = closeDuringCallQuestion(app.getLocale(), calls);
  const options = { type: 'question' as const, buttons: q.buttons, defaultId: 1, cancelId: 1, message: q.message, detail: q.detail };
  const { response } = window && !window.isDestroyed() ? await dialog.showMessageBox(window, options) : await dialog.showMessageBox(options);
  if (response !== 0) return false;
  closeConfirmed = true;
  await core?.hangupAll();
  return true;
}

function registerProtocols(): void {
  for (const scheme of ['sip', 'tel']) {
    if (app.isDefaultProtocolClient(scheme)) continue;
    // Started as `electron .` in development: the OS must relaunch electron with our folder.
    const ok = process.defaultApp && process.argv[1] ? app.setAsDefaultProtocolClient(scheme, process.execPath, [resolve(process.argv[1])]) : app.setAsDefaultProtocolClient(scheme);
    if (!ok) log.info('not the default handler', { scheme });
  }
}

function lockDownSession(): void {
  const csp = electronCsp(devUrl);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  // Audio is handled by the core (PortAudio), never by the page: the page gets no permission at all.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

function createWindow(appCore: AppCore): BrowserWindow {
  const win = new BrowserWindow({
    width: 420,
    height: 720,
    minWidth: 360,
    minHeight: 560,
    show: false,
    title: 'Softphone',
    autoHideMenuBar: true,
    webPreferences: {
      preload: join(__dirname, 'preload.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      devTools: !app.isPackaged,
    },
  });
  const unregister = registerIpc(appCore, win, isOurUrl);
  win.once('ready-to-show', () => win.show());
  win.on('close', (event) => {
    if (closeConfirmed || appCore.activeCalls().length === 0) return;
    event.preventDefault();
    void confirmHangup().then((agreed) => {
      if (agreed && !win.isDestroyed()) win.close();
    });
  });
  win.on('closed', () => {
    unregister();
    window = null;
  });
  if (devUrl) void win.loadURL(devUrl);
  else void win.loadFile(rendererIndex);
  return win;
}

function watchIncomingCalls(appCore: AppCore): void {
  const notified = new Set<string>();
  appCore.on('call.changed', (call) => {
    if (call.direction !== 'incoming' || call.state !== 'ringing' || notified.has(call.id)) return;
    notified.add(call.id);
    if (notified.size > 100) notified.clear();
    showWindow();
    window?.flashFrame(true);
    if (Notification.isSupported()) {
      const notice = incomingCallNotice(app.getLocale(), call.remoteDisplayName, call.remoteUri);
      const n = new Notification({ title: notice.title, body: notice.body, urgency: 'critical', silent: false });
      n.on('click', showWindow);
      n.show();
    }
  });
}

if (!app.requestSingleInstanceLock()) {
  // Another instance owns the phone (and the SIP port): it gets our argv via 'second-instance'.
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    showWindow();
    const target = dialTargetFromArgv(argv);
    if (target) prefill(target);
  });
  // macOS delivers links this way, possibly before 'ready'.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    const target = dialTargetFromLink(url);
    if (target) prefill(target);
    showWindow();
  });

  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event, url) => {
      if (!isOurUrl(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isOurUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  app.on('before-quit', (event) => {
    if (quitState === 'done') return;
    event.preventDefault();
    if (quitState === 'stopping') return;
    void confirmHangup().then(async (agreed) => {
      if (!agreed) return;
      quitState = 'stopping';
      // Hang up, un-register (RFC 3261 §10.2.2), finish writes; bounded so quitting always ends.
      const limit = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_LIMIT_MS));
      await Promise.race([core?.shutdown() ?? Promise.resolve(), limit]);
      quitState = 'done';
      app.quit();
    });
  });

  app.on('window-all-closed', () => app.quit());

  app.on('activate', () => {
    if (!window && core) window = createWindow(core);
  });

  app
    .whenReady()
    .then(async () => {
      if (process.platform === 'win32') app.setAppUserModelId('org.opensoftphone.softphone');
      lockDownSession();
      registerProtocols();
      const dataDir = app.getPath('userData');
      // safeStorage is the OS keychain; without one (Linux basic_text) the unencrypted 0600 file, which says so.
      const secretBox = createSafeStorageBox(createHeadlessSecretBox({ dir: dataDir, keyring: null }));
      const appCore = createNodeAppCore({ dataDir, secretBox, logger: createLogger('app') });
      await appCore.start();
      core = appCore;
      watchIncomingCalls(appCore);
      window = createWindow(appCore);
      if (pendingDial) {
        appCore.prefillDial(pendingDial);
        pendingDial = null;
      }
    })
    .catch((err: Error) => {
      log.error('start failed', { error: err.message });
      dialog.showErrorBox('Softphone could not start', err.message);
      quitState = 'done';
      app.quit();
    });
}
