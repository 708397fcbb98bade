// The bench's "whole truth" table (pure, issue 12.5): our phone and baresip side by side per row, for the
// calling and the answering side, idle, with the main loop blocked and with CPU burners, with the bars.
import type { IntervalStats } from '../support/capture';
import type { RunResult } from './report';

export type Condition = 'idle' | 'blocked' | 'burn';
export type Side = 'call' | 'answer';
export type Impl = 'softphone' | 'baresip';
export const CONDITIONS: Condition[] = ['idle', 'blocked', 'burn'];
export const SIDES: Side[] = ['call', 'answer'];

/** One measured process in one run, whichever side it was on. */
export interface SideRun {
  side: Side;
  condition: Condition;
  impl: Impl;
  /** Set when the run could not be measured. */
  error?: string;
  /** CPU s per minute of call (all threads; the injected busy-wait taken out). */
  cpuPerMinute?: number | null;
  peakRssKb?: number | null;
  /** Threads of the process at hang-up. */
  threads?: number | null;
  /** Calling side: first INVITE → first RTP either way. */
  setupMs?: number | null;
  /** Answering side: INVITE at the callee → its 100, 180 and 200. */
  tryingMs?: number | null;
  ringingMs?: number | null;
  okMs?: number | null;
  /** The measured process's RTP send interval |Δt − 20 ms|. */
  send?: IntervalStats | null;
  gapsOver30ms?: number | null;
  /** Share of the peer's recording holding our tone, and of ours holding the peer's. */
  peerHears?: number | null;
  hears?: number | null;
  /** Answering side: caller's tone onset (on the wire) → its onset in the callee's recording, ms. */
  mouthToEarMs?: number | null;
  /** How far off that may be (the recording's anchor, see mouth-to-ear.ts); 0 when exact. */
  mouthToEarUncertaintyMs?: number | null;
  /** Share of the machine's CPU busy during the call (all processes). */
  machineBusyShare?: number | null;
}

/** Issue 12's bars. */
export const SIDE_BARS = { cpuFactor: 1.5, peakMemoryBytes: 60e6, p99Ms: 1, maxMs: 10, toneCoverage: 0.9, mouthToEarMs: 60 } as const;

export type SideMetric = 'cpu' | 'memory' | 'p99' | 'max' | 'setup' | 'audio' | 'mouth';

export interface SideVerdict {
  side: Side;
  condition: Condition;
  impl: Impl;
  metric: SideMetric;
  pass: boolean;
  value: number | null;
  limit: number | null;
}

/**
 * baresip's run to hold ours against: the same side and condition; for "blocked" its idle run (the
 * blocker is a preload for Node, and baresip has no JavaScript main loop to block).
 */
export function baselineFor(runs: SideRun[], side: Side, condition: Condition): SideRun | undefined {
  const want: Condition = condition === 'blocked' ? 'idle' : condition;
  return runs.find((r) => r.side === side && r.condition === want && r.impl === 'baresip' && !r.error);
}

export function judgeSides(runs: SideRun[]): SideVerdict[] {
  const out: SideVerdict[] = [];
  const add = (r: SideRun, metric: SideMetric, value: number | null | undefined, limit: number | null, how: 'le' | 'ge') => {
    const v = r.error ? null : (value ?? null);
    // 'le' allows rounding noise (0.6 × 1.5 is 0.8999… in floating point).
    const pass = v !== null && limit !== null && (how === 'le' ? v <= limit + 1e-9 : v >= limit);
    out.push({ side: r.side, condition: r.condition, impl: r.impl, metric, pass, value: v, limit });
  };
  for (const r of runs) {
    add(r, 'audio', r.peerHears, SIDE_BARS.toneCoverage, 'ge');
    if (r.impl === 'baresip') continue;
    const base = baselineFor(runs, r.side, r.condition);
    add(r, 'cpu', r.cpuPerMinute, base?.cpuPerMinute != null ? base.cpuPerMinute * SIDE_BARS.cpuFactor : null, 'le');
    add(r, 'memory', r.peakRssKb == null ? null : r.peakRssKb * 1024, SIDE_BARS.peakMemoryBytes, 'le');
    add(r, 'p99', r.send?.p99, SIDE_BARS.p99Ms, 'le');
    add(r, 'max', r.send?.max, SIDE_BARS.maxMs, 'le');
    // Setup: the answering side by its 200 OK, the calling side by first RTP (issue 12: "≤ baresip's").
    const setup = (x: SideRun | undefined) => (x ? (x.side === 'answer' ? x.okMs : x.setupMs) : null) ?? null;
    add(r, 'setup', setup(r), setup(base), 'le');
    if (r.side === 'answer') add(r, 'mouth', r.mouthToEarMs, SIDE_BARS.mouthToEarMs, 'le');
  }
  return out;
}

/** A calling-side run of the existing bench (report.ts) in this table's terms. */
export function fromCallerRun(r: RunResult, condition: Condition): SideRun {
  const impl: Impl = r.kind === 'baresip' ? 'baresip' : 'softphone';
  if (r.error) return { side: 'call', condition, impl, error: r.error };
  const threads = r.extra?.['threadCount'];
  return {
    side: 'call',
    condition,
    impl,
    cpuPerMinute: r.cpu?.perMinuteProduct ?? null,
    peakRssKb: r.peakRssKb ?? null,
    threads: typeof threads === 'number' ? threads : null,
    setupMs: r.wire?.setupMs ?? null,
    send: r.wire?.sendDeviation ?? null,
    gapsOver30ms: r.wire?.gapsOver30ms ?? null,
    peerHears: r.calleeHears?.coverage ?? null,
    hears: r.callerHears?.coverage ?? null,
    machineBusyShare: r.cpu?.machineBusyShare ?? null,
  };
}

const fmt = (v: number | null | undefined, digits: number) => (v == null || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits));
const pct = (v: number | null | undefined) => (v == null ? 'n/a' : `${(v * 100).toFixed(1)} %`);

interface RowSpec {
  name: string;
  sides: Side[];
  metric?: SideMetric;
  bar: (base: SideRun | undefined) => string;
  cell: (r: SideRun) => string;
}

const ROWS: RowSpec[] = [
  { name: 'INVITE at callee → 100 Trying, ms', sides: ['answer'], bar: () => '—', cell: (r) => fmt(r.tryingMs, 1) },
  { name: 'INVITE at callee → 180 Ringing, ms', sides: ['answer'], bar: () => '—', cell: (r) => fmt(r.ringingMs, 1) },
  { name: 'INVITE at callee → 200 OK, ms', sides: ['answer'], metric: 'setup', bar: (b) => `≤ baresip${b ? ` = ${fmt(b.okMs, 1)}` : ''}`, cell: (r) => fmt(r.okMs, 1) },
  { name: 'Setup: first INVITE → first RTP, ms', sides: ['call'], metric: 'setup', bar: (b) => `≤ baresip${b ? ` = ${fmt(b.setupMs, 1)}` : ''}`, cell: (r) => fmt(r.setupMs, 1) },
  { name: 'CPU s per call-minute', sides: ['call', 'answer'], metric: 'cpu',
    bar: (b) => `≤ ${SIDE_BARS.cpuFactor}× baresip${b?.cpuPerMinute != null ? ` = ${fmt(b.cpuPerMinute * SIDE_BARS.cpuFactor, 2)}` : ''}`, cell: (r) => fmt(r.cpuPerMinute, 2) },
  { name: 'Peak RSS, MB (10⁶ B)', sides: ['call', 'answer'], metric: 'memory', bar: () => '≤ 60 MB', cell: (r) => fmt(r.peakRssKb == null ? null : (r.peakRssKb * 1024) / 1e6, 1) },
  { name: 'Threads', sides: ['call', 'answer'], bar: () => '—', cell: (r) => (r.threads == null ? 'n/a' : String(r.threads)) },
  { name: 'Send interval \\|Δt − 20 ms\\| p50, ms', sides: ['call', 'answer'], bar: () => '—', cell: (r) => fmt(r.send?.p50, 3) },
  { name: 'Send interval p99, ms', sides: ['call', 'answer'], metric: 'p99', bar: () => `≤ ${SIDE_BARS.p99Ms} ms`, cell: (r) => fmt(r.send?.p99, 3) },
  { name: 'Send interval max, ms (gaps > 30 ms)', sides: ['call', 'answer'], metric: 'max', bar: () => `≤ ${SIDE_BARS.maxMs} ms`,
    cell: (r) => `${fmt(r.send?.max, 3)} (${r.gapsOver30ms ?? 'n/a'})` },
  { name: 'Mouth-to-ear, ms (caller’s tone onset → callee’s recording)', sides: ['answer'], metric: 'mouth',
    bar: () => `≤ ${SIDE_BARS.mouthToEarMs} ms`,
    cell: (r) => fmt(r.mouthToEarMs, 1) + (r.mouthToEarUncertaintyMs ? ` ± ${fmt(r.mouthToEarUncertaintyMs, 0)}` : '') },
  { name: 'Peer hears our tone', sides: ['call', 'answer'], metric: 'audio', bar: () => `≥ ${SIDE_BARS.toneCoverage * 100} %`, cell: (r) => pct(r.peerHears) },
  { name: 'We hear the peer’s tone', sides: ['call', 'answer'], bar: () => '—', cell: (r) => pct(r.hears) },
  { name: 'Machine CPU busy (all processes)', sides: ['call', 'answer'], bar: () => '—', cell: (r) => (r.machineBusyShare == null ? 'n/a' : `${(r.machineBusyShare * 100).toFixed(0)} %`) },
];

const SIDE_TITLE: Record<Side, string> = { call: 'calling (callee: baresip)', answer: 'answering (caller: baresip)' };

/** Markdown: per side and condition measured, one row per metric, softphone | baresip | bar. */
export function renderSideTable(runs: SideRun[], verdicts: SideVerdict[]): string {
  const rows: string[][] = [];
  for (const side of SIDES) {
    for (const condition of CONDITIONS) {
      const ours = runs.find((r) => r.side === side && r.condition === condition && r.impl === 'softphone');
      const own = runs.find((r) => r.side === side && r.condition === condition && r.impl === 'baresip');
      if (!ours && !own) continue;
      const base = baselineFor(runs, side, condition);
      const borrowed = !own && base ? ` (${base.condition})` : '';
      for (const spec of ROWS.filter((s) => s.sides.includes(side))) {
        const v = spec.metric && ours ? verdicts.find((x) => x.side === side && x.condition === condition && x.impl === 'softphone' && x.metric === spec.metric) : undefined;
        const mark = v ? (v.pass ? ' PASS' : ' **FAIL**') : '';
        const oursCell = !ours ? '—' : ours.error ? 'error' : spec.cell(ours) + mark;
        const baseRun = own ?? base;
        const baseCell = !baseRun ? '—' : baseRun.error ? 'error' : spec.cell(baseRun) + borrowed;
        rows.push([`${SIDE_TITLE[side]}, ${condition}`, spec.name, oursCell, baseCell, spec.bar(base)]);
      }
    }
  }
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const header = ['Side, condition', 'Metric', 'softphone', 'baresip', 'Bar'];
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** One line per run error and one for the failed bars. */
export function summariseSides(runs: SideRun[], verdicts: SideVerdict[]): string[] {
  const lines = runs.filter((r) => r.error).map((r) => `${r.impl}, ${r.side} side, ${r.condition}: not measured: ${r.error?.split('\n')[0]}`);
  const failed = verdicts.filter((v) => !v.pass);
  lines.push(failed.length === 0 ? 'Side-by-side bars: all PASS.' : `Side-by-side bars failed: ${failed.map((v) => `${v.impl} ${v.side} ${v.condition} ${v.metric}`).join(', ')}.`);
  return lines;
}
