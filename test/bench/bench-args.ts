// Command line of `npm run bench` (pure): call length, codec, which callers to run, where to write JSON.
import type { CallerKind } from './report';
import { CONDITIONS, SIDES, type Condition, type Side } from './side-table';

export interface BenchArgs {
  seconds: number;
  codec: 'PCMU' | 'PCMA';
  runs: CallerKind[];
  /** Which sides the measured phone plays (issue 12.5): call (callee baresip), answer (caller baresip). */
  sides: Side[];
  /** Conditions: idle, blocked (main loop busy-waits), burn (two CPU burners running). */
  conditions: Condition[];
  blockMs: number;
  blockEveryMs: number;
  /** JSON output path; relative paths are taken from the repository root. */
  out: string;
  help: boolean;
}

export const BENCH_HELP = `npm run bench -- [--seconds N] [--codec PCMU|PCMA] [--runs baresip,idle,blocked,worker]
                 [--sides call,answer] [--conditions idle,blocked,burn] [--block-ms 300] [--block-every-ms 2000] [--out test/bench/results/latest.json]

Makes the same call (caller plays a 1 kHz tone, callee baresip answers and plays 1.5 kHz) through one
Kamailio with digest auth, once per caller, one after the other, and prints a side-by-side table:
  baresip   baresip 1.0.0 as the caller (the reference)
  idle      our \`softphone call\`
  blocked   our \`softphone call\` with its main event loop busy for --block-ms every --block-every-ms
Then the side-by-side table (ours | baresip per row): the calling side also under two CPU burners,
and the answering side (a baresip caller; callee our \`softphone listen --auto-answer\` or baresip)
idle, blocked and burning. --sides / --conditions pick which; --runs filters the calling-side runs.
--seconds  call length from connect to hang-up (default 60)`;

const KINDS: CallerKind[] = ['baresip', 'idle', 'blocked', 'worker'];

export function parseBenchArgs(argv: string[]): { ok: true; args: BenchArgs } | { ok: false; error: string } {
  const args: BenchArgs = {
    seconds: 60,
    codec: 'PCMU',
    runs: [...KINDS],
    sides: [...SIDES],
    conditions: [...CONDITIONS],
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
      case '--sides': {
        const list = (value ?? '').split(',').filter(Boolean);
        if (list.length > 0 && list.every((k) => (SIDES as string[]).includes(k))) args.sides = SIDES.filter((k) => list.includes(k));
        else r = `--sides wants a comma list of ${SIDES.join(', ')}`;
        break;
      }
      case '--conditions': {
        const list = (value ?? '').split(',').filter(Boolean);
        if (list.length > 0 && list.every((k) => (CONDITIONS as string[]).includes(k))) args.conditions = CONDITIONS.filter((k) => list.includes(k));
        else r = `--conditions wants a comma list of ${CONDITIONS.join(', ')}`;
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

/** The existing calling-side runs this bench run makes: --runs, limited to the chosen sides and conditions. */
export function callerKinds(args: { runs: CallerKind[]; sides: Side[]; conditions: Condition[] }): CallerKind[] {
  if (!args.sides.includes('call')) return [];
  return args.runs.filter((k) => args.conditions.includes(k === 'blocked' ? 'blocked' : 'idle'));
}
