// Runs Debian's baresip 1.0.0 as an independent SIP peer: a WAV as its microphone (aufile), what it
// hears dumped to WAV (sndfile), driven over ctrl_tcp (netstring JSON). See BENCH-NOTES "baresip gotchas".
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, freePortRange } from './free-port';

export interface BaresipOptions {
  /** The only codec offered/accepted (account's audio_codecs); G722 and opus load their modules (issue 13). */
  codec: 'PCMU' | 'PCMA' | 'G722' | 'opus';
  /** 8 kHz mono 16-bit WAV played as the microphone (aufile needs exactly that format for G.711; 16 kHz for G.722). */
  playWav: string;
  user?: string;
  /** auto: answers every call at once; manual: waits for accept(). */
  answerMode?: 'auto' | 'manual';
  /** Where SIP and RTP listen: 127.0.0.1 (default) or ::1 (IPv6 only, issue 10). */
  host?: '127.0.0.1' | '::1';
  /**
   * The srtp module's media encryption (SDES, RFC 4568): srtp = best effort (RTP/AVP with a=crypto),
   * srtp-mand = RTP/SAVP only. Absent: plain RTP, module not loaded.
   */
  mediaenc?: 'srtp' | 'srtp-mand';
}

export interface BaresipEvent {
  type: string;
  param?: string;
  peeruri?: string;
  id?: string;
  direction?: string;
  [key: string]: unknown;
}

export interface Baresip {
  sipPort: number;
  /** Where to call it: sip:USER@127.0.0.1:PORT (or sip:USER@[::1]:PORT). */
  uri: string;
  dir: string;
  events: BaresipEvent[];
  /** Runs a ctrl_tcp command (a menu command such as dial, hangup, accept); rejects if it fails. */
  command(command: string, params?: string): Promise<string>;
  dial(uri: string): Promise<string>;
  hangup(): Promise<string>;
  /** The first event (already seen or to come) of this type, e.g. CALL_ESTABLISHED, CALL_CLOSED. */
  waitForEvent(type: string, timeoutMs?: number): Promise<BaresipEvent>;
  /** sndfile's dumps of the last call: `decoded` is what baresip received (our audio). */
  recordings(): { decoded?: string; encoded?: string };
  /** Every decoded dump in order: baresip starts a new one each time a re-INVITE restarts its stream. */
  decodedDumps(): string[];
  log(): string;
  stop(): Promise<void>;
}

function encodeNetstring(obj: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(obj), 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]);
}

/** Splits complete netstrings off `buf`; returns the messages and the unconsumed rest. */
export function decodeNetstrings(buf: Buffer): { messages: string[]; rest: Buffer } {
  const messages: string[] = [];
  let pos = 0;
  for (;;) {
    const colon = buf.indexOf(':', pos);
    if (colon < 0) break;
    const len = Number(buf.subarray(pos, colon).toString('ascii'));
    if (!Number.isInteger(len) || len < 0) throw new Error('ctrl_tcp: bad netstring');
    if (buf.length < colon + 1 + len + 1) break;
    messages.push(buf.subarray(colon + 1, colon + 1 + len).toString('utf8'));
    pos = colon + 1 + len + 1;
  }
  return { messages, rest: buf.subarray(pos) };
}

async function connectWithRetry(port: number, deadline: number, child: () => boolean): Promise<Socket> {
  for (;;) {
    try {
      return await new Promise<Socket>((res, rej) => {
        const s = connect(port, '127.0.0.1');
        s.once('connect', () => res(s));
        s.once('error', rej);
      });
    } catch (err) {
      if (Date.now() > deadline || !child()) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Starts baresip on ports probed free a moment before. Another test worker (or any process binding
 * port 0) can take one of them in between; baresip then logs "Address already in use" and exits, so
 * a start that failed that way is retried on fresh ports (CI stop 20 failed on exactly this race).
 */
export async function startBaresip(opts: BaresipOptions): Promise<Baresip> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startBaresipOnce(opts);
    } catch (err) {
      if (attempt >= 4 || !/Address already in use/.test((err as Error).message)) throw err;
    }
  }
}

async function startBaresipOnce(opts: BaresipOptions): Promise<Baresip> {
  const user = opts.user ?? 'bs';
  const dir = mkdtempSync(join(tmpdir(), 'baresip-'));
  const recordDir = join(dir, 'recordings');
  mkdirSync(recordDir);
  // baresip binds UDP+TCP on sip_listen and a port above it: keep two free.
  const host = opts.host ?? '127.0.0.1';
  const hostRef = host.includes(':') ? `[${host}]` : host;
  const sipPort = await freePort({ span: 2, host });
  const ctrlPort = await freePort();
  const rtp = await freePortRange(20, host);
  writeFileSync(
    join(dir, 'config'),
    [
      'poll_method epoll',
      'call_local_timeout 120',
      'call_max_calls 4',
      // No player module is loaded: decoded audio goes only to sndfile (an unclocked null player would
      // burn a core). The source is the WAV, paced by baresip's own timer.
      `audio_source aufile,${opts.playWav}`,
      `sip_listen ${hostRef}:${sipPort}`,
      `net_interface ${host}`,
      ...(host.includes(':') ? ['net_af ipv6'] : []),
      `rtp_ports ${rtp.min}-${rtp.max}`,
      'rtcp_mux no',
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      ...(opts.codec === 'G722' ? ['module g722.so'] : []),
      ...(opts.codec === 'opus' ? ['module opus.so'] : []),
      'module aufile.so',
      'module sndfile.so',
      'module ctrl_tcp.so',
      ...(opts.mediaenc ? ['module srtp.so'] : []),
      'module_tmp account.so',
      'module_app menu.so',
      `snd_path ${recordDir}`,
      `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'accounts'),
    `<sip:${user}@${hostRef}:${sipPort}>;answermode=${opts.answerMode ?? 'auto'};audio_codecs=${opts.codec};regint=0${opts.mediaenc ? `;mediaenc=${opts.mediaenc}` : ''}\n`,
  );
  writeFileSync(join(dir, 'contacts'), '');

  const logPath = join(dir, 'baresip.log');
  const logFd = openSync(logPath, 'a');
  const child: ChildProcess = spawn('baresip', ['-f', dir], { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  let running = true;
  const exited = new Promise<void>((res) =>
    child.once('exit', () => {
      running = false;
      res();
    }),
  );
  let finalLog: string | null = null;
  const log = () => finalLog ?? (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');

  const events: BaresipEvent[] = [];
  const pending = new Map<string, { res: (data: string) => void; rej: (e: Error) => void }>();
  const waiters = new Set<() => void>();
  let nextToken = 1;
  let sock: Socket;
  try {
    sock = await connectWithRetry(ctrlPort, Date.now() + 10_000, () => running);
  } catch (err) {
    child.kill('SIGKILL');
    const text = log();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`baresip did not start: ${(err as Error).message}\n--- baresip log ---\n${text}`);
  }
  let inbuf: Buffer = Buffer.alloc(0);
  sock.on('data', (chunk: Buffer) => {
    inbuf = Buffer.concat([inbuf, chunk]);
    const { messages, rest } = decodeNetstrings(inbuf);
    inbuf = rest;
    for (const m of messages) {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(m) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (msg['event'] === true) {
        events.push(msg as BaresipEvent);
        for (const w of [...waiters]) w();
      } else if (msg['response'] === true && typeof msg['token'] === 'string') {
        const p = pending.get(msg['token']);
        pending.delete(msg['token']);
        const data = typeof msg['data'] === 'string' ? msg['data'] : '';
        if (msg['ok'] === true) p?.res(data);
        else p?.rej(new Error(`baresip: ${data.trim()}`));
      }
    }
  });
  sock.on('error', () => undefined);

  const command = (cmd: string, params = ''): Promise<string> =>
    new Promise((res, rej) => {
      const token = String(nextToken++);
      const timer = setTimeout(() => {
        pending.delete(token);
        rej(new Error(`baresip: no answer to ${cmd}`));
      }, 5000);
      pending.set(token, {
        res: (d) => {
          clearTimeout(timer);
          res(d);
        },
        rej: (e) => {
          clearTimeout(timer);
          rej(e);
        },
      });
      sock.write(encodeNetstring({ command: cmd, params, token }));
    });

  const waitForEvent = (type: string, timeoutMs = 30_000): Promise<BaresipEvent> =>
    new Promise((res, rej) => {
      const check = () => {
        const hit = events.find((e) => e.type === type);
        if (hit) {
          cleanup();
          res(hit);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        rej(new Error(`baresip: no ${type} within ${timeoutMs} ms; events: ${events.map((e) => e.type).join(', ')}\n${log().slice(-4000)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  const recordings = () => {
    const files = existsSync(recordDir) ? readdirSync(recordDir).sort() : [];
    const last = (suffix: string) => {
      const f = files.filter((n) => n.endsWith(suffix)).at(-1);
      return f ? join(recordDir, f) : undefined;
    };
    return { decoded: last('-dec.wav'), encoded: last('-enc.wav') };
  };
  const decodedDumps = () =>
    (existsSync(recordDir) ? readdirSync(recordDir).sort() : []).filter((n) => n.endsWith('-dec.wav')).map((n) => join(recordDir, n));

  const stop = async () => {
    sock.destroy();
    if (running) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (finalLog === null) finalLog = log();
    rmSync(dir, { recursive: true, force: true });
  };

  return {
    sipPort,
    uri: `sip:${user}@${hostRef}:${sipPort}`,
    dir,
    events,
    command,
    dial: (uri) => command('dial', uri),
    hangup: () => command('hangup'),
    waitForEvent,
    recordings,
    decodedDumps,
    log,
    stop,
  };
}
