// Two `softphone` processes registered to a real Kamailio over TCP (--transport tcp): REGISTER, INVITE,
// the in-dialog requests and the server's requests to the callee all ride the phones' own connections
// (Contact ;transport=tcp, RFC 3261 §18), and the audio flows.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DEFAULT_USERS, startKamailio, type KamailioServer } from '../support/kamailio';
import { freePortRange } from '../support/free-port';
import { startSoftphone, stopAllSoftphones, type SoftphoneProcess } from '../support/softphone-process';
import { TONE_A_HZ, TONE_B_HZ, describeReport, makeTempDir, removeDir, toneReport, writeToneWav } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { startCapture } from '../support/capture';
import { readTcpPayload } from '../support/tcp-payload';
import { StreamTransport } from '../../src-main/sip/transport/stream-transport.node';

let kam: KamailioServer;
let dir: string;
let toneA: string;
let toneB: string;

beforeAll(async () => {
  kam = await startKamailio({ tcp: true });
  dir = makeTempDir('sip-tcp-');
  toneA = writeToneWav(dir, TONE_A_HZ);
  toneB = writeToneWav(dir, TONE_B_HZ);
});
afterEach(() => stopAllSoftphones());
afterAll(async () => {
  await kam?.stop();
  removeDir(dir);
});

async function phone(head: string[], user: string, extra: string[]): Promise<SoftphoneProcess> {
  const rtp = await freePortRange(10);
  const p = startSoftphone(
    [...head, '--user', user, '--domain', kam.domain, '--transport', 'tcp', '--bind', '127.0.0.1', '--port', '0', '--rtp-ports', `${rtp.min}-${rtp.max}`, ...extra],
    { name: user, env: { SOFTPHONE_PASSWORD: DEFAULT_USERS[user] ?? '' } },
  );
  printOnFailure(p);
  return p;
}

describe('SIP over TCP through Kamailio', () => {
  it('bob registers over TCP, alice calls him over TCP; audio both ways; BYE through the proxy; SIP readable on the TCP port', async () => {
    printOnFailure(kam);
    const cap = await startCapture(`tcp port ${kam.port}`);
    const recA = join(dir, 'alice.wav');
    const recB = join(dir, 'bob.wav');
    const bob = await phone(['listen'], 'bob', ['--auto-answer', '--play', toneB, '--record', recB, '--max-calls', '1']);
    const reg = await bob.waitFor('registered');
    expect(String(reg['contact'])).toMatch(/^sip:bob@127\.0\.0\.1:\d+;transport=tcp$/);
    const alice = await phone(['call', 'bob'], 'alice', ['--play', toneA, '--record', recA, '--duration', '4']);
    expect((await bob.waitFor('incoming'))['from']).toMatch(/^sip:alice@/);
    await alice.waitFor('connected');
    await bob.waitFor('connected');
    expect(await alice.waitFor('ended', undefined, 15_000)).toMatchObject({ by: 'local' });
    expect(await bob.waitFor('ended')).toMatchObject({ by: 'remote' });
    expect(await alice.waitForExit()).toBe(0);
    expect(await bob.waitForExit()).toBe(0);
    for (const [path, freq, label] of [[recA, TONE_B_HZ, 'alice heard'], [recB, TONE_A_HZ, 'bob heard']] as const) {
      const r = toneReport(path, freq);
      expect(r.coverage, describeReport(label, r)).toBeGreaterThanOrEqual(0.9);
    }
    // Kamailio saw every request of the call over TCP, none over UDP.
    const log = kam.log();
    for (const m of ['REGISTER', 'INVITE', 'ACK', 'BYE']) expect(log, m).toMatch(new RegExp(`${m} sip:\\S+ from 127\\.0\\.0\\.1:\\d+ \\(call-id [^)]*\\) over tcp`));
    // (The one UDP request is the harness's readiness probe, an OPTIONS with a call-id of its own.)
    const udp = log.split('\n').filter((l) => / over udp$/.test(l));
    expect(udp.filter((l) => !/OPTIONS sip:127\.0\.0\.1:\d+ from .*@127\.0\.0\.1\)/.test(l))).toEqual([]);
    // The control for the TLS test: on plain TCP a capture reads the SIP.
    const wire = (await readTcpPayload(await cap.stop())).toString('latin1');
    expect(wire).toContain('REGISTER sip:');
    expect(wire).toContain('INVITE sip:bob@');
    expect(wire).toMatch(/Via: SIP\/2\.0\/TCP 127\.0\.0\.1:\d+;/);
  });

  it('Kamailio answers our RFC 5626 §4.4.1 CRLF CRLF ping with a CRLF pong, on the same connection', async () => {
    const events: string[] = [];
    const t = new StreamTransport({
      protocol: 'TCP',
      maxMessageBytes: 16384,
      maxConnections: 2,
      keepAliveMs: 100,
      pongTimeoutMs: 10_000,
      connectTimeoutMs: 10_000,
      probeTimeoutMs: 1000,
      stringify: String,
      gate: () => true,
      warn: (m) => events.push(`warn ${m}`),
      debug: () => {},
      onKeepAlive: (e) => events.push(e),
    });
    try {
      await t.connect(kam.address, kam.port);
      await new Promise<void>((resolve, reject) => {
        const started = Date.now();
        const tick = (): void => {
          if (events.filter((e) => e === 'pong').length >= 2) return resolve();
          if (Date.now() - started > 10_000) return reject(new Error(`no pongs: ${events.join(', ')}`));
          setTimeout(tick, 20);
        };
        tick();
      });
      expect(events.filter((e) => e === 'ping-sent').length).toBeGreaterThanOrEqual(2);
      expect(events.filter((e) => e.startsWith('warn'))).toEqual([]);
      expect(t.size).toBe(1);
    } finally {
      t.close();
    }
  });
});
