// Command line of `npm run bench` (pure): call length, codec, which callers to run, where to write JSON.
import type { CallerKind } from './report';

export interface BenchArgs {
  seconds: number;
  codec: 'PCMU' | 'PCMA';
  runs: CallerKind[];
  blockMs: number;
  blockEveryMs: number;
  /** JSON output path; relative paths are taken from the repository root. */
  out: string;
  help: boolean;
}

export const BENCH_HELP = `npm run bench -- [--seconds N] [--codec PCMU|PCMA] [--runs baresip,idle,blocked,worker]
                 [--block-ms 300] [--block-every-ms 2000] [--out test/bench/results/latest.json]

Makes the same call (caller plays a 1 kHz tone, callee baresip answers and plays 1.5 kHz) through one
Kamailio with digest auth, once per caller, one after the other, and prints a side-by-side table:
  baresip   baresip 1.0.0 as the caller (the reference)
  idle      our \`softphone call\`
  blocked   our \`softphone call\` with its main event loop busy for --block-ms every --block-every-ms
--seconds  call length from connect to hang-up (default 60)`;

const KINDS: CallerKind[] = ['baresip', 'idle', 'blocked', 'worker'];

export function parseBenchArgs(argv: string[]): { ok: true; args: BenchArgs } | { ok: false; error: string } {
  const args: BenchArgs = {
    seconds: 60,
    codec: 'PCMU',
    runs: [...KINDS],
    blockMs: 300,
    blockEveryMs: 2000,
    out: 'test/bench/results/latest.json',
    help: false,
  };
  const num = (flag: string, v: string | undefined, min: number, max: number): number | string => {
    const n = Number(v);
    return v !== undefined && Number.isFinite(n) && n >= min && n <= max ? n : `${flag} wants a number from ${min} to ${max}`;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    let r: number | string | undefined;
    switch (flag) {
      case '--help':
      case '-h':
        args.help = true;
        continue;
      case '--seconds':
        if (typeof (r = num(flag, value, 2, 3600)) === 'number') args.seconds = r;
        break;
      case '--block-ms':
        if (typeof (r = num(flag, value, 0, 10_000)) === 'number') args.blockMs = r;
        break;
      case '--block-every-ms':
        if (typeof (r = num(flag, value, 10, 60_000)) === 'number') args.blockEveryMs = r;
        break;
      case '--codec':
        if (value === 'PCMU' || value === 'PCMA') args.codec = value;
        else r = '--codec wants PCMU or PCMA';
        break;
      case '--runs': {
        const list = (value ?? '').split(',').filter(Boolean);
        if (list.length > 0 && list.every((k): k is CallerKind => (KINDS as string[]).includes(k))) args.runs = KINDS.filter((k) => list.includes(k));
        else r = `--runs wants a comma list of ${KINDS.join(', ')}`;
        break;
      }
      case '--out':
        if (value) args.out = value;
        else r = '--out wants a path';
        break;
      default:
        return { ok: false, error: `unknown argument ${flag}` };
    }
    if (typeof r === 'string') return { ok: false, error: r };
    i++;
  }
  if (args.blockMs >= args.blockEveryMs) return { ok: false, error: '--block-ms must be shorter than --block-every-ms' };
  return { ok: true, args };
}
