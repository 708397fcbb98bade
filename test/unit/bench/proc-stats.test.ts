// The bench's /proc parsing: CPU ticks from stat lines (odd command names too), kB fields of status.
import { describe, expect, it } from 'vitest';
import { parseCpuLine, parseStatTicks, parseStatusKb, threadDeltas, type ProcSample } from '../../bench/proc-stats';

// A real /proc/PID/stat line (utime = 1234, stime = 56 at fields 14 and 15).
const STAT = '4321 (node) S 4300 4321 18482 0 -1 4194560 9018 0 0 0 1234 56 0 0 20 0 12 0 179385 1199480832 20580 18446744073709551615';

describe('parseStatTicks', () => {
  it('adds utime and stime', () => {
    expect(parseStatTicks(STAT)).toBe(1290);
  });

  it('counts fields after the last ")" so a command name with spaces and parentheses does not shift them', () => {
    const odd = STAT.replace('(node)', '(we ird) (x))');
    expect(parseStatTicks(odd)).toBe(1290);
  });

  it('rejects text that is not a stat line', () => {
    expect(() => parseStatTicks('garbage')).toThrow();
    expect(() => parseStatTicks('1 (x) S 1 2')).toThrow();
  });
});

describe('parseStatusKb', () => {
  const status = 'Name:\tnode\nVmPeak:\t 1171368 kB\nVmHWM:\t   84560 kB\nVmRSS:\t   81960 kB\nThreads:\t12\n';
  it('reads VmHWM and VmRSS in kB', () => {
    expect(parseStatusKb(status, 'VmHWM')).toBe(84560);
    expect(parseStatusKb(status, 'VmRSS')).toBe(81960);
  });
  it('is null when the field is missing (a zombie has no memory lines)', () => {
    expect(parseStatusKb('Name:\tnode\nState:\tZ (zombie)\n', 'VmHWM')).toBeNull();
  });
});

describe('parseCpuLine', () => {
  it('takes idle and iowait out of the busy count', () => {
    expect(parseCpuLine('cpu  100 5 20 800 10 0 3 0 0 0\ncpu0 1 2 3 4\n')).toEqual({ busy: 128, total: 938 });
  });
});

describe('threadDeltas', () => {
  const sample = (threads: Record<string, number>): ProcSample => ({
    at: 0, cpuSeconds: 0, peakRssKb: null, rssKb: null, threads, machine: { busy: 0, total: 0 },
  });
  it('orders threads by CPU used between the samples; new threads count from zero', () => {
    const d = threadDeltas(sample({ '10': 1, '11': 0.5 }), sample({ '10': 1.25, '11': 2, '12': 0.75 }));
    expect(d).toEqual([
      { tid: '11', seconds: 1.5 },
      { tid: '12', seconds: 0.75 },
      { tid: '10', seconds: 0.25 },
    ]);
  });
});
