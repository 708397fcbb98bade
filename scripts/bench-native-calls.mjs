// `npm run bench:native -- --calls N --seconds S`: N concurrent calls on the native media engine (issue 12).
// Two host processes, each holding N calls in one engine thread, send tones to each other over loopback
// (A 1 kHz, B 1.5 kHz); each reports its CPU seconds, peak RSS, thread count, the engine's send-interval
// figures (sender-side clock) and, for a sample of calls, whether the other side's tone was heard.
// Measures the engine alone (no SIP): the per-call cost of the media path that a `listen` process carries.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};

if (opt('role', '') === 'host') await host();
else await parent();

async function parent() {
  const calls = Number(opt('calls', '100'));
  const seconds = Number(opt('seconds', '20'));
  const base = Number(opt('base', String(40000 + 2 * Math.floor(Math.random() * 2000))));
  if (!(calls >= 1 && calls <= 256) || !(seconds >= 2)) {
    process.stderr.write('usage: bench-native-calls.mjs [--calls 1..256] [--seconds >=2] [--base PORT]\n');
    process.exit(2);
  }
  const run = (name, me, peer, hz, otherHz) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--role', 'host', '--calls', String(calls), '--seconds', String(seconds),
        '--me', String(me), '--peer', String(peer), '--hz', String(hz), '--other', String(otherHz)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('exit', (code) => (code === 0 ? resolve({ name, ...JSON.parse(out) }) : reject(new Error(`${name} exited ${code}: ${out}`))));
    });
  const results = await Promise.all([run('A', base, base + 1024, 1000, 1500), run('B', base + 1024, base, 1500, 1000)]);
  const rows = results.map((r) =>
    `| ${r.name} | ${calls} | ${r.cpuSeconds.toFixed(2)} | ${((r.cpuSeconds / (calls * r.windowSeconds)) * 60).toFixed(3)} | ${r.peakRssMB.toFixed(1)} | ${r.threads} | ` +
    `${r.sendP99MaxMs.toFixed(2)} | ${r.maxSendGapMs.toFixed(2)} | ${r.lost} | ${r.heardOk}/${r.sampled} |`);
  process.stdout.write(
    `N concurrent calls on the native engine, ${seconds} s, ${new Date().toISOString()}\n\n` +
      '| host | calls | CPU s in window | CPU s per call-minute | peak RSS MB | threads | worst call send interval p99, ms | max send gap, ms | packets lost | sampled calls hearing the tone |\n' +
      '|---|---|---|---|---|---|---|---|---|---|\n' + rows.join('\n') + '\n');
}

async function host() {
  const require = createRequire(import.meta.url);
  const api = require(join(root, 'native', 'build', 'Release', 'softphone_native.node'));
  const calls = Number(opt('calls', '1'));
  const seconds = Number(opt('seconds', '20'));
  const me = Number(opt('me', '0'));
  const peer = Number(opt('peer', '0'));
  const hz = Number(opt('hz', '1000'));
  const other = Number(opt('other', '1500'));
  const sampled = Math.min(calls, 10);
  const ids = [];
  for (let i = 0; i < calls; i++) {
    const r = api.mediaOpen('127.0.0.1', me + 2 * i, i < sampled);
    if (!('id' in r)) throw new Error(r.message);
    ids.push(r.id);
  }
  // One second of tone (a whole number of periods), fed in 20 ms blocks with a 600 ms lead.
  const tone = new Int16Array(8000);
  for (let i = 0; i < 8000; i++) tone[i] = Math.round(16000 * Math.sin((2 * Math.PI * hz * i) / 8000));
  const pos = new Array(calls).fill(0);
  const feed = () => {
    for (let i = 0; i < calls; i++) {
      while (8192 - api.mediaInputRoom(ids[i]) + 160 <= 4800) {
        api.mediaWriteInput(ids[i], tone.subarray(pos[i], pos[i] + 160));
        pos[i] = (pos[i] + 160) % 8000;
      }
    }
  };
  const heard = Array.from({ length: sampled }, () => []);
  const frame = new Int16Array(160);
  const drain = () => {
    for (let i = 0; i < sampled; i++) while (api.mediaReadOutput(ids[i], frame) === 160) heard[i].push(frame.slice());
  };
  feed();
  for (let i = 0; i < calls; i++) {
    api.mediaStart(ids[i], { remoteAddress: '127.0.0.1', remotePort: peer + 2 * i, remoteRtcpPort: peer + 2 * i + 1, law: 0, payloadType: 0,
      receive: [{ payloadType: 0, law: 0 }], telephoneEventPayloadType: 101, ptime: 20, latchMode: 0, direction: 0,
      ssrc: (Math.random() * 2 ** 32) >>> 0, seq: (Math.random() * 65536) | 0, timestamp: (Math.random() * 2 ** 32) >>> 0 });
  }
  const timer = setInterval(() => { feed(); drain(); }, 100);
  // The window starts after a second of settling (both hosts started, buffers primed).
  await new Promise((r) => setTimeout(r, 1000));
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, (seconds - 1) * 1000));
  const cpu1 = process.cpuUsage(cpu0);
  const windowSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(timer);
  drain();
  const threads = readdirSync('/proc/self/task').length;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  let sendP99MaxMs = 0, maxSendGapMs = 0, lost = 0;
  for (const id of ids) {
    const s = api.mediaClose(id);
    sendP99MaxMs = Math.max(sendP99MaxMs, s.sendIntervalP99Ms);
    maxSendGapMs = Math.max(maxSendGapMs, s.maxSendGapMs);
    lost += s.packetsLost;
  }
  let heardOk = 0;
  for (const frames of heard) {
    // Goertzel over the last half of what was played: the other side's tone must dominate.
    const tail = frames.slice(Math.floor(frames.length / 2));
    let good = 0;
    for (const f of tail) if (power(f, other) > 0.5 * energy(f) && power(f, hz) < 0.1 * energy(f)) good++;
    if (tail.length > 0 && good / tail.length >= 0.9) heardOk++;
  }
  process.stdout.write(JSON.stringify({ cpuSeconds: (cpu1.user + cpu1.system) / 1e6, windowSeconds, peakRssMB: hwm ? (Number(hwm[1]) * 1024) / 1e6 : 0, threads, sendP99MaxMs, maxSendGapMs, lost, heardOk, sampled }));
}

/** Goertzel power at hz, normalised so a pure full-scale tone gives about its energy. */
function power(f, hz) {
  const k = 2 * Math.cos((2 * Math.PI * hz) / 8000);
  let s1 = 0, s2 = 0;
  for (const v of f) {
    const s = v + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return ((s1 * s1 + s2 * s2 - k * s1 * s2) * 2) / f.length;
}

function energy(f) {
  let e = 1;
  for (const v of f) e += v * v;
  return e;
}
