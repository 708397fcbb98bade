// Turns the three runs' raw numbers into the bench verdict (pure): per-run metrics, the issue's bars
// with PASS/FAIL, and the side-by-side markdown table printed by `npm run bench`.
import type { ToneReport } from '../support/audio-check';
import type { WireMetrics } from './wire-metrics';

export type CallerKind = 'baresip' | 'idle' | 'blocked' | 'worker';

export const LABELS: Record<CallerKind, string> = {
  baresip: 'baresip (caller)',
  idle: 'softphone, idle',
  blocked: 'softphone, loop blocked',
  worker: 'softphone, worker engine, idle',
};

/** The bars from issue 2 ("npm run bench"). */
export const BARS = {
  cpuFactor: 1.5,
  /** Decimal megabytes: the stricter reading of "under 60 MB". */
  peakMemoryBytes: 60e6,
  p99Ms: 1,
  maxMs: 10,
  /** Share of the callee's recording that must hold the caller's 1 kHz tone (audio sanity check). */
  toneCoverage: 0.9,
} as const;

export interface CpuResult {
  /** Wall seconds between the "connected" and the hang-up samples. */
  windowSeconds: number;
  /** Process CPU (all threads) in that window, scaled to 60 s. */
  perMinute: number;
  /** The same without the CPU block-loop.cjs burnt on purpose (blocked run only). */
  perMinuteProduct: number;
  busyWaitSeconds: number | null;
  /** CPU seconds from process start to the hang-up sample (start-up, registration, call). */
  totalToHangup: number;
  /** Share of the whole machine's CPU that was busy in the window (other processes included). */
  machineBusyShare: number;
  /** The busiest threads in the window (tid, seconds); the main thread's tid is the pid. */
  threads: { tid: string; seconds: number; main: boolean }[];
}

export interface RunResult {
  kind: CallerKind;
  /** Set when the run could not be measured (the error text). */
  error?: string;
  cpu?: CpuResult;
  peakRssKb?: number | null;
  wire?: WireMetrics;
  /** The callee's recording checked for the caller's 1 kHz tone, and the caller's for 1.5 kHz. */
  calleeHears?: ToneReport | null;
  callerHears?: ToneReport | null;
  extra?: Record<string, unknown>;
}

export interface Verdict {
  kind: CallerKind;
  metric: 'cpu' | 'memory' | 'setup' | 'p99' | 'max' | 'audio';
  pass: boolean;
  value: number | null;
  limit: number | null;
}

/** Every bar for every run it applies to (CPU, memory, setup and intervals: our runs; audio: all). */
export function judge(runs: RunResult[]): Verdict[] {
  const base = runs.find((r) => r.kind === 'baresip' && !r.error);
  const out: Verdict[] = [];
  const add = (kind: CallerKind, metric: Verdict['metric'], value: number | null | undefined, limit: number | null, below: 'lt' | 'le' | 'ge') => {
    const v = value ?? null;
    // 'le' allows rounding noise (0.6 × 1.5 is 0.8999… in floating point).
    const pass = v !== null && limit !== null && (below === 'lt' ? v < limit : below === 'le' ? v <= limit + 1e-9 : v >= limit);
    out.push({ kind, metric, pass, value: v, limit });
  };
  for (const r of runs) {
    add(r.kind, 'audio', r.error ? null : (r.calleeHears?.coverage ?? null), BARS.toneCoverage, 'ge');
    if (r.kind === 'baresip') continue;
    const cpuLimit = base?.cpu ? base.cpu.perMinute * BARS.cpuFactor : null;
    add(r.kind, 'cpu', r.cpu?.perMinuteProduct, cpuLimit, 'le');
    add(r.kind, 'memory', r.peakRssKb === null || r.peakRssKb === undefined ? null : r.peakRssKb * 1024, BARS.peakMemoryBytes, 'lt');
    add(r.kind, 'setup', r.wire?.setupMs, base?.wire ? base.wire.setupMs : null, 'le');
    add(r.kind, 'p99', r.wire?.sendDeviation.p99, BARS.p99Ms, 'lt');
    add(r.kind, 'max', r.wire?.sendDeviation.max, BARS.maxMs, 'lt');
  }
  return out;
}

const fmt = (v: number | null | undefined, digits: number) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits));
const mb = (kb: number | null | undefined) => (kb === null || kb === undefined ? null : (kb * 1024) / 1e6);
const pct = (r: ToneReport | null | undefined) => (r ? `${(r.coverage * 100).toFixed(1)} %` : 'n/a');

/** The markdown table: one row per metric, one column per caller, the bar last. */
export function renderTable(runs: RunResult[], verdicts: Verdict[], opts: { seconds: number; blockMs: number; blockEveryMs: number }): string {
  const order: CallerKind[] = ['baresip', 'idle', 'blocked', 'worker'];
  const cols = order.filter((k) => runs.some((r) => r.kind === k));
  const get = (k: CallerKind) => runs.find((r) => r.kind === k);
  const mark = (k: CallerKind, metric: Verdict['metric']) => {
    const v = verdicts.find((x) => x.kind === k && x.metric === metric);
    return v ? (v.pass ? ' PASS' : ' **FAIL**') : '';
  };
  const base = get('baresip');
  const rows: string[][] = [];
  const row = (name: string, bar: string, cell: (r: RunResult, k: CallerKind) => string) =>
    rows.push([name, ...cols.map((k) => {
      const r = get(k);
      return !r || r.error ? 'error' : cell(r, k);
    }), bar]);

  row('CPU s per minute of call (process, all threads)', `≤ ${BARS.cpuFactor}× baresip${base?.cpu ? ` = ${fmt(base.cpu.perMinute * BARS.cpuFactor, 2)}` : ''}`,
    (r, k) => fmt(r.cpu?.perMinuteProduct, 2) + mark(k, 'cpu'));
  if (cols.includes('blocked')) {
    row('… incl. the injected busy-wait', '(not the product’s)', (r) => (r.cpu?.busyWaitSeconds === null ? '—' : fmt(r.cpu?.perMinute, 2)));
  }
  row('CPU s, process start → hang-up (incl. start-up)', '—', (r) => fmt(r.cpu?.totalToHangup, 2));
  row('Peak RSS, VmHWM (MB = 10⁶ B)', '< 60 MB', (r, k) => fmt(mb(r.peakRssKb), 1) + (k === 'baresip' ? '' : mark(k, 'memory')));
  row('Call setup ms: first INVITE → first RTP (either way)', `≤ baresip${base?.wire ? ` = ${fmt(base.wire.setupMs, 1)}` : ''}`,
    (r, k) => fmt(r.wire?.setupMs, 1) + mark(k, 'setup'));
  row('… first INVITE → 200 OK at caller, ms', '—', (r) => fmt(r.wire?.answerMs, 1));
  row('… first INVITE → caller’s ACK of the 200 OK, ms', '—', (r) => fmt(r.wire?.ackMs, 1));
  row('… first INVITE → caller’s first RTP, ms', '—', (r) => fmt(r.wire?.callerFirstRtpMs, 1));
  row('Send interval |Δt − 20 ms| p50, ms', '—', (r) => fmt(r.wire?.sendDeviation.p50, 3));
  row('Send interval |Δt − 20 ms| p99, ms', `< ${BARS.p99Ms} ms`, (r, k) => fmt(r.wire?.sendDeviation.p99, 3) + mark(k, 'p99'));
  row('Send interval |Δt − 20 ms| max, ms', `< ${BARS.maxMs} ms`, (r, k) => fmt(r.wire?.sendDeviation.max, 3) + mark(k, 'max'));
  row('RTP packets sent by caller (intervals > 30 ms)', `≈ ${opts.seconds * 50}`, (r) =>
    r.wire ? `${r.wire.callerRtpPackets} (${r.wire.gapsOver30ms})` : 'n/a');
  row('Callee hears the 1 kHz tone (coverage)', `≥ ${BARS.toneCoverage * 100} %`, (r, k) => pct(r.calleeHears) + mark(k, 'audio'));
  row('Caller hears the callee’s 1.5 kHz tone', '—', (r) => pct(r.callerHears));
  row('Machine CPU busy during the call (all processes)', '—', (r) => (r.cpu ? `${(r.cpu.machineBusyShare * 100).toFixed(0)} %` : 'n/a'));

  const header = ['Metric', ...cols.map((k) => (k === 'blocked' ? `${LABELS[k]} ${opts.blockMs} ms / ${opts.blockEveryMs / 1000} s` : LABELS[k])), 'Bar'];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** One line per failed bar and per run error, for the end of the output. */
export function summarise(runs: RunResult[], verdicts: Verdict[]): string[] {
  const lines = runs.filter((r) => r.error).map((r) => `${LABELS[r.kind]}: not measured: ${r.error?.split('\n')[0]}`);
  const failed = verdicts.filter((v) => !v.pass);
  lines.push(failed.length === 0 ? 'All bars PASS.' : `Bars failed: ${failed.map((v) => `${LABELS[v.kind]} ${v.metric}`).join(', ')}.`);
  return lines;
}
