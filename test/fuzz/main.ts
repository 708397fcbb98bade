// `npm run fuzz -- --seconds N [--target a,b] [--seed S] [--save]`: runs each fuzz target for N seconds
// and prints executions, crashes and slow inputs per target; --save writes each finding under
// test/fixtures/fuzz/<target>/ (then add it to the regression test). Exits 1 when something crashed.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTarget, type Finding, type FuzzReport } from './run-fuzz';
import { repoRoot } from './target';
import { FUZZ_TARGETS } from './targets';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function save(target: string, f: Finding): string {
  const dir = join(repoRoot(), 'test', 'fixtures', 'fuzz', target);
  mkdirSync(dir, { recursive: true });
  const name = `${f.kind}-${createHash('sha1').update(f.input).digest('hex').slice(0, 10)}`;
  writeFileSync(join(dir, `${name}.bin`), f.input);
  writeFileSync(join(dir, `${name}.txt`), `${f.kind}: ${f.detail}\n`);
  return join('test', 'fixtures', 'fuzz', target, `${name}.bin`);
}

function preview(input: Uint8Array): string {
  const s = Buffer.from(input.subarray(0, 120)).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return `${input.length} bytes: ${s}${input.length > 120 ? '…' : ''}`;
}

async function main(argv: string[]): Promise<number> {
  const seconds = Number(flag(argv, 'seconds') ?? 10);
  const seed = Number(flag(argv, 'seed') ?? Date.now() % 2 ** 31);
  const only = flag(argv, 'target')?.split(',');
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('--seconds takes a positive number');
  const targets = FUZZ_TARGETS.filter((t) => !only || only.includes(t.name));
  if (targets.length === 0) throw new Error(`no such target; targets: ${FUZZ_TARGETS.map((t) => t.name).join(', ')}`);
  console.log(`fuzz: ${targets.length} targets, ${seconds} s each, seed ${seed}`);
  const reports: FuzzReport[] = [];
  for (const target of targets) {
    const r = await runTarget(target, { seconds, seed });
    reports.push(r);
    console.log(`${r.target.padEnd(14)} ${String(r.executions).padStart(9)} execs ${String(Math.round(r.executions / seconds)).padStart(7)}/s  crashes ${r.crashes.length}  slow(>10ms) ${r.slow.length}  max ${r.maxMs.toFixed(1)} ms`);
    for (const f of [...r.crashes, ...r.slow]) {
      console.log(`  ${f.kind}: ${f.detail}\n    ${preview(f.input)}`);
      if (argv.includes('--save')) console.log(`    saved ${save(r.target, f)}`);
    }
  }
  const crashes = reports.reduce((n, r) => n + r.crashes.length, 0);
  const slow = reports.reduce((n, r) => n + r.slow.length, 0);
  const execs = reports.reduce((n, r) => n + r.executions, 0);
  console.log(`fuzz: ${execs} executions, ${crashes} crashes, ${slow} slow inputs`);
  return crashes > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`fuzz: ${err.stack ?? err.message}`);
    process.exit(2);
  },
);
