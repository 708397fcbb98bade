// Where headless/web mode keeps its data when no --data-dir is given ($XDG_CONFIG_HOME/softphone,
// %APPDATA%\softphone, ~/Library/Application Support/softphone); the desktop app uses Electron's userData.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA || join(homedir(), 'AppData', 'Roaming'), 'softphone');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'softphone');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'softphone');
}
