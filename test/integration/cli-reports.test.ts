// The built `softphone` binary says what is wrong before it starts (exit 2, the exact problem), and
// reports at run time instead of failing silently: no sound card, a registration that fails before the
// call, an INVITE nobody answers. Signals end every command promptly, and a closed pipe never spins.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOFTPHONE_BIN, startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import { printOnFailure } from '../support/on-failure';
import { freePort, freePortRange } from '../support/free-port';
import { startKamailio, type KamailioServer } from '../support/kamailio';
import { tempDir } from '../support/media-helpers';

afterEach(() => stopAllSoftphones());

const tmp = tempDir('cli-reports-');
afterAll(() => tmp.remove());

/** A UDP socket on 127.0.0.1 that takes datagrams and never answers (a host where nobody listens). */
async function silentPeer(): Promise<{ port: number; socket: Socket; received: () => number }> {
  const socket = createSocket('udp4');
  let count = 0;
  socket.on('message', () => count++);
  const port = await new Promise<number>((res) => socket.bind(0, '127.0.0.1', () => res(socket.address().port)));
  return { port, socket, received: () => count };
}

/** True if the kernel knows a sound card (then "no sound card" cannot be shown on this PC). */
function hasHardwareSoundCard(): boolean {
  try {
    return !/no soundcards/.test(readFileSync('/proc/asound/cards', 'utf8'));
  } catch {
    return false;
  }
}

// PortAudio sees no device: no ALSA card here, and the ALSA pulse plugin pointed at a server that is not there.
const NO_SOUND_ENV = { PULSE_SERVER: 'unix:/nonexistent/pulse/native', JACK_NO_START_SERVER: '1' };

describe('usage errors are caught before anything starts', () => {
  const notWav = join(tmp.dir, 'passwd-copy.wav');
  beforeAll(() => writeFileSync(notWav, 'root:x:0:0:root:/root:/bin/bash\n'));

  it.each([
    [['listen', '--port', '-1'], '--port must be between 1 and 65535 (or 0: any free port), got -1'],
    [['call', 'sip:a@127.0.0.1', '--duration', '-5'], '--duration must be between 0.1 and 86400 seconds, got -5'],
    [['listen', '--rtp-ports', '20000-10000'], '--rtp-ports: the first port must be lower than the last'],
    [['call', 'sip:bob@@127.0.0.1'], 'invalid SIP URI "sip:bob@@127.0.0.1": two @'],
    [['call', 'bob@'], 'invalid SIP URI "bob@": no host after @'],
    [['call', 'sip:'], 'invalid SIP URI "sip:": nothing after "sip:"'],
    [['listen', '--prot', '5070'], 'unknown option --prot (did you mean --port?)'],
    [['call', 'sip:a@127.0.0.1', '--play', '/etc/passwd'], '--play /etc/passwd: not a WAV file: missing RIFF/WAVE header (it starts with "root:'],
  ])('%j: exit 2 with the exact problem, nothing on stdout', async (argv, message) => {
    const p = startSoftphone(argv);
    printOnFailure(p);
    expect(await p.waitForExit()).toBe(2);
    expect(p.stderr.split('\n')[0]).toContain(`softphone: ${message}`);
    expect(p.events).toEqual([]);
    expect(p.strayLines).toEqual([]);
  });

  it('a --play file that is not a WAV names what it found, whatever its name', async () => {
    const p = startSoftphone(['call', 'sip:a@127.0.0.1', '--play', notWav]);
    printOnFailure(p);
    expect(await p.waitForExit()).toBe(2);
    expect(p.stderr).toContain(`--play ${notWav}: not a WAV file: missing RIFF/WAVE header (it starts with "root:x:0:0:root:")`);
  });

  it('per-command help: "call --help" and "listen -h" print that command\'s flags; --help lists ui and nat-check', async () => {
    const call = startSoftphone(['call', '--help']);
    const listen = startSoftphone(['listen', '-h']);
    const all = startSoftphone(['--help']);
    expect(await call.waitForExit()).toBe(0);
    expect(await listen.waitForExit()).toBe(0);
    expect(await all.waitForExit()).toBe(0);
    const callText = call.strayLines.join('\n');
    const listenText = listen.strayLines.join('\n');
    const allText = all.strayLines.join('\n');
    expect(callText).toMatch(/^ {2}softphone call URI/m);
    expect(callText).toContain('--ring-timeout');
    expect(callText).not.toContain('--auto-answer');
    expect(listenText).toMatch(/^ {2}softphone listen/m);
    expect(listenText).toContain('--auto-answer');
    expect(listenText).not.toContain('--ring-timeout');
    expect(allText).toMatch(/^ {2}softphone ui /m);
    expect(allText).toMatch(/^ {2}ui {3,}Serve the desktop UI/m);
    expect(allText).toMatch(/^ {2}nat-check {3,}Ask a STUN server/m);
  });
});

describe('run-time reports', () => {
  let kamailio: KamailioServer | undefined;
  afterAll(async () => kamailio?.stop());

  it.skipIf(hasHardwareSoundCard())('no sound card: a warning event and one log line, without the sound libraries\' noise', async () => {
    const port = await freePort();
    const rtp = await freePortRange(4);
    const p = startSoftphone(['listen', '--bind', '127.0.0.1', '--port', String(port), '--rtp-ports', `${rtp.min}-${rtp.max}`], { env: NO_SOUND_ENV });
    printOnFailure(p);
    const warning = await p.waitFor('warning', undefined, 30_000);
    expect(warning['message']).toBe('no sound card: sending silence, discarding received audio; use --play/--record');
    await p.waitFor('listening');
    p.signal('SIGINT');
    expect(await p.waitForExit()).toBe(0);
    const stderr = p.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(stderr.filter((l) => l.includes('no sound card: sending silence'))).toHaveLength(1);
    expect(stderr.filter((l) => /^ALSA lib|^Jack|jack server|Cannot connect to server/.test(l))).toEqual([]);
    expect(p.strayLines).toEqual([]);

    // At debug level the libraries' own lines are there, marked as theirs.
    const debug = startSoftphone(['devices', '--log-level', 'debug'], { env: NO_SOUND_ENV });
    printOnFailure(debug);
    expect(await debug.waitForExit(30_000)).toBe(0);
    expect(debug.stderr).toMatch(/^\[native\] ALSA lib /m);
  });

  it('a call whose registration fails ends with "call not placed: registration failed: <reason>" and exit 1', async () => {
    kamailio = await startKamailio();
    const p = startSoftphone(['call', 'bob', '--user', 'alice', '--domain', kamailio.domain, '--bind', '127.0.0.1', '--record', join(tmp.dir, 'np.wav')], {
      env: { SOFTPHONE_PASSWORD: 'not-alicepw' },
    });
    printOnFailure(p, kamailio);
    const err = await p.waitFor('error', (e) => String(e['message']).startsWith('call not placed'), 20_000);
    expect(err['message']).toMatch(/^call not placed: registration failed: 40[13] /);
    expect(await p.waitForExit()).toBe(1);
    expect(p.all('calling')).toEqual([]);
  });

  it('an INVITE nobody answers reports progress every 5 s; SIGTERM then ends it without sitting out timer B', async () => {
    const peer = await silentPeer();
    try {
      const rec = join(tmp.dir, 'unanswered.wav');
      const p = startSoftphone(['call', `sip:nobody@127.0.0.1:${peer.port}`, '--bind', '127.0.0.1', '--record', rec]);
      printOnFailure(p);
      const calling = await p.waitFor('calling');
      const progress = await p.waitFor('progress', undefined, 15_000);
      expect(progress['message']).toBe(`no answer from 127.0.0.1:${peer.port} yet (5 s)`);
      // Reported from the first INVITE, 5 s apart (not a speed limit: the count of seconds it names).
      expect(Date.parse(progress.time) - Date.parse(calling.time)).toBeGreaterThanOrEqual(4_500);
      expect(peer.received()).toBeGreaterThan(0);
      p.signal('SIGTERM');
      // Without the bound it would wait for timer B (64·T1 = 32 s) before giving up the INVITE.
      expect(await p.waitForExit(15_000)).toBe(0);
      expect(p.all('ended')[0]).toMatchObject({ reason: 'cancelled', by: 'local' });
    } finally {
      peer.socket.close();
    }
  });
});

describe('signals and closed pipes', () => {
  it('SIGINT ends listen and SIGTERM ends nat-check (waiting on a STUN server that never answers), exit 0', async () => {
    const peer = await silentPeer();
    try {
      const sipPort = await freePort();
      const listen = startSoftphone(['listen', '--bind', '127.0.0.1', '--port', String(sipPort), '--record', join(tmp.dir, 'l.wav')]);
      const nat = startSoftphone(['nat-check', '--stun', `127.0.0.1:${peer.port}`, '--bind', '127.0.0.1', '--port', '0']);
      printOnFailure(listen, nat);
      await listen.waitFor('listening');
      // nat-check is under way once its first Binding request reached the server.
      const deadline = Date.now() + 15_000;
      while (peer.received() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(peer.received()).toBeGreaterThan(0);
      listen.signal('SIGINT');
      nat.signal('SIGTERM');
      expect(await listen.waitForExit()).toBe(0);
      expect(await nat.waitForExit()).toBe(0);
    } finally {
      peer.socket.close();
    }
  });

  it('`softphone ui 2>&1 | head -1`: the URL comes first, the process does not spin once the pipe closes, and SIGTERM ends it', async () => {
    // A real pipe with `head -1` at the other end: once head has its line it exits and the pipe closes.
    const head = spawn('head', ['-1'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let firstLine = '';
    head.stdout.setEncoding('utf8');
    head.stdout.on('data', (c: string) => (firstLine += c));
    const headExited = new Promise<void>((res) => head.on('exit', () => res()));
    const sipPort = await freePort();
    const ui = spawn(process.execPath, [SOFTPHONE_BIN, 'ui', '--data-dir', join(tmp.dir, 'ui-data'), '--sip-port', String(sipPort), '--bind', '127.0.0.1', '--log-level', 'debug'], {
      stdio: ['ignore', head.stdin, head.stdin],
    });
    head.stdin.destroy(); // only the ui and head hold the pipe now
    const uiExited = new Promise<number | null>((res) => ui.on('exit', (code) => res(code)));
    let uiDone = false;
    void uiExited.then(() => (uiDone = true));
    try {
      await headExited;
      expect(firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+\n$/);
      // Give it something to log (at debug level) now that nobody reads: a request to the server.
      const url = firstLine.trim();
      await fetch(url).catch(() => undefined);
      await fetch(url.replace(/\?token=.*/, 'nope')).catch(() => undefined);

      if (!uiDone) {
        // CPU time over one second of wall time (utime + stime in clock ticks, /proc/PID/stat fields 14-15).
        const ticks = (): number => {
          const stat = readFileSync(`/proc/${ui.pid}/stat`, 'utf8');
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return Number(fields[11]) + Number(fields[12]);
        };
        const hz = 100; // USER_HZ on Linux
        const before = ticks();
        const t0 = performance.now();
        await new Promise((r) => setTimeout(r, 1000));
        const cpuShare = (ticks() - before) / hz / ((performance.now() - t0) / 1000);
        // A write-error loop keeps a core busy (86 % before the fix); serving idle uses next to nothing.
        expect(cpuShare).toBeLessThan(0.25);
        expect(existsSync(`/proc/${ui.pid}`)).toBe(true);
        ui.kill('SIGTERM');
      }
      const code = await Promise.race([uiExited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
      expect(code).toBe(0);
    } finally {
      if (!uiDone) ui.kill('SIGKILL');
      head.kill();
    }
  });
});
