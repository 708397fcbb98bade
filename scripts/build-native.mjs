// postinstall: builds the project's own addon in native/ with the node-gyp of the npm that runs the
// install. Offline-safe: headers come from npm's `nodedir` or the Node install itself (include/node),
// never from a download. A failed build is a warning, not a failed install: the core runs without it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');

function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  try {
    return createRequire(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return null;
  }
}

const env = { ...process.env };
// The running Node's own headers (Debian's nodejs puts them in /usr/include/node) spare the download.
const ownHeaders = join(dirname(process.execPath), '..');
if (!env.npm_config_nodedir && existsSync(join(ownHeaders, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = ownHeaders;

const gyp = nodeGyp();
if (!gyp) {
  process.stderr.write('softphone: node-gyp not found; native/ not built (the core runs without it, see native/README.md)\n');
  process.exit(0);
}
const result = spawnSync(process.execPath, [gyp, 'rebuild', '--loglevel=warn'], { cwd: nativeDir, env, stdio: 'inherit' });
if (result.status !== 0) {
  process.stderr.write('softphone: building native/ failed; the core runs without it (heap tuning off, media on the worker thread), see native/README.md\n');
}
