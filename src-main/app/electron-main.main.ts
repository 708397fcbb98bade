// Electron entry (dist/app/electron-main.js): one locked-down window over the app core, served from app://,
// single instance, sip:/tel: click-to-call after the user agreed, incoming-call notification, microphone
// consent before the first call, logs in the OS logs folder, ask before closing during a call, un-register on
// quit. Thin on purpose: everything testable lives in the core and pure helpers.
import { app, BrowserWindow, dialog, Menu, Notification, session, type MenuItemConstructorOptions } from 'electron';
import { writeFileSync } from 'node:fs';
import nodeFlags from '../../bin/node-flags.json';
import { join } from 'node:path';
import type { AppCore } from '../app-core/app-core';
import { createNodeAppCore } from '../app-core/app-core.node';
import { pageUrlMatcher } from '../ipc/ipc-guard';
import { registerIpc } from '../ipc/ipc-main.main';
import { openFileLogSink } from '../util/log-file.node';
import { createLogger, setLogSink } from '../util/logger';
import { registerAppScheme, serveRenderer } from './app-protocol.main';
import { askClickToCall } from './click-to-call.main';
import { refuseDevOverrides } from './dev-overrides';
import { withMicrophoneCheck } from './media-access.main';
import { dialTargetFromArgv, dialTargetFromLink } from './protocol-link';
import { createSafeStorageBox } from './safe-storage-box.main';
import { createHeadlessSecretBox } from '../settings/secret-store.node';
import { APP_INDEX_URL, closeDuringCallQuestion, electronCsp, incomingCallNotice, transferRequestNotice } from './window-policy';

const SHUTDOWN_LIMIT_MS = 6000;

// Before anything reads them (the core, the media worker): a packaged app ignores development overrides.
const refused = refuseDevOverrides(process.env, app.isPackaged);

// A packaged app has no terminal: the log goes to the OS logs folder (Linux ~/.config/Softphone/logs,
// macOS ~/Library/Logs/Softphone, Windows %APPDATA%\Softphone\logs), and to stderr as well in development.
const fileLog = (() => {
  try {
    return openFileLogSink(app.getPath('logs'));
  } catch {
    return null;
  }
})();
setLogSink((level, scope, msg, data) => {
  fileLog?.sink(level, scope, msg, data);
  if (!app.isPackaged) process.stderr.write(`${level} [${scope}] ${msg}${data ? ` ${JSON.stringify(data)}` : ''}\n`);
});
const log = createLogger('electron');
if (refused.length > 0) log.warn('ignored development-only environment variables in the packaged app', { names: refused });

// The Vite dev server, only when not packaged (a packaged app never loads anything but its own files).
const devUrl = !app.isPackaged ? process.env.SOFTPHONE_DEV_URL : undefined;
const rendererRoot = join(__dirname, '..', 'renderer');
const isOurUrl = pageUrlMatcher(APP_INDEX_URL, devUrl);
const csp = electronCsp(devUrl);

// Privileged schemes must be known before 'ready'.
registerAppScheme();
// The same V8 young-generation cap as the headless command's shebang (bin/node-flags.json): the core
// runs in this main process. js-flags must be set before the app is ready.
app.commandLine.appendSwitch('js-flags', nodeFlags.join(' '));

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

function lockDownSession(): void {
  serveRenderer(rendererRoot, csp);
  // Development only: the dev server's pages get the same policy as a header.
  if (devUrl) {
    const devOrigin = new URL(devUrl).origin;
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      if (!details.url.startsWith(devOrigin)) return callback({});
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
    });
  }
  // Audio is handled by the core (PortAudio, in the main process), never by the page: the page gets no
  // permission at all, 'media' included, and no device access.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.setDevicePermissionHandler(() => false);
}

function setMenu(): void {
  const mac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'Phone',
      submenu: [
        { label: mac ? 'Open sip: Links with Softphone…' : 'Open sip: and tel: Links with Softphone…', click: () => void askClickToCall(window, log, true) },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
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
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: !app.isPackaged,
    },
  });
  const unregister = registerIpc(withMicrophoneCheck(appCore), win, isOurUrl);
  win.once('ready-to-show', () => {
    win.show();
    // `npm start` (scripts/start.mjs) learns from this file that Electron really started.
    const marker = !app.isPackaged ? process.env.SOFTPHONE_START_MARKER : undefined;
    if (marker) writeFileSync(marker, `${process.pid}\n`);
    void askClickToCall(win, log);
  });
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
  void win.loadURL(devUrl ?? APP_INDEX_URL);
  return win;
}

function watchIncomingCalls(appCore: AppCore): void {
  const notified = new Set<string>();
  // Kept referenced until the call stops ringing: a collected Notification loses its click handler.
  const notices = new Map<string, Notification>();
  appCore.on('call.changed', (call) => {
    // Issue 11: a transfer the account asks about waits 30 s for an answer in the window.
    const asked = call.transferRequest;
    if (asked && !notified.has(asked.requestId)) {
      notified.add(asked.requestId);
      showWindow();
      window?.flashFrame(true);
      // Replaces names the call it would take over; REFER's party is the call's own peer.
      const party = asked.kind === 'replaces' ? (appCore.snapshot().calls.find((c) => c.id === asked.replacesCallId) ?? call) : call;
      if (Notification.isSupported()) {
        const notice = transferRequestNotice(app.getLocale(), asked, party);
        const n = new Notification({ title: notice.title, body: notice.body, urgency: 'critical' });
        n.on('click', showWindow);
        // The INVITE with Replaces rings: this notice stands for it, and closes as an incoming call's does.
        if (asked.kind === 'replaces') {
          notified.add(call.id);
          notices.set(call.id, n);
          n.on('close', () => {
            if (notices.get(call.id) === n) notices.delete(call.id);
          });
        }
        n.show();
      }
    }
    const shown = notices.get(call.id);
    if (shown && (call.state !== 'ringing' || call.direction !== 'incoming')) {
      // Answered, declined, cancelled or missed: the notice is no longer true.
      shown.close();
      notices.delete(call.id);
    }
    if (call.direction !== 'incoming' || call.state !== 'ringing' || notified.has(call.id)) return;
    notified.add(call.id);
    if (notified.size > 100) notified.clear();
    showWindow();
    window?.flashFrame(true);
    if (Notification.isSupported()) {
      const notice = incomingCallNotice(app.getLocale(), call.remoteDisplayName, call.remoteUri);
      const n = new Notification({ title: notice.title, body: notice.body, urgency: 'critical', silent: false });
      n.on('click', showWindow);
      n.on('close', () => {
        if (notices.get(call.id) === n) notices.delete(call.id);
      });
      notices.set(call.id, n);
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
      fileLog?.close();
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
      setMenu();
      log.info('starting', { version: app.getVersion(), packaged: app.isPackaged, logs: fileLog?.path });
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
