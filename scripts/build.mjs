// Builds the headless core (CLI + media worker) into dist/ with esbuild: one bundle per entry, so the
// CLI starts fast and loads little (the bench holds the core to < 60 MB with a call up).
import { build } from 'esbuild';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, 'dist'), { recursive: true });

// Native and runtime-patched packages stay outside the bundle: naudiodon loads a .node file,
// `sip` is patched in node_modules by patch-package, electron exists only inside the Electron shell.
const external = ['naudiodon', 'sip', 'ws', 'electron', 'segfault-handler'];

const entries = {
  cli: 'src-main/cli/main.node.ts',
  'media-worker': 'src-main/rtp/media-worker.node.ts',
};

const present = Object.fromEntries(Object.entries(entries).filter(([, p]) => existsSync(join(root, p))));
await build({
  absWorkingDir: root,
  entryPoints: present,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  external,
  logLevel: 'warning',
});
