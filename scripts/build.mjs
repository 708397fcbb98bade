// Builds the headless core (CLI + media worker) into dist/ with esbuild: one bundle per entry, so the
// CLI starts fast and loads little (the bench holds the core to < 60 MB with a call up).
import { build } from 'esbuild';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, 'dist'), { recursive: true });

// Native and runtime-patched packages stay outside the bundle: naudiodon and @napi-rs/keyring load .node files,
// `sip` is patched in node_modules by patch-package, electron exists only inside the Electron shell.
const external = ['naudiodon', 'sip', 'ws', 'electron', 'segfault-handler', '@napi-rs/keyring'];

const entries = {
  cli: 'src-main/cli/main.node.ts',
  // `softphone ui` (web server, app core, settings with zod): its own bundle, loaded by dist/cli.js only
  // for that command, so `call`/`listen` neither parse nor keep it (see uiApart below).
  ui: 'src-main/web/ui-command.node.ts',
  // The API contract's zod schemas, for the CLI's stdin control channel: loaded by dist/cli.js with the
  // first request line, so a call or listen that gets none neither parses nor keeps it (issue 12: ~10 MB RSS).
  'cli-contract': 'src-main/ipc/contract.ts',
  'media-worker': 'src-main/rtp/media-worker.node.ts',
  // The Electron shell: package.json "main" and the sandboxed preload (electron stays external).
  'app/electron-main': 'src-main/app/electron-main.main.ts',
  'app/preload': 'src-main/ipc/preload/preload.preload.ts',
};

const present = Object.fromEntries(Object.entries(entries).filter(([, p]) => existsSync(join(root, p))));

// The CLI's `import('../web/ui-command.node')` becomes `require('./ui.js')` at run time instead of
// inlining the UI stack into dist/cli.js: the headless core must stay small (issue 2: < 60 MB).
const uiApart = {
  name: 'ui-apart',
  setup(b) {
    b.onResolve({ filter: /[\\/]web[\\/]ui-command\.node$/ }, (args) =>
      args.importer.endsWith(join('cli', 'main.node.ts')) && present.ui ? { path: './ui.js', external: true } : undefined,
    );
    // Likewise control-channel's `import('../ipc/contract')` becomes `import('./cli-contract.js')`.
    b.onResolve({ filter: /[\\/]ipc[\\/]contract$/ }, (args) =>
      args.kind === 'dynamic-import' && args.importer.endsWith(join('cli', 'control-channel.ts')) && present['cli-contract']
        ? { path: './cli-contract.js', external: true }
        : undefined,
    );
  },
};

await build({
  absWorkingDir: root,
  entryPoints: present,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  // No comments or indentation in the bundles (the linked source maps keep the sources): V8 keeps a
  // script's whole source in the heap, and one character outside Latin-1 in a comment ("—", "→")
  // makes it a two-byte string, twice the size (issue 12: dist/cli.js took 1.1 MB of heap that way).
  minifyWhitespace: true,
  external,
  logLevel: 'warning',
  plugins: [uiApart],
});

// The bench (`npm run bench`, test/bench/run-bench.ts) into dist/bench.js. Its helpers under test/ find
// fixtures and bin/ from their own __dirname, which bundling would turn into dist/: rewrite it per file
// to the folder the source lives in (relative to dist/, so the bundle still works if the repo moves).
const benchEntry = 'test/bench/run-bench.ts';
if (existsSync(join(root, benchEntry))) {
  const { readFile } = await import('node:fs/promises');
  const { relative, sep } = await import('node:path');
  const sourceDirname = {
    name: 'source-dirname',
    setup(b) {
      b.onLoad({ filter: /[\\/]test[\\/].*\.ts$/ }, async (args) => {
        if (!args.path.startsWith(join(root, 'test') + sep)) return undefined;
        const rel = relative(join(root, 'dist'), dirname(args.path)).split(sep).join('/');
        const text = await readFile(args.path, 'utf8');
        const at = `require('node:path').join(__dirname, ${JSON.stringify(rel)})`;
        return { contents: text.replace(/\b__dirname\b/g, at), loader: 'ts' };
      });
    },
  };
  await build({
    absWorkingDir: root,
    // parser-bench: `npm run bench:parser`, flood: `npm run flood` (issue 9: hostile datagrams),
    // jitter-bench: `npm run bench:jitter` (issue 13: the jitter buffer's delay and SNR)
    entryPoints: { bench: benchEntry, 'parser-bench': 'test/bench/parser-bench.ts', flood: 'test/bench/flood.ts', 'jitter-bench': 'test/bench/jitter-bench.ts' },
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    external,
    logLevel: 'warning',
    plugins: [sourceDirname],
  });
}

// The renderer (Svelte UI) into dist/renderer with vite, as configured in vite.config.ts; Electron loads
// it from file:// and the web server serves the same files.
const { build: viteBuild } = await import('vite');
await viteBuild({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
