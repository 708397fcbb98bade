// postinstall, after patch-package: npm builds naudiodon BEFORE our postinstall applies
// patches/naudiodon+2.3.6.patch (RUNPATH $ORIGIN instead of its absolute build folder), so on the first
// `npm ci` the addon is built from the unpatched binding.gyp. Rebuild it once, only when the built addon
// still names an absolute folder: packaged into app.asar.unpacked it would otherwise miss its bundled
// libportaudio.so.2 (issue 8, point 1). Linux only: macOS links with @loader_path already, and Windows
// finds portaudio_x64.dll next to the .node (LoadLibraryEx with the altered search path).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { absoluteSearchPaths } from './elf-runpath.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function addonPath() {
  try {
    const dir = dirname(createRequire(join(root, 'package.json')).resolve('naudiodon/package.json'));
    const addon = join(dir, 'build', 'Release', 'naudiodon.node');
    return existsSync(addon) ? addon : null;
  } catch {
    return null;
  }
}

const addon = process.platform === 'linux' ? addonPath() : null;
const absolute = addon ? absoluteSearchPaths(readFileSync(addon)) : [];
if (absolute.length > 0) {
  process.stderr.write(`softphone: rebuilding naudiodon (its RUNPATH is ${absolute.join(':')}; the patch makes it $ORIGIN)\n`);
  // The npm that runs this install, so the same node-gyp and settings build it.
  const npm = process.env.npm_execpath;
  const [cmd, args] = npm && /\.[cm]?js$/.test(npm) ? [process.execPath, [npm]] : ['npm', []];
  const result = spawnSync(cmd, [...args, 'rebuild', 'naudiodon'], { cwd: root, stdio: 'inherit' });
  const left = existsSync(addon) ? absoluteSearchPaths(readFileSync(addon)) : ['(addon missing)'];
  if (result.status !== 0 || left.length > 0) {
    process.stderr.write(`softphone: naudiodon still has RUNPATH ${left.join(':')}; packaged builds will miss libportaudio\n`);
    process.exit(1);
  }
}
