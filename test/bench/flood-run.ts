// The flood (issue 9, bounded resources): a `softphone listen` (B) in a call with a real caller (A) while
// another source sends mutated/malformed SIP datagrams at a rate; then an INVITE flood from a third
// source while a second real caller calls. Measures B's RSS (idle, peak, after, settled), its worst
// event-loop stall (its own monitorEventLoopDelay log, SOFTPHONE_DIAGNOSTICS=1), the answers the
// flooders got per second, and the callers' audio continuity. Used by `npm run flood` and, shortened,
// by the smoke test (test/integration/flood-smoke.test.ts).
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, type SoftphoneProcess } from '../support/softphone-process';
import { TONE_A_HZ, TONE_B_HZ, makeTempDir, removeDir, toneReport, writeToneWav, type ToneReport } from '../support/audio-check';
import { TORTURE_CASES, loadTortureMessage } from '../support/torture-messages';

export interface FloodOptions {
  /** Mutated/malformed datagrams to send (phase 1). */
  datagrams: number;
  /** Their rate per second. */
  rate: number;
  /** INVITEs per second in phase 2 (0: no phase 2). */
  inviteRate: number;
  inviteSeconds: number;
  /** Seconds to wait after the floods before the settled RSS. */
  settleSeconds: number;
  /** Where progress lines go. */
  log: (line: string) => void;
}

export interface FloodReport {
  rssIdleMB: number;
  /** In the call, before the flood: the baseline the flood's growth is measured from. */
  rssInCallMB: number;
  rssPeakMB: number;
  rssAfterMB: number;
  rssSettledMB: number;
  /** The listener's own process.memoryUsage() at its RSS peak and at the end (JS heap vs native). */
  memoryBreakdown: string;
  maxStallMs: number | null;
  sent: number;
  answers: number;
  answersPerSecond: { min: number; mean: number; max: number };
  inviteSent: number;
  inviteAnswers: Record<string, number>;
  call1: { connected: boolean; heardByB: ToneReport | null; heardByA: ToneReport | null };
  call2: { connected: boolean; heardByB: ToneReport | null; heardByA: ToneReport | null } | null;
  call3: { connected: boolean; heardByB: ToneReport | null; heardByA: ToneReport | null } | null;
  noFreePortWarnings: number;
  errors: string[];
  gateCounters: string | null;
  listenerAlive: boolean;
}

function rssMB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : 0;
  } catch {
    return 0;
  }
}

/** A seeded mix: torture messages with bytes changed, cut short, with fresh Call-IDs, and plain garbage. */
export function floodDatagram(i: number, seedBase = 1): Buffer {
  let s = (i * 2654435761 + seedBase) >>> 0;
  const rnd = (n: number): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
  const kind = rnd(10);
  if (kind === 0) return Buffer.from(Array.from({ length: 1 + rnd(1400) }, () => rnd(256)));
  const c = TORTURE_CASES[rnd(TORTURE_CASES.length)];
  const text = loadTortureMessage(c?.file ?? 'wsinv.dat').toString('latin1')
    .replace(/(\r\n(?:Call-ID|i)[ \t]*:[ \t]*)/i, `$1f${i}.`)
    .replace(/branch=z9hG4bK/i, `branch=z9hG4bKf${i}`);
  const b = Buffer.from(text, 'latin1');
  if (kind === 1) return b.subarray(0, rnd(b.length));
  if (kind <= 3) return b; // well-formed or RFC-invalid as is, distinct transaction ids
  for (let k = 0; k < 1 + b.length / 100; k++) b[rnd(b.length)] = rnd(256);
  return b;
}

function inviteDatagram(i: number, port: number): Buffer {
  const sdp = ['v=0', 'o=- 1 1 IN IP4 127.0.0.3', 's=-', 'c=IN IP4 127.0.0.3', 't=0 0', 'm=audio 9 RTP/AVP 0', ''].join('\r\n');
  return Buffer.from([
    `INVITE sip:x@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.3:5999;branch=z9hG4bKinv${i};rport`,
    'Max-Forwards: 70',
    `From: <sip:flood@127.0.0.3>;tag=f${i}`,
    `To: <sip:x@127.0.0.1:${port}>`,
    `Call-ID: invite-flood-${i}@127.0.0.3`,
    'CSeq: 1 INVITE',
    'Contact: <sip:flood@127.0.0.3:5999>',
    'Content-Type: application/sdp',
    `Content-Length: ${sdp.length}`,
    '',
    sdp,
  ].join('\r\n'));
}

async function boundSocket(address: string, onMessage: (msg: Buffer) => void): Promise<Socket> {
  const sock = createSocket('udp4');
  sock.on('message', onMessage);
  sock.on('error', () => undefined);
  await new Promise<void>((res) => sock.bind(0, address, () => res()));
  return sock;
}

/** Sends `count` datagrams at `rate`/s (10 ms ticks), `make(i)` each; resolves when all are sent. */
function paced(sock: Socket, port: number, count: number, rate: number, make: (i: number) => Buffer): Promise<void> {
  return new Promise((resolve) => {
    let sent = 0;
    const started = Date.now();
    const timer = setInterval(() => {
      const due = Math.min(count, Math.floor(((Date.now() - started) / 1000) * rate));
      try {
        while (sent < due) sock.send(make(sent++), port, '127.0.0.1');
      } catch {
        sent = count; // the socket was closed (the run failed): stop
      }
      if (sent >= count) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
}

function maxStall(stderr: string): number | null {
  let max: number | null = null;
  for (const m of stderr.matchAll(/\[diagnostics\] event loop (\{.*\})/g)) {
    const v = (JSON.parse(m[1] ?? '{}') as { maxDelayMs?: number }).maxDelayMs;
    if (typeof v === 'number') max = Math.max(max ?? 0, v);
  }
  return max;
}

async function call(port: number, dir: string, name: string, toneA: string, seconds: number): Promise<SoftphoneProcess> {
  const rtp = await freePortRange(10);
  return startSoftphone(
    ['call', `sip:x@127.0.0.1:${port}`, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--play', toneA, '--loop',
      '--record', join(dir, `${name}-a.wav`), '--duration', String(seconds)],
    { name },
  );
}

export async function runFlood(o: FloodOptions): Promise<FloodReport> {
  const dir = makeTempDir('flood-');
  const toneA = writeToneWav(dir, TONE_A_HZ, 120);
  const toneB = writeToneWav(dir, TONE_B_HZ, 120);
  const port = await freeUdpPort();
  const rtpB = await freePortRange(20);
  const b = startSoftphone(
    ['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtpB.min}-${rtpB.max}`, '--auto-answer', '--play', toneB, '--loop',
      '--record', join(dir, 'b.wav')],
    { name: 'B', env: { SOFTPHONE_DIAGNOSTICS: '1' } },
  );
  const report: FloodReport = {
    rssIdleMB: 0, rssInCallMB: 0, rssPeakMB: 0, rssAfterMB: 0, rssSettledMB: 0, memoryBreakdown: '', maxStallMs: null, sent: 0, answers: 0,
    answersPerSecond: { min: 0, mean: 0, max: 0 }, inviteSent: 0, inviteAnswers: {}, call1: { connected: false, heardByA: null, heardByB: null },
    call2: null, call3: null, noFreePortWarnings: 0, errors: [], gateCounters: null, listenerAlive: false,
  };
  const sockets: Socket[] = [];
  const sampler = setInterval(() => (report.rssPeakMB = Math.max(report.rssPeakMB, rssMB(b.pid))), 250);
  try {
    await b.waitFor('listening');
    await new Promise((r) => setTimeout(r, 1500)); // let start-up allocations settle before "idle"
    report.rssIdleMB = rssMB(b.pid);
    o.log(`listener up on ${port}, idle RSS ${report.rssIdleMB} MB`);

    // Phase 1: a call in progress, mutated datagrams from 127.0.0.2.
    const floodSeconds = o.datagrams / o.rate;
    const a1 = await call(port, dir, 'A1', toneA, Math.ceil(floodSeconds) + 3);
    await a1.waitFor('connected', undefined, 15_000);
    report.call1.connected = true;
    report.rssInCallMB = rssMB(b.pid);
    const perSecond = new Map<number, number>();
    const t0 = Date.now();
    const flood = await boundSocket('127.0.0.2', () => {
      report.answers++;
      const sec = Math.floor((Date.now() - t0) / 1000);
      perSecond.set(sec, (perSecond.get(sec) ?? 0) + 1);
    });
    sockets.push(flood);
    o.log(`phase 1: ${o.datagrams} datagrams at ${o.rate}/s (~${floodSeconds.toFixed(0)} s) during a call`);
    await paced(flood, port, o.datagrams, o.rate, (i) => floodDatagram(i));
    report.sent = o.datagrams;
    const secs = Math.max(1, Math.floor((Date.now() - t0) / 1000));
    const counts = Array.from({ length: secs }, (_, i) => perSecond.get(i) ?? 0);
    report.answersPerSecond = { min: Math.min(...counts), mean: Math.round(report.answers / secs), max: Math.max(...counts) };
    report.rssAfterMB = rssMB(b.pid);
    await a1.waitFor('ended', undefined, 30_000);
    await b.waitFor('ended', (e) => b.all('ended').indexOf(e) === 0, 15_000);
    report.call1.heardByB = toneReport(join(dir, 'b.wav'), TONE_A_HZ);
    report.call1.heardByA = toneReport(join(dir, 'A1-a.wav'), TONE_B_HZ);
    o.log(`phase 1 done: ${report.answers} answers, RSS ${report.rssAfterMB} MB`);

    // Phase 2: a second real caller (A2) in a call with B while INVITEs come from 127.0.0.3 at
    // inviteRate/s; then a third caller (A3) right after the flood: the ports must not be exhausted.
    // (While B is idle, a flood INVITE is a call like any other in direct-IP mode, and --auto-answer
    // answers it: keeping strangers out is the ghost-call filter's job, for a registered account.)
    if (o.inviteRate > 0) {
      const inviteAnswers: Record<string, number> = {};
      const inv = await boundSocket('127.0.0.3', (msg) => {
        const st = /^SIP\/2\.0 (\d{3})/.exec(msg.toString('latin1'))?.[1] ?? 'other';
        inviteAnswers[st] = (inviteAnswers[st] ?? 0) + 1;
      });
      sockets.push(inv);
      const total = o.inviteRate * o.inviteSeconds;
      const a2 = await call(port, dir, 'A2', toneA, o.inviteSeconds + 3);
      report.call2 = { connected: false, heardByA: null, heardByB: null };
      await a2.waitFor('connected', undefined, 15_000);
      report.call2.connected = true;
      o.log(`phase 2: ${total} INVITEs at ${o.inviteRate}/s during a call`);
      await paced(inv, port, total, o.inviteRate, (i) => inviteDatagram(i, port));
      report.inviteSent = total;
      report.inviteAnswers = inviteAnswers;
      await a2.waitFor('ended', undefined, 30_000);
      await b.waitFor('ended', (e) => e['callId'] === a2.all('connected')[0]?.['callId'], 15_000);
      report.call2.heardByA = toneReport(join(dir, 'A2-a.wav'), TONE_B_HZ);
      const a3 = await call(port, dir, 'A3', toneA, 3);
      report.call3 = { connected: false, heardByA: null, heardByB: null };
      await a3.waitFor('connected', undefined, 15_000);
      report.call3.connected = true;
      await a3.waitFor('ended', undefined, 30_000);
      report.call3.heardByA = toneReport(join(dir, 'A3-a.wav'), TONE_B_HZ);
    }
    if (o.settleSeconds > 0) await new Promise((r) => setTimeout(r, o.settleSeconds * 1000));
    report.rssSettledMB = rssMB(b.pid);
    report.listenerAlive = b.running;
    report.maxStallMs = maxStall(b.stderr);
    report.noFreePortWarnings = b.all('warning').filter((w) => /no free RTP port/.test(String(w['message']))).length;
    report.errors = b.all('error').map((e) => String(e['message']));
    report.gateCounters = [...b.stderr.matchAll(/\[sip:stack\] sip gate (\{.*\})/g)].at(-1)?.[1] ?? null;
    const memory = [...b.stderr.matchAll(/\[diagnostics\] event loop (\{.*\})/g)].map((m) => JSON.parse(m[1] ?? '{}') as Record<string, number>);
    const at = (m: Record<string, number> | undefined) => (m ? `heap ${m['heapUsedMB']}/${m['heapTotalMB']} (young generation ${m['newSpaceMB'] ?? '?'}), external ${m['externalMB']} (ArrayBuffers ${m['arrayBuffersMB']}) of RSS ${m['rssMB']} MB` : 'n/a');
    report.memoryBreakdown = `at peak: ${at([...memory].sort((x, y) => (y['rssMB'] ?? 0) - (x['rssMB'] ?? 0))[0])}; last: ${at(memory.at(-1))}`;
    return report;
  } finally {
    clearInterval(sampler);
    for (const s of sockets) s.close();
    await b.stop();
    removeDir(dir);
  }
}

export function formatFloodReport(o: FloodOptions, r: FloodReport): string {
  const pct = (t: ToneReport | null) => (t ? `${(t.coverage * 100).toFixed(1)} % of ${t.measuredSeconds.toFixed(1)} s` : 'n/a');
  return [
    `| measure | value |`,
    `|---|---|`,
    `| datagrams (phase 1) | ${r.sent} at ${o.rate}/s |`,
    `| listener's memory (process.memoryUsage, MB) | ${r.memoryBreakdown} |`,
    `| RSS idle / in call before the flood / peak / after / settled ${o.settleSeconds} s | ${r.rssIdleMB} / ${r.rssInCallMB} / ${r.rssPeakMB} / ${r.rssAfterMB} / ${r.rssSettledMB} MB (peak - in call ${(r.rssPeakMB - r.rssInCallMB).toFixed(1)} MB, peak - idle ${(r.rssPeakMB - r.rssIdleMB).toFixed(1)} MB) |`,
    `| max event-loop stall (listener's own monitor) | ${r.maxStallMs ?? 'n/a'} ms |`,
    `| answers to the flooder per second (min / mean / max) | ${r.answersPerSecond.min} / ${r.answersPerSecond.mean} / ${r.answersPerSecond.max} |`,
    `| call 1 audio during phase 1 (B heard A / A heard B) | ${pct(r.call1.heardByB)} / ${pct(r.call1.heardByA)} |`,
    `| INVITE flood (phase 2) | ${r.inviteSent} sent, answers ${JSON.stringify(r.inviteAnswers)} |`,
    `| call 2 during the INVITE flood (A heard B) | ${r.call2 ? `${r.call2.connected ? 'connected' : 'NOT connected'}, ${pct(r.call2.heardByA)}` : 'n/a'} |`,
    `| call 3 right after the INVITE flood (A heard B) | ${r.call3 ? `${r.call3.connected ? 'connected' : 'NOT connected'}, ${pct(r.call3.heardByA)}` : 'n/a'} |`,
    `| "no free RTP port" warnings | ${r.noFreePortWarnings} |`,
    `| listener errors / alive | ${r.errors.length} / ${r.listenerAlive} |`,
    `| gate counters (last) | ${r.gateCounters ?? 'n/a'} |`,
  ].join('\n');
}
