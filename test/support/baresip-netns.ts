// Debian's baresip 1.0.0 as an auto-answering SIP phone inside a network namespace of the NAT bench:
// registered at Kamailio, ICE with a TURN server (its ice + turn modules), a WAV as microphone and what
// it hears dumped by sndfile. No ctrl_tcp: the namespace's loopback is out of the test's reach.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NetnsBaresipOptions {
  netns: string;
  /** The PC's address in the namespace (baresip's net_interface takes an IP). */
  address: string;
  user: string;
  password: string;
  /** Registrar / domain, e.g. 172.29.0.1. */
  domain: string;
  /** TURN (and STUN) server host[:port]; credentials are user/password. */
  turn: string;
  /** 8 kHz mono 16-bit WAV played as the microphone. */
  playWav: string;
}

export interface NetnsBaresip {
  /** Config, log and recordings; the caller removes it (rmSync) once it has read the recordings. */
  dir: string;
  log(): string;
  /** The newest "-dec.wav" dump: what baresip heard. */
  decodedRecording(): string | undefined;
  /** Resolves when the log shows `text` (e.g. the successful registration), rejects after timeoutMs. */
  waitForLog(text: RegExp, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export function startNetnsBaresip(o: NetnsBaresipOptions): NetnsBaresip {
  const dir = mkdtempSync(join(tmpdir(), 'baresip-netns-'));
  const recordDir = join(dir, 'recordings');
  mkdirSync(recordDir);
  writeFileSync(
    join(dir, 'config'),
    [
      'poll_method epoll',
      'call_max_calls 4',
      `audio_source aufile,${o.playWav}`,
      `sip_listen ${o.address}:5060`,
      `net_interface ${o.address}`,
      'rtp_ports 20000-20999',
      'rtcp_mux no',
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module aufile.so',
      'module sndfile.so',
      'module stun.so',
      'module turn.so',
      'module ice.so',
      'module_tmp account.so',
      'module_app menu.so',
      `snd_path ${recordDir}`,
      '',
    ].join('\n'),
  );
  // medianat=ice with a turn: server URI: candidates host, srflx and relay (RFC 5245 ICE, RFC 5766 TURN).
  writeFileSync(
    join(dir, 'accounts'),
    `<sip:${o.user}@${o.domain}>;auth_pass=${o.password};answermode=auto;audio_codecs=PCMU;regint=600;` +
      `medianat=ice;stunserver=turn:${o.turn};stunuser=${o.user};stunpass=${o.password}\n`,
  );
  writeFileSync(join(dir, 'contacts'), '');
  const logPath = join(dir, 'baresip.log');
  const fd = openSync(logPath, 'a');
  const child: ChildProcess = spawn('ip', ['netns', 'exec', o.netns, 'baresip', '-f', dir, '-v'], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let running = true;
  const exited = new Promise<void>((r) =>
    child.once('exit', () => {
      running = false;
      r();
    }),
  );
  let finalLog: string | null = null;
  const log = () => finalLog ?? (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');
  return {
    dir,
    log,
    decodedRecording: () => {
      const f = (existsSync(recordDir) ? readdirSync(recordDir) : []).filter((n) => n.endsWith('-dec.wav')).sort().at(-1);
      return f ? join(recordDir, f) : undefined;
    },
    waitForLog: async (text, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (!text.test(log())) {
        if (!running) throw new Error(`baresip exited before ${String(text)}\n${log().slice(-3000)}`);
        if (Date.now() > deadline) throw new Error(`baresip: no ${String(text)} within ${timeoutMs} ms\n${log().slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: async () => {
      if (running) {
        // Twice: the second SIGTERM skips the un-REGISTER (see BENCH-NOTES).
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGTERM'), 300).unref();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      if (finalLog === null) finalLog = log();
    },
  };
}
