// `npm run test:loaded`: the suite (`vitest run`, as `npm test` runs it) N times in a row while CPU
// burners occupy every core, so a test that only passes on an idle machine shows up here and not in CI.
//
//   npm run test:loaded                      3 runs, one burner per core
//   npm run test:loaded -- --runs 1          one run
//   npm run test:loaded -- --burners 1       fewer burners
//   npm run test:loaded -- -- test/integration/bad-input.test.ts   extra arguments go to vitest
//
// Prints pass/fail and wall time per run; exit 0 only if every run passed. The burners are always
// killed (normal end, failure, Ctrl-C, SIGTERM), and each one also exits by itself if this script dies
// without cleaning up (it watches its parent pid).
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function usage(msg) {
  if (msg) console.error(`test:loaded: ${msg}`);
  console.error('usage: npm run test:loaded -- [--runs N] [--burners N] [--no-setup] [-- vitest args…]');
  process.exit(2);
}

const argv = process.argv.slice(2);
let runs = 3;
let burners = availableParallelism();
let setup = true;
let vitestArgs = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const num = () => {
    const v = Number(argv[++i]);
    if (!Number.isInteger(v) || v < 0) usage(`${a} needs a whole number >= 0`);
    return v;
  };
  if (a === '--runs') runs = num();
  else if (a === '--burners') burners = num();
  else if (a === '--no-setup') setup = false;
  else if (a === '--') {
    vitestArgs = argv.slice(i + 1);
    break;
  } else if (a === '-h' || a === '--help') usage();
  else usage(`unknown argument ${a}`);
}
if (runs < 1) usage('--runs must be at least 1');

// The same preparation as `npm test`, once: system packages and a fresh dist/ for the CLI tests.
if (setup) {
  for (const [cmd, args] of [['bash', ['test/setup-system.sh']], [process.execPath, ['scripts/build.mjs']]]) {
    const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`test:loaded: ${cmd} ${args.join(' ')} failed`);
      process.exit(1);
    }
  }
}

// A tight loop on the main thread, checking every ~10^7 iterations that its parent is still there:
// when this script is killed hard, the burner is re-parented and its ppid changes, so it stops.
const BURN = 'const p = process.ppid; for (;;) { for (let i = 0; i < 1e7; i++); if (process.ppid !== p) process.exit(0); }';
const burning = [];
const killBurners = () => {
  for (const b of burning.splice(0)) {
    try {
      b.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
};
process.on('exit', killBurners);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killBurners();
    process.exit(130);
  });
}

for (let i = 0; i < burners; i++) burning.push(spawn(process.execPath, ['-e', BURN], { stdio: 'ignore' }));
console.log(`test:loaded: ${burners} CPU burner(s) started (pids ${burning.map((b) => b.pid).join(' ')}), ${runs} run(s) of vitest run ${vitestArgs.join(' ')}`);

const vitest = resolve(root, 'node_modules/vitest/vitest.mjs');
const results = [];
for (let n = 1; n <= runs; n++) {
  console.log(`\ntest:loaded: run ${n}/${runs} starts at ${new Date().toISOString()}`);
  const t0 = Date.now();
  const code = await new Promise((res) => {
    const child = spawn(process.execPath, [vitest, 'run', ...vitestArgs], { cwd: root, stdio: 'inherit' });
    child.on('exit', (c, s) => res(c ?? (s ? 128 : 1)));
  });
  const seconds = (Date.now() - t0) / 1000;
  results.push({ n, pass: code === 0, seconds });
  console.log(`test:loaded: run ${n}/${runs} ${code === 0 ? 'PASSED' : `FAILED (exit ${code})`} in ${seconds.toFixed(0)} s`);
}
killBurners();

console.log(`\ntest:loaded: summary (${burners} burner(s))`);
for (const r of results) console.log(`  run ${r.n}: ${r.pass ? 'pass' : 'FAIL'}  ${r.seconds.toFixed(0)} s`);
const failed = results.filter((r) => !r.pass).length;
console.log(failed === 0 ? `test:loaded: all ${runs} run(s) passed` : `test:loaded: ${failed} of ${runs} run(s) failed`);
process.exit(failed === 0 ? 0 : 1);
