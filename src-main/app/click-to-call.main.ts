// Makes the app the sip:/tel: handler when, and only when, the user agreed (click-to-call.ts has the rules):
// asks once in a packaged build, stores the answer in userData/click-to-call.json, and applies it with
// Electron's default-protocol-client calls (Windows: HKCU\Software\Classes, removed again by the
// uninstaller; Linux: xdg-settings with softphone.desktop, named by package.json "desktopName"; macOS:
// Launch Services, sip: only).
import { app, dialog, type BrowserWindow } from 'electron';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../util/logger';
import {
  clickToCallQuestion,
  parseClickToCall,
  registrationBlocked,
  schemesFor,
  serializeClickToCall,
  type ClickToCallChoice,
  type RegistrationContext,
} from './click-to-call';

const STORE = 'click-to-call.json';
const DESKTOP_FILE = 'softphone.desktop';

function storePath(): string {
  return join(app.getPath('userData'), STORE);
}

export function storedChoice(): ClickToCallChoice {
  try {
    return parseClickToCall(readFileSync(storePath(), 'utf8'));
  } catch {
    return 'ask';
  }
}

function store(choice: ClickToCallChoice): void {
  const path = storePath();
  writeFileSync(`${path}.tmp`, serializeClickToCall(choice), { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

/** XDG data folders (user first) that hold applications/softphone.desktop when the deb is installed. */
function desktopFileInstalled(): boolean {
  const user = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  const system = (process.env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':').filter(Boolean);
  return [user, ...system].some((dir) => existsSync(join(dir, 'applications', DESKTOP_FILE)));
}

export function registrationContext(): RegistrationContext {
  return {
    isPackaged: app.isPackaged,
    platform: process.platform,
    desktopFileInstalled: process.platform === 'linux' ? desktopFileInstalled() : true,
    appImage: Boolean(process.env.APPIMAGE),
  };
}

/** Claims the schemes of `choice` and gives back the others it holds. */
function apply(choice: ClickToCallChoice, log: Logger): void {
  const wanted = schemesFor(choice, process.platform);
  for (const scheme of ['sip', 'tel'] as const) {
    const ours = app.isDefaultProtocolClient(scheme);
    if (wanted.includes(scheme) && !ours) {
      if (!app.setAsDefaultProtocolClient(scheme)) log.warn('the system did not make us the handler', { scheme });
    } else if (!wanted.includes(scheme) && ours) {
      app.removeAsDefaultProtocolClient(scheme);
    }
  }
  log.info('click-to-call', { choice, schemes: wanted });
}

/**
 * At start (`fromMenu` false): asks only if never answered, and only where registration is possible.
 * From the Phone menu: always asks, or says why this copy of the app cannot be a handler.
 */
export async function askClickToCall(window: BrowserWindow | null, log: Logger, fromMenu = false): Promise<void> {
  const blocked = registrationBlocked(registrationContext());
  if (blocked) {
    if (fromMenu) await dialog.showMessageBox({ type: 'info', message: blocked });
    return;
  }
  if (!fromMenu && storedChoice() !== 'ask') return;
  const q = clickToCallQuestion(app.getLocale(), process.platform);
  const options = { type: 'question' as const, message: q.message, detail: q.detail, buttons: q.buttons, defaultId: 0, cancelId: q.buttons.length - 1 };
  const { response } = window && !window.isDestroyed() ? await dialog.showMessageBox(window, options) : await dialog.showMessageBox(options);
  const choice = q.answers[response] ?? 'off';
  store(choice);
  apply(choice, log);
}
