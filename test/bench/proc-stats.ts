// CPU time and peak memory of a process from Linux /proc (what the kernel accounted, not what the
// process says about itself): utime+stime from /proc/PID/stat (all threads), VmHWM from /proc/PID/status.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export interface CpuTicks {
  /** utime + stime, in clock ticks. */
  ticks: number;
}

/**
 * utime + stime (fields 14 and 15, proc(5)) of a /proc/PID/stat or /proc/PID/task/TID/stat line. The
 * command name (field 2) is in parentheses and may hold spaces or ")", so count from the last ")".
 */
export function parseStatTicks(stat: string): number {
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc stat line');
  // After ") " come field 3 (state), 4, 5, ...: utime is field 14 = index 11 here, stime index 12.
  const fields = stat.slice(close + 2).trim().split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('bad /proc stat line');
  return utime + stime;
}

/** A "Name:   value kB" line of /proc/PID/status, in kB (KiB); null if absent (e.g. a zombie). */
export function parseStatusKb(status: string, key: string): number | null {
  const m = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return m?.[1] ? Number(m[1]) : null;
}

/** The all-CPU counters of /proc/stat: busy (total minus idle and iowait) and total, in ticks. */
export function parseCpuLine(procStat: string): { busy: number; total: number } {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no cpu line in /proc/stat');
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

let clockTicks: number | null = null;

/** USER_HZ (clock ticks per second, normally 100). */
export function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      clockTicks = Number.isFinite(n) && n > 0 ? n : 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface ProcSample {
  /** Date.now() when sampled. */
  at: number;
  /** Process CPU seconds (utime+stime, every thread, since the process started). */
  cpuSeconds: number;
  /** Peak resident set size so far (VmHWM), in kB; null if it could not be read. */
  peakRssKb: number | null;
  rssKb: number | null;
  /** CPU seconds per thread (tid -> seconds); the main thread's tid is the pid. */
  threads: Record<string, number>;
  /** Machine-wide /proc/stat counters at the same moment (to show load from other processes). */
  machine: { busy: number; total: number };
}

/** Reads one sample of `pid`; throws if the process is gone. */
export function sampleProcess(pid: number): ProcSample {
  const hz = ticksPerSecond();
  const at = Date.now();
  const cpuSeconds = parseStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) / hz;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const threads: Record<string, number> = {};
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        threads[tid] = parseStatTicks(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')) / hz;
      } catch {
        // A thread that ended between readdir and read: its time is in the process total anyway.
      }
    }
  } catch {
    // No task list: the totals above are what matters.
  }
  return {
    at,
    cpuSeconds,
    peakRssKb: parseStatusKb(status, 'VmHWM'),
    rssKb: parseStatusKb(status, 'VmRSS'),
    threads,
    machine: parseCpuLine(readFileSync('/proc/stat', 'utf8')),
  };
}

/** The pid of a running process whose argv is exactly `argv` (e.g. a baresip started with -f DIR). */
export function findPidByArgv(argv: string[]): number | null {
  const want = argv.join('\0');
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0$/, '');
      if (cmdline === want) return Number(entry);
    } catch {
      // Exited while we looked, or not ours to read.
    }
  }
  return null;
}

/** CPU seconds per thread spent between two samples, largest first (threads that ended are left out). */
export function threadDeltas(from: ProcSample, to: ProcSample): { tid: string; seconds: number }[] {
  return Object.entries(to.threads)
    .map(([tid, s]) => ({ tid, seconds: s - (from.threads[tid] ?? 0) }))
    .sort((a, b) => b.seconds - a.seconds);
}
