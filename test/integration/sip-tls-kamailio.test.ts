// SIP over TLS with a real Kamailio (tls.so, Debian kamailio-tls-modules) and certificates this test
// makes with openssl: register and call with the private CA given by --ca-file, nothing readable on the
// wire (tshark on the TLS port); without the CA, or with a host name the certificate is not for, the
// phone refuses the server: a certificate error and exit code 1 (never "accept any certificate").
import { existsSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USERS, startKamailio, type KamailioServer } from '../support/kamailio';
import { freePortRange } from '../support/free-port';
import { startSoftphone, stopAllSoftphones, type SoftphoneProcess } from '../support/softphone-process';
import { TONE_A_HZ, TONE_B_HZ, describeReport, makeTempDir, removeDir, toneReport, writeToneWav } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { startCapture } from '../support/capture';
import { readTcpPayload } from '../support/tcp-payload';
import { makeTestCa, type TestCa } from '../support/tls-certs';
import { skipWithoutRealPeer } from '../support/real-peer-gate';

function missing(): string | null {
  const has = (cmd: string) => {
    try {
      execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  for (const cmd of ['kamailio', 'openssl', 'tshark']) if (!has(cmd)) return `${cmd} is not installed`;
  const libs = ['/usr/lib/x86_64-linux-gnu/kamailio/modules', '/usr/lib/aarch64-linux-gnu/kamailio/modules', '/usr/lib/kamailio/modules'];
  const tls = libs.some((d) => existsSync(d) && readdirSync(d).includes('tls.so'));
  return tls ? null : "Kamailio's tls.so is not installed (apt-get install kamailio-tls-modules)";
}
const skip = skipWithoutRealPeer('SIP over TLS with Kamailio', missing());

let kam: KamailioServer;
let ca: TestCa;
let dir: string;
let toneA: string;
let toneB: string;

beforeAll(async () => {
  if (skip) return;
  dir = makeTempDir('sip-tls-');
  ca = makeTestCa(dir);
  const server = ca.serverCert('server', ['localhost']);
  kam = await startKamailio({ tls: server });
  toneA = writeToneWav(dir, TONE_A_HZ);
  toneB = writeToneWav(dir, TONE_B_HZ);
});
afterEach(() => stopAllSoftphones());
afterAll(async () => {
  await kam?.stop();
  if (dir) removeDir(dir);
});

async function phone(head: string[], user: string, host: string, extra: string[]): Promise<SoftphoneProcess> {
  const rtp = await freePortRange(10);
  const p = startSoftphone(
    [...head, '--user', user, '--domain', `${host}:${kam.tlsPort ?? 0}`, '--transport', 'tls', '--bind', '127.0.0.1', '--port', '0', '--rtp-ports', `${rtp.min}-${rtp.max}`, ...extra],
    { name: user, env: { SOFTPHONE_PASSWORD: DEFAULT_USERS[user] ?? '' } },
  );
  printOnFailure(p);
  return p;
}

describe.skipIf(skip)('SIP over TLS through Kamailio', () => {
  it('registers and calls over TLS with --ca-file and SRTP (no --srtp-over-udp needed); a capture of the TLS port shows no readable SIP', async () => {
    printOnFailure(kam);
    const cap = await startCapture(`tcp port ${kam.tlsPort ?? 0}`);
    const recA = join(dir, 'alice.wav');
    const recB = join(dir, 'bob.wav');
    const bob = await phone(['listen'], 'bob', 'localhost', ['--ca-file', ca.caCert, '--srtp', 'mandatory', '--auto-answer', '--play', toneB, '--record', recB, '--max-calls', '1']);
    const reg = await bob.waitFor('registered');
    expect(String(reg['contact'])).toMatch(/^sip:bob@127\.0\.0\.1:\d+;transport=tls$/);
    const alice = await phone(['call', 'bob'], 'alice', 'localhost', ['--ca-file', ca.caCert, '--srtp', 'mandatory', '--play', toneA, '--record', recA, '--duration', '4']);
    expect((await bob.waitFor('incoming'))['from']).toMatch(/^sip:alice@localhost/);
    // SDES keys may travel here: the SIP carrying them is TLS (RFC 4568 §8.3). Both ends encrypt.
    expect((await alice.waitFor('connected'))['srtp']).toMatch(/^AES_CM_128_HMAC_SHA1_(80|32)$/);
    expect((await bob.waitFor('connected'))['srtp']).toMatch(/^AES_CM_128_HMAC_SHA1_(80|32)$/);
    expect(await alice.waitFor('ended', undefined, 15_000)).toMatchObject({ by: 'local' });
    expect(await bob.waitFor('ended')).toMatchObject({ by: 'remote' });
    expect(await alice.waitForExit()).toBe(0);
    expect(await bob.waitForExit()).toBe(0);
    for (const [path, freq, label] of [[recA, TONE_B_HZ, 'alice heard'], [recB, TONE_A_HZ, 'bob heard']] as const) {
      const r = toneReport(path, freq);
      expect(r.coverage, describeReport(label, r)).toBeGreaterThanOrEqual(0.9);
    }
    const log = kam.log();
    for (const m of ['REGISTER', 'INVITE', 'ACK', 'BYE']) expect(log, m).toMatch(new RegExp(`${m} sip:\\S+ from 127\\.0\\.0\\.1:\\d+ \\(call-id [^)]*\\) over tls`));

    const wire = await readTcpPayload(await cap.stop());
    // The capture did see the conversation: TLS records (content type 0x16 handshake / 0x17 data, version 3.x) ...
    expect(wire.length).toBeGreaterThan(4000);
    expect(wire.subarray(0, 2).toString('hex')).toBe('1603');
    expect(wire.includes(Buffer.from([0x17, 0x03, 0x03]))).toBe(true);
    // ... and nothing of the SIP in clear.
    const text = wire.toString('latin1');
    for (const clear of ['REGISTER', 'INVITE', 'sip:', 'SIP/2.0', 'alice', 'Digest']) expect(text, clear).not.toContain(clear);
  });

  it('without --ca-file the server is not trusted: a certificate error, the call is not placed, exit 1', async () => {
    const alice = await phone(['call', 'bob'], 'alice', 'localhost', []);
    const failed = await alice.waitFor('registration_failed');
    expect(String(failed['reason'])).toMatch(/^TLS certificate of localhost:\d+ is not trusted \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\).*--ca-file/);
    expect(String((await alice.waitFor('error'))['message'])).toMatch(/^call not placed: registration failed: TLS certificate/);
    expect(await alice.waitForExit()).toBe(1);
    expect(alice.all('calling')).toEqual([]);
  });

  it('a certificate for another name (localhost, reached as 127.0.0.1) is refused even with the CA: exit 1', async () => {
    const alice = await phone(['call', 'bob'], 'alice', '127.0.0.1', ['--ca-file', ca.caCert]);
    const failed = await alice.waitFor('registration_failed');
    expect(String(failed['reason'])).toMatch(/^TLS certificate of 127\.0\.0\.1:\d+ does not match the host name/);
    expect(await alice.waitForExit()).toBe(1);
  });

  it('a --ca-file that holds no certificate is a usage error (exit 2) before anything is sent', async () => {
    const alice = await phone(['call', 'bob'], 'alice', 'localhost', ['--ca-file', toneA]);
    expect(await alice.waitForExit()).toBe(2);
    expect(alice.describe()).toMatch(/softphone: --ca-file .*no PEM certificate/);
  });
});
