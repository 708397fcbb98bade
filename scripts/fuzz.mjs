// `npm run fuzz -- --seconds N`: bundles the fuzz runner (test/fuzz/main.ts) into dist/fuzz.js with
// esbuild and runs it with the remaining arguments (see test/fuzz/main.ts).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  absWorkingDir: root,
  entryPoints: { fuzz: 'test/fuzz/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  external: ['naudiodon', 'sip', 'ws', 'electron', 'segfault-handler', '@napi-rs/keyring'],
  logLevel: 'warning',
});
const run = spawnSync(process.execPath, ['--enable-source-maps', join(root, 'dist', 'fuzz.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
