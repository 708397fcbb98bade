// The native engine's thread priority (issue 12, pacing): SCHED_FIFO when the process may have it, else a
// raised nice value, else a normal thread; read back from /proc as the kernel sees the thread. Linux only.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IN_CI } from '../support/real-peer-gate';

const addon = join(__dirname, '..', '..', 'native', 'build', 'Release', 'softphone_native.node');
const built = existsSync(addon);
if (!built && IN_CI) throw new Error('the native addon must be built in CI');

/** A child process opens one native call, then reports the engine's own flag and every thread's policy and nice value. */
const CHILD = `
const fs = require('node:fs');
const api = require(${JSON.stringify(addon)});
let id = -1;
for (let port = 20000 + 2 * Math.floor(Math.random() * 10000); id < 0; port += 2) {
  const r = api.mediaOpen('127.0.0.1', port, false);
  if ('id' in r) id = r.id; else if (r.code !== 'EADDRINUSE') throw new Error(r.message);
}
api.mediaStart(id, { remoteAddress: '127.0.0.1', remotePort: 9, remoteRtcpPort: 10, law: 0, payloadType: 0, receive: [{ payloadType: 0, law: 0 }],
  telephoneEventPayloadType: -1, ptime: 20, latchMode: 0, direction: 0, ssrc: 1, seq: 1, timestamp: 1 });
const report = () => {
  const info = api.mediaInfo();
  if (info.ticks < 3) return setTimeout(report, 20);
  const threads = fs.readdirSync('/proc/self/task').map((tid) => {
    const stat = fs.readFileSync('/proc/self/task/' + tid + '/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { nice: Number(f[16]), policy: Number(f[38]) };
  });
  api.mediaClose(id);
  process.stdout.write(JSON.stringify({ realtime: info.realtime, threads }));
  process.exit(0);
};
report();
`;

interface Report {
  realtime: number;
  threads: { nice: number; policy: number }[];
}

function run(env: Record<string, string>): Promise<Report> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out) as Report);
      else reject(new Error(`child exited ${code}: ${out}`));
    });
  });
}

const SCHED_FIFO = 1;

describe.skipIf(!built || process.platform !== 'linux')('native engine thread priority', () => {
  it('SOFTPHONE_MEDIA_REALTIME=nice: the engine thread runs at nice -10 (SCHED_OTHER) when the process may lower it, and says so', async () => {
    const r = await run({ SOFTPHONE_MEDIA_REALTIME: 'nice' });
    const mayNice = r.realtime === 2;
    if (mayNice) expect(r.threads.filter((t) => t.nice === -10 && t.policy === 0)).toHaveLength(1);
    else expect(r.realtime).toBe(0); // no CAP_SYS_NICE and RLIMIT_NICE 0: a normal thread, silently
    expect(r.threads.some((t) => t.policy === SCHED_FIFO)).toBe(false);
  });

  it('by default: SCHED_FIFO where permitted (one thread), else the nice fallback, else normal; never an error', async () => {
    const r = await run({});
    const fifo = r.threads.filter((t) => t.policy === SCHED_FIFO);
    if (r.realtime === 1) expect(fifo).toHaveLength(1);
    else if (r.realtime === 2) expect(r.threads.filter((t) => t.nice < 0)).toHaveLength(1);
    else expect(fifo).toHaveLength(0);
  });

  it('SOFTPHONE_MEDIA_REALTIME=0: a normal thread', async () => {
    const r = await run({ SOFTPHONE_MEDIA_REALTIME: '0' });
    expect(r.realtime).toBe(0);
    // Every thread as the process was started (the test runner may itself run under nice).
    const base = r.threads[0]?.nice;
    expect(r.threads.every((t) => t.policy === 0 && t.nice === base)).toBe(true);
  });
});
