// `npm run flood -- [--datagrams N] [--rate R] [--invite-rate R] [--invite-seconds S] [--settle S]`:
// a long-running flood against a `softphone listen` in a call (not in CI; see flood-run.ts).
// Defaults are the issue 9 figures: 200,000 datagrams at 500/s, then 500 INVITE/s for 30 s.
import { formatFloodReport, runFlood, type FloodOptions } from './flood-run';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v < 0) {
    console.error(`--${name} needs a number`);
    process.exit(2);
  }
  return v;
}

const options: FloodOptions = {
  datagrams: arg('datagrams', 200_000),
  rate: arg('rate', 500),
  inviteRate: arg('invite-rate', 500),
  inviteSeconds: arg('invite-seconds', 30),
  settleSeconds: arg('settle', 60),
  log: (line) => console.error(`[flood] ${line}`),
};

runFlood(options).then(
  (report) => {
    console.log(formatFloodReport(options, report));
    process.exit(0);
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack ?? err.message : String(err));
    process.exit(1);
  },
);
