// The side-by-side verdict: ours against baresip's run of the same side and condition (its idle run for
// "blocked"), issue 12's bars, and a table with both phones on every row.
import { describe, expect, it } from 'vitest';
import { baselineFor, fromCallerRun, judgeSides, renderSideTable, summariseSides, type SideRun } from '../../bench/side-table';
import { callerKinds, parseBenchArgs } from '../../bench/bench-args';
import type { RunResult } from '../../bench/report';

const send = (p99: number, max: number) => ({ count: 749, p50: 0.05, p99, max });
const answer = (impl: SideRun['impl'], condition: SideRun['condition'], o: Partial<SideRun> = {}): SideRun => ({
  side: 'answer', condition, impl, cpuPerMinute: 0.6, peakRssKb: 9000, threads: 2, tryingMs: null, ringingMs: 1, okMs: 100,
  send: send(15, 40), gapsOver30ms: 3, peerHears: 1, hears: 1, machineBusyShare: 0.5, ...o,
});

const RUNS: SideRun[] = [
  answer('baresip', 'idle'),
  // Exactly 1.5x CPU, 60 MB, p99 1 ms, max 10 ms, 200 OK as fast as baresip: all on the bar, all pass.
  answer('softphone', 'idle', { cpuPerMinute: 0.9, peakRssKb: 60e6 / 1024, send: send(1, 10), okMs: 100, tryingMs: 2, threads: 12, mouthToEarMs: 60 }),
  // Blocked: held against baresip's idle run; slower answer and a long gap fail.
  answer('softphone', 'blocked', { cpuPerMinute: 0.8, peakRssKb: 50_000, send: send(0.5, 300), okMs: 420, gapsOver30ms: 2 }),
  answer('baresip', 'burn', { cpuPerMinute: 1, okMs: 300 }),
  // Burn: against baresip's burn run; CPU 2 > 1.5 fails, the 200 OK (250 ≤ 300) passes; deaf peer fails.
  answer('softphone', 'burn', { cpuPerMinute: 2, peakRssKb: 50_000, send: send(0.9, 9), okMs: 250, peerHears: 0.2, mouthToEarMs: 70, mouthToEarUncertaintyMs: 20 }),
];

describe('judgeSides', () => {
  const verdicts = judgeSides(RUNS);
  const get = (condition: string, metric: string, impl = 'softphone') =>
    verdicts.find((v) => v.side === 'answer' && v.condition === condition && v.impl === impl && v.metric === metric);

  it('passes values exactly on the bars', () => {
    for (const metric of ['cpu', 'memory', 'p99', 'max', 'setup', 'audio', 'mouth']) expect(get('idle', metric)?.pass, metric).toBe(true);
  });

  it("holds the blocked run to baresip's idle run, and the burn run to baresip's burn run", () => {
    expect(baselineFor(RUNS, 'answer', 'blocked')?.condition).toBe('idle');
    expect(get('blocked', 'setup')).toMatchObject({ pass: false, value: 420, limit: 100 });
    expect(get('blocked', 'max')?.pass).toBe(false);
    expect(get('burn', 'cpu')).toMatchObject({ pass: false, value: 2, limit: 1.5 });
    expect(get('burn', 'setup')).toMatchObject({ pass: true, limit: 300 });
    expect(get('burn', 'audio')?.pass).toBe(false);
    expect(get('burn', 'mouth')).toMatchObject({ pass: false, value: 70, limit: 60 });
    expect(get('blocked', 'mouth')?.pass).toBe(false);
  });

  it('judges baresip on audio only', () => {
    expect(verdicts.filter((v) => v.impl === 'baresip').map((v) => v.metric)).toEqual(['audio', 'audio']);
  });

  it('cannot pass a relative bar without a baresip run, nor any bar of a run that failed', () => {
    const v = judgeSides([answer('softphone', 'burn'), { side: 'answer', condition: 'idle', impl: 'softphone', error: 'boom' }]);
    expect(v.find((x) => x.condition === 'burn' && x.metric === 'cpu')).toMatchObject({ pass: false, limit: null });
    expect(v.filter((x) => x.condition === 'idle').every((x) => !x.pass)).toBe(true);
  });
});

describe('renderSideTable', () => {
  const table = renderSideTable(RUNS, judgeSides(RUNS));
  const lines = table.split('\n');
  const row = (cond: string, metric: string) => lines.find((l) => l.includes(`, ${cond} |`) && l.includes(metric)) ?? '';

  it('puts ours and baresip on the same row with the bar and the verdict', () => {
    expect(lines[0]).toBe('| Side, condition | Metric | softphone | baresip | Bar |');
    expect(row('idle', 'INVITE at callee → 200 OK')).toBe('| answering (caller: baresip), idle | INVITE at callee → 200 OK, ms | 100.0 PASS | 100.0 | ≤ baresip = 100.0 |');
    expect(row('burn', 'CPU s per call-minute')).toContain('| 2.00 **FAIL** | 1.00 | ≤ 1.5× baresip = 1.50 |');
    expect(row('idle', 'Threads')).toContain('| 12 | 2 |');
    expect(row('idle', '100 Trying')).toContain('| 2.0 | n/a |');
    expect(row('burn', 'Mouth-to-ear')).toContain('| 70.0 ± 20 **FAIL** | n/a | ≤ 60 ms |');
  });

  it("shows baresip's idle figures in the blocked rows, labelled as such", () => {
    expect(row('blocked', '200 OK')).toContain('| 420.0 **FAIL** | 100.0 (idle) |');
    expect(row('blocked', 'max, ms')).toContain('| 300.000 (2) **FAIL** | 40.000 (3) (idle) |');
  });

  it('escapes the pipes of |Δt − 20 ms| so the markdown columns stay put', () => {
    const p50 = row('idle', 'p50');
    expect(p50.split(' | ')).toHaveLength(5);
  });

  it('lists the failed bars and the runs that could not be measured', () => {
    const runs = [...RUNS, { side: 'call', condition: 'burn', impl: 'softphone', error: 'softphone exited\nstack' } as SideRun];
    const lines2 = summariseSides(runs, judgeSides(runs));
    expect(lines2[0]).toBe('softphone, call side, burn: not measured: softphone exited');
    expect(lines2.at(-1)).toContain('softphone answer burn cpu');
  });
});

describe('fromCallerRun', () => {
  it("maps a calling-side run: setup, send intervals, the callee's recording as what the peer hears", () => {
    const r: RunResult = {
      kind: 'idle',
      cpu: { windowSeconds: 60, perMinute: 1, perMinuteProduct: 0.8, busyWaitSeconds: null, totalToHangup: 2, machineBusyShare: 0.3, threads: [] },
      peakRssKb: 50_000,
      calleeHears: { seconds: 60, onsetSeconds: 0.1, measuredSeconds: 59, coverage: 0.97, otherCoverage: 0 },
      callerHears: null,
      extra: { threadCount: 11 },
    };
    expect(fromCallerRun(r, 'burn')).toMatchObject({ side: 'call', condition: 'burn', impl: 'softphone', cpuPerMinute: 0.8, threads: 11, peerHears: 0.97, hears: null });
    expect(fromCallerRun({ kind: 'baresip', error: 'x' }, 'idle')).toEqual({ side: 'call', condition: 'idle', impl: 'baresip', error: 'x' });
  });
});

describe('bench args: sides and conditions', () => {
  it('runs both sides in every condition by default', () => {
    expect(parseBenchArgs([])).toMatchObject({ ok: true, args: { sides: ['call', 'answer'], conditions: ['idle', 'blocked', 'burn'] } });
  });
  it('takes --sides and --conditions in the fixed order, and refuses unknown names', () => {
    expect(parseBenchArgs(['--sides', 'answer', '--conditions', 'burn,idle'])).toMatchObject({ ok: true, args: { sides: ['answer'], conditions: ['idle', 'burn'] } });
    expect(parseBenchArgs(['--sides', 'both'])).toMatchObject({ ok: false });
    expect(parseBenchArgs(['--conditions', 'hot'])).toMatchObject({ ok: false });
  });
  it('makes the existing calling-side runs only for the calling side and their conditions', () => {
    const base = { runs: ['baresip', 'idle', 'blocked'] as const };
    expect(callerKinds({ runs: [...base.runs], sides: ['answer'], conditions: ['idle'] })).toEqual([]);
    expect(callerKinds({ runs: [...base.runs], sides: ['call'], conditions: ['blocked', 'burn'] })).toEqual(['blocked']);
    expect(callerKinds({ runs: [...base.runs], sides: ['call', 'answer'], conditions: ['idle', 'blocked', 'burn'] })).toEqual(['baresip', 'idle', 'blocked']);
  });
});
