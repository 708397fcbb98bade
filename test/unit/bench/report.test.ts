// The bench verdict: the bars applied to our runs against baresip's, and the table and args.
import { describe, expect, it } from 'vitest';
import { judge, renderTable, summarise, type RunResult } from '../../bench/report';
import { parseBenchArgs } from '../../bench/bench-args';
import type { WireMetrics } from '../../bench/wire-metrics';

const wire = (setupMs: number, p99: number, max: number): WireMetrics => ({
  callerMediaPort: 1, calleeMediaPort: 2, inviteAt: 0, setupMs, answerMs: setupMs - 2, callerFirstRtpMs: setupMs + 5,
  ackMs: setupMs - 1,
  calleeFirstRtpMs: setupMs, callerRtpPackets: 3000, calleeRtpPackets: 3000, callerRtpSeconds: 60,
  sendDeviation: { count: 2999, p50: 0.02, p99, max }, gapsOver30ms: 0, maxIntervalMs: 20 + max, sipTimeline: [],
});
const tone = (coverage: number) => ({ seconds: 60, onsetSeconds: 0.1, measuredSeconds: 59, coverage, otherCoverage: 0 });
const cpu = (perMinute: number, product = perMinute) => ({
  windowSeconds: 60, perMinute, perMinuteProduct: product, busyWaitSeconds: perMinute === product ? null : perMinute - product,
  totalToHangup: 1, machineBusyShare: 0.2, threads: [],
});

const RUNS: RunResult[] = [
  { kind: 'baresip', cpu: cpu(0.6), peakRssKb: 9000, wire: wire(7, 12, 28), calleeHears: tone(1), callerHears: tone(1) },
  // 0.9 = exactly 1.5x: passes; 58 000 kB = 59.4 MB: passes; setup equal: passes.
  { kind: 'idle', cpu: cpu(0.9), peakRssKb: 58_000, wire: wire(7, 0.5, 2), calleeHears: tone(0.99), callerHears: tone(1) },
  // CPU passes only because the busy-wait is taken out; 60 000 kB = 61.4 MB fails; slower setup fails; max fails.
  { kind: 'blocked', cpu: cpu(10, 0.8), peakRssKb: 60_000, wire: wire(7.5, 0.9, 12), calleeHears: tone(0.5), callerHears: null },
];

describe('judge', () => {
  const verdicts = judge(RUNS);
  const get = (kind: string, metric: string) => verdicts.find((v) => v.kind === kind && v.metric === metric);

  it("holds our runs to 1.5x baresip's CPU, without the injected busy-wait", () => {
    expect(get('idle', 'cpu')).toMatchObject({ pass: true, value: 0.9, limit: 0.6 * 1.5 });
    expect(get('blocked', 'cpu')).toMatchObject({ pass: true, value: 0.8 });
  });

  it('uses decimal megabytes for the 60 MB memory bar', () => {
    expect(get('idle', 'memory')?.pass).toBe(true);
    expect(get('blocked', 'memory')?.pass).toBe(false);
  });

  it("compares setup with baresip's and the intervals with fixed limits; baresip itself is not judged on them", () => {
    expect(get('idle', 'setup')?.pass).toBe(true);
    expect(get('blocked', 'setup')).toMatchObject({ pass: false, value: 7.5, limit: 7 });
    expect(get('blocked', 'p99')?.pass).toBe(true);
    expect(get('blocked', 'max')?.pass).toBe(false);
    expect(get('baresip', 'p99')).toBeUndefined();
  });

  it('checks audio for every caller, baresip included', () => {
    expect(get('baresip', 'audio')?.pass).toBe(true);
    expect(get('blocked', 'audio')?.pass).toBe(false);
  });

  it('fails every bar of a run that could not be measured, and cannot pass relative bars without baresip', () => {
    const v = judge([{ kind: 'idle', error: 'boom' }]);
    expect(v.every((x) => !x.pass)).toBe(true);
    expect(v.find((x) => x.metric === 'cpu')?.limit).toBeNull();
  });
});

describe('renderTable / summarise', () => {
  const verdicts = judge(RUNS);
  const table = renderTable(RUNS, verdicts, { seconds: 60, blockMs: 300, blockEveryMs: 2000 });

  it('prints one markdown column per caller plus the bar, with the numbers and verdicts', () => {
    const lines = table.split('\n');
    expect(lines[0]).toBe('| Metric | baresip (caller) | softphone, idle | softphone, loop blocked 300 ms / 2 s | Bar |');
    const cpuRow = lines.find((l) => l.startsWith('| CPU s per minute'));
    expect(cpuRow).toContain('| 0.60 | 0.90 PASS | 0.80 PASS | ≤ 1.5× baresip = 0.90 |');
    expect(lines.find((l) => l.startsWith('| … incl. the injected'))).toContain('| 10.00 |');
    expect(lines.find((l) => l.includes('max, ms'))).toContain('12.000 **FAIL**');
    expect(lines.find((l) => l.startsWith('| Callee hears'))).toContain('50.0 % **FAIL**');
  });

  it('lists the failed bars', () => {
    expect(summarise(RUNS, verdicts).at(-1)).toBe('Bars failed: softphone, loop blocked audio, softphone, loop blocked memory, softphone, loop blocked setup, softphone, loop blocked max.');
  });

  it("marks a run that failed as 'error' instead of inventing numbers", () => {
    const runs: RunResult[] = [RUNS[0] as RunResult, { kind: 'idle', error: 'softphone exited' }];
    const t = renderTable(runs, judge(runs), { seconds: 60, blockMs: 300, blockEveryMs: 2000 });
    expect(t.split('\n').find((l) => l.startsWith('| CPU s per minute'))).toContain('| 0.60 | error |');
    expect(summarise(runs, judge(runs))[0]).toBe('softphone, idle: not measured: softphone exited');
  });
});

describe('parseBenchArgs', () => {
  it('defaults to a 60 s PCMU call for all four callers (the worker engine too)', () => {
    const r = parseBenchArgs([]);
    expect(r).toMatchObject({ ok: true, args: { seconds: 60, codec: 'PCMU', runs: ['baresip', 'idle', 'blocked', 'worker'], blockMs: 300, blockEveryMs: 2000 } });
  });
  it('takes --seconds, --codec and --runs (kept in the fixed order)', () => {
    const r = parseBenchArgs(['--seconds', '15', '--codec', 'PCMA', '--runs', 'blocked,baresip']);
    expect(r).toMatchObject({ ok: true, args: { seconds: 15, codec: 'PCMA', runs: ['baresip', 'blocked'] } });
  });
  it('refuses bad values instead of running a meaningless bench', () => {
    expect(parseBenchArgs(['--seconds', 'x'])).toMatchObject({ ok: false });
    expect(parseBenchArgs(['--seconds'])).toMatchObject({ ok: false });
    expect(parseBenchArgs(['--runs', 'idle,asterisk'])).toMatchObject({ ok: false });
    expect(parseBenchArgs(['--codec', 'G729'])).toMatchObject({ ok: false });
    expect(parseBenchArgs(['--block-ms', '3000'])).toMatchObject({ ok: false, error: expect.stringContaining('shorter') });
    expect(parseBenchArgs(['--frobnicate'])).toMatchObject({ ok: false, error: 'unknown argument --frobnicate' });
  });
});
