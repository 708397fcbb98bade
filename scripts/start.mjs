// `npm start`: the desktop app when Electron's binary is installed, otherwise the same UI served by the
// core on 127.0.0.1 and opened in the system browser; until the UI is built, the headless CLI's help.
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'softphone.js');
const args = process.argv.slice(2);
const hasUi = existsSync(join(root, 'dist', 'renderer', 'index.html'));
const child = spawn(process.execPath, [cli, ...(args.length ? args : hasUi ? ['ui', '--open'] : ['--help'])], {
  stdio: 'inherit',
});
child.on('exit', (code) => process.exit(code ?? 0));
