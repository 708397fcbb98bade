// `npm start`: the desktop app when Electron's binary is installed, otherwise the same UI served by the
// core on 127.0.0.1 and opened in the system browser; until the UI is built, the headless CLI's help.
// npm ci skips Electron's download (allowScripts): the first start tries it once, quietly.
// When Electron dies before its window opens (Ubuntu 24.04's AppArmor user-namespace restriction aborts
// Chromium's sandbox, no display, a missing library), it says why and starts the browser UI instead.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { explainLaunchFailure } from './electron-launch.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const cli = join(root, 'bin', 'softphone.js');
// The V8 flags of the installed command's shebang (bin/node-flags.json).
const nodeFlags = JSON.parse(readFileSync(join(root, 'bin', 'node-flags.json'), 'utf8'));
const args = process.argv.slice(2);
const hasUi = existsSync(join(root, 'dist', 'renderer', 'index.html'));
const hasShell = existsSync(join(root, 'dist', 'app', 'electron-main.js'));
const triedMarker = join(root, 'node_modules', '.cache', 'softphone', 'electron-download-tried');

/** The Electron binary's path, or null: require('electron') throws when its download never happened. */
function electronBinary() {
  try {
    const resolved = require.resolve('electron');
    // A fresh process: the module caches its answer (and its exception) otherwise.
    const out = spawnSync(process.execPath, ['-e', `try{process.stdout.write(require(${JSON.stringify(resolved)}))}catch{}`], { encoding: 'utf8' });
    const path = out.stdout.trim();
    return path && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/** Runs Electron's own installer once per checkout (it downloads the binary; offline it just fails). */
function tryDownloadOnce() {
  // The user (or CI) said not to download: respect it, and try again on a later start without it.
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD || existsSync(triedMarker)) return;
  let installer;
  try {
    installer = join(dirname(require.resolve('electron/package.json')), 'install.js');
  } catch {
    return;
  }
  if (!existsSync(installer)) return;
  mkdirSync(dirname(triedMarker), { recursive: true });
  writeFileSync(triedMarker, `${new Date().toISOString()}\n`);
  process.stderr.write('softphone: fetching the Electron binary (once)…\n');
  const result = spawnSync(process.execPath, [installer], { cwd: dirname(installer), stdio: 'ignore', timeout: 180_000 });
  if (result.status !== 0) process.stderr.write('softphone: no Electron binary; using the browser UI instead\n');
}

function run(command, commandArgs, env = process.env) {
  const child = spawn(command, commandArgs, { stdio: 'inherit', env });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
}

function runBrowserUi() {
  run(process.execPath, [...nodeFlags, cli, ...(args.length ? args : hasUi ? ['ui', '--open'] : ['--help'])]);
}

/**
 * Electron with its stderr passed through and its tail kept. The main process writes the marker file once its
 * window is ready (SOFTPHONE_START_MARKER, honoured in development only): an exit without it, and not a
 * clean one (a second instance handing over exits 0), is a launch failure.
 */
function runElectron(binary) {
  const markerDir = mkdtempSync(join(tmpdir(), 'softphone-start-'));
  const marker = join(markerDir, 'window-ready');
  // ELECTRON_RUN_AS_NODE (set by some tools) would make the binary a plain Node.
  const env = { ...process.env, SOFTPHONE_START_MARKER: marker };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(binary, [root, ...args], { stdio: ['inherit', 'inherit', 'pipe'], env });
  let tail = '';
  child.stderr.on('data', (chunk) => {
    process.stderr.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-16_384);
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('error', (err) => {
    rmSync(markerDir, { recursive: true, force: true });
    process.stderr.write(`softphone: Electron could not be run (${err.message}); using the browser UI instead\n`);
    runBrowserUi();
  });
  child.on('exit', (code, signal) => {
    const started = existsSync(marker);
    rmSync(markerDir, { recursive: true, force: true });
    if (started || (code === 0 && !signal)) process.exit(code ?? (signal ? 1 : 0));
    const why = explainLaunchFailure({ code, signal, stderr: tail, platform: process.platform, env: process.env });
    process.stderr.write(`\nsoftphone: ${why}\nsoftphone: using the browser UI instead (the same app, served on 127.0.0.1).\n\n`);
    runBrowserUi();
  });
}

let electron = hasUi && hasShell ? electronBinary() : null;
if (hasUi && hasShell && !electron) {
  tryDownloadOnce();
  electron = electronBinary();
}

if (electron) runElectron(electron);
else runBrowserUi();
