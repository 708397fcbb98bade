// Issue 9 attacks on real sockets: a callee / redirect target fishing for the password with its own 407,
// ghost INVITEs straight to a registered phone's Contact, and RTP sprayed from the caller's host at
// another port before the caller's first packet.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones, type SoftphoneProcess } from '../support/softphone-process';
import { startScriptedPeer, methodOf, responseTo, type ScriptedPeer } from '../support/scripted-sip-peer';
import { DEFAULT_USERS, startKamailio, type KamailioServer } from '../support/kamailio';
import { buildRequest, sendDatagram, statusOf } from '../support/sip-probe';
import { TONE_A_HZ, TONE_B_HZ, describeReport, makeTempDir, removeDir, toneReport, writeToneWav } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { encodeUlaw } from '../../src-main/codec/g711';

let dir: string;
let toneA: string;
const peers: ScriptedPeer[] = [];

beforeAll(() => {
  dir = makeTempDir('open-internet-');
  toneA = writeToneWav(dir, TONE_A_HZ);
});
afterEach(async () => {
  await stopAllSoftphones();
  await Promise.all(peers.splice(0).map((p) => p.close()));
});
afterAll(() => removeDir(dir));

const PASSWORD = 'alicepw-issue9';
const hasCredentials = (text: string) => /^(proxy-)?authorization\s*:/im.test(text) || text.includes(PASSWORD);

async function peer(answer: (request: string) => string | null): Promise<ScriptedPeer> {
  const p = await startScriptedPeer(answer);
  peers.push(p);
  return p;
}

async function caller(target: string, domain: string): Promise<SoftphoneProcess> {
  const rtp = await freePortRange(4);
  const p = startSoftphone(
    ['call', target, '--user', 'alice', '--domain', domain, '--no-register', '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`],
    { name: `alice->${target}`, env: { SOFTPHONE_PASSWORD: PASSWORD } },
  );
  printOnFailure(p);
  return p;
}

describe('the password only for the account (issue 9, point 1)', () => {
  it('a dialled sip:evil@host answering 407 for its own realm gets no Authorization; the call ends saying why', async () => {
    const evil = await peer((req) =>
      methodOf(req) === 'INVITE'
        ? responseTo(req, 407, 'Proxy Authentication Required', ['Proxy-Authenticate: Digest realm="attacker.example", nonce="4guesses", algorithm=MD5'])
        : null,
    );
    const registrarPort = await freeUdpPort();
    const p = await caller(`sip:evil@127.0.0.1:${evil.port}`, `127.0.0.1:${registrarPort}`);
    const ended = await p.waitFor('ended');
    expect(ended['reason']).toBe(`not sending your password to 127.0.0.1:${evil.port}: realm "attacker.example" is not your account's`);
    expect(ended['status']).toBe(407);
    expect(await p.waitForExit()).toBe(1);
    expect(evil.received.filter((t) => methodOf(t) === 'INVITE')).toHaveLength(1);
    expect(evil.received.filter(hasCredentials)).toEqual([]);
  });

  it('the account\'s own registrar asking for a foreign realm gets nothing either', async () => {
    const registrar = await peer((req) =>
      methodOf(req) === 'INVITE'
        ? responseTo(req, 407, 'Proxy Authentication Required', ['Proxy-Authenticate: Digest realm="attacker.example", nonce="n1", algorithm=MD5'])
        : null,
    );
    const p = await caller('bob', `127.0.0.1:${registrar.port}`);
    const ended = await p.waitFor('ended');
    expect(String(ended['reason'])).toMatch(/^not sending your password to 127\.0\.0\.1:\d+: realm "attacker\.example" is not your account's$/);
    expect(registrar.received.filter(hasCredentials)).toEqual([]);
  });

  it('a 302 to a foreign host that then challenges for our realm: no Authorization reaches it', async () => {
    const foreign = await peer((req) =>
      methodOf(req) === 'INVITE' ? responseTo(req, 401, 'Unauthorized', [`WWW-Authenticate: Digest realm="127.0.0.1", nonce="n2", qop="auth"`]) : null,
    );
    const registrar = await peer((req) =>
      methodOf(req) === 'INVITE' ? responseTo(req, 302, 'Moved Temporarily', [`Contact: <sip:bob@127.0.0.1:${foreign.port}>`]) : null,
    );
    const p = await caller('bob', `127.0.0.1:${registrar.port}`);
    const ended = await p.waitFor('ended');
    expect(ended['reason']).toBe(`not sending your password to 127.0.0.1:${foreign.port}: it is not your account's registrar or outbound proxy`);
    expect(foreign.received.filter((t) => methodOf(t) === 'INVITE')).toHaveLength(1);
    expect(foreign.received.filter(hasCredentials)).toEqual([]);
    expect(registrar.received.filter(hasCredentials)).toEqual([]);
  });
});

describe('ghost calls (issue 9, point 2)', () => {
  let kam: KamailioServer;
  beforeAll(async () => {
    kam = await startKamailio({ users: { ...DEFAULT_USERS, ghostbob: 'ghostbobpw' } });
  });
  afterAll(async () => kam?.stop());

  it('registered through Kamailio: INVITEs straight to the Contact get 403 and a rejected event; a call via Kamailio rings', async () => {
    printOnFailure(kam);
    const port = await freeUdpPort();
    const rtp = await freePortRange(10);
    const bob = startSoftphone(
      ['listen', '--user', 'ghostbob', '--domain', kam.domain, '--bind', '127.0.0.1', '--port', String(port), '--rtp-ports', `${rtp.min}-${rtp.max}`,
        '--auto-answer', '--max-calls', '1'],
      { name: 'ghostbob', env: { SOFTPHONE_PASSWORD: 'ghostbobpw' } },
    );
    printOnFailure(bob);
    await bob.waitFor('registered');

    // A scanner's INVITE for a made-up user, and one for our user, both from a stranger's socket.
    const contact = ['Contact: <sip:scanner@127.0.0.1:5999>'];
    const forNobody = await sendDatagram(port, buildRequest('INVITE', `sip:9999@127.0.0.1:${port}`, 5999, contact), { timeoutMs: 3000 });
    const forBob = await sendDatagram(port, buildRequest('INVITE', `sip:ghostbob@127.0.0.1:${port}`, 5999, contact), { timeoutMs: 3000 });
    expect(statusOf(forNobody)).toBe(403);
    expect(statusOf(forBob)).toBe(403);
    const rejected = await bob.waitFor('rejected', (e) => String(e['requestUri']).startsWith('sip:ghostbob@'));
    expect(rejected).toMatchObject({ from: 'sip:probe@127.0.0.1', reason: 'not from the registrar or outbound proxy' });
    expect(String(rejected['source'])).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(bob.all('rejected')).toHaveLength(2);

    // The real call, through Kamailio, still rings (and is auto-answered).
    const rtpA = await freePortRange(10);
    const alice = startSoftphone(
      ['call', 'ghostbob', '--user', 'alice', '--domain', kam.domain, '--bind', '127.0.0.1', '--rtp-ports', `${rtpA.min}-${rtpA.max}`, '--duration', '1'],
      { name: 'alice', env: { SOFTPHONE_PASSWORD: kam.users['alice'] ?? '' } },
    );
    printOnFailure(alice);
    expect((await bob.waitFor('incoming'))['from']).toMatch(/^sip:alice@/);
    await alice.waitFor('connected');
    expect(await alice.waitForExit()).toBe(0);
    expect(await bob.waitForExit()).toBe(0);
    expect(bob.all('incoming')).toHaveLength(1);
  });
});

describe('media only from the peer (issue 9, point 3)', () => {
  it('RTP sprayed from the caller\'s IP at another port before the caller\'s first packet: the callee keeps the caller\'s tone', async () => {
    const port = await freeUdpPort();
    // One RTP/RTCP pair: the callee's RTP port is known to the attacker (as a scan would find it).
    const rtpB = await freePortRange(2);
    const rtpA = await freePortRange(10);
    const recB = join(dir, 'b-heard.wav');
    const b = startSoftphone(
      ['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtpB.min}-${rtpB.max}`, '--auto-answer', '--record', recB, '--max-calls', '1'],
      { name: 'callee' },
    );
    printOnFailure(b);
    await b.waitFor('listening');

    // The attacker: same IP as the caller (127.0.0.1), its own port; in-sequence PCMU of the other tone.
    const attacker = createSocket('udp4');
    let attackerGot = 0;
    attacker.on('message', () => attackerGot++);
    await new Promise<void>((res) => attacker.bind(0, '127.0.0.1', () => res()));
    const pcm = new Int16Array(160);
    const payload = new Uint8Array(160);
    let seq = 1000;
    let ts = 0;
    let sent = 0;
    const spray = setInterval(() => {
      for (let i = 0; i < 160; i++) pcm[i] = Math.round(16000 * Math.sin((2 * Math.PI * TONE_B_HZ * (ts + i)) / 8000));
      encodeUlaw(pcm, payload);
      const pkt = Buffer.alloc(12 + 160);
      pkt[0] = 0x80;
      pkt[1] = 0; // PCMU
      pkt.writeUInt16BE(seq & 0xffff, 2);
      pkt.writeUInt32BE(ts >>> 0, 4);
      pkt.writeUInt32BE(0x0badf00d, 8);
      pkt.set(payload, 12);
      seq++;
      ts += 160;
      sent++;
      attacker.send(pkt, rtpB.min, '127.0.0.1');
    }, 2);
    try {
      const a = startSoftphone(
        ['call', `sip:x@127.0.0.1:${port}`, '--bind', '127.0.0.1', '--rtp-ports', `${rtpA.min}-${rtpA.max}`, '--play', toneA, '--duration', '5'],
        { name: 'caller' },
      );
      printOnFailure(a);
      const endedB = await b.waitFor('ended', undefined, 20_000);
      await a.waitFor('ended');
      expect(await b.waitForExit()).toBe(0);
      const rtp = endedB['rtp'] as { discarded: number; remote: string } | undefined;
      expect(rtp?.discarded ?? 0).toBeGreaterThan(100);
      expect(rtp?.remote).not.toBe(`127.0.0.1:${attacker.address().port}`);
    } finally {
      clearInterval(spray);
    }
    const heard = toneReport(recB, TONE_A_HZ);
    expect(heard.coverage, describeReport('callee heard', heard)).toBeGreaterThanOrEqual(0.9);
    expect(heard.otherCoverage, describeReport('callee heard', heard)).toBeLessThan(0.02);
    expect(heard.measuredSeconds, describeReport('callee heard', heard)).toBeGreaterThan(3);
    expect(sent).toBeGreaterThan(500);
    expect(attackerGot).toBe(0);
    await new Promise<void>((res) => attacker.close(() => res()));
  });
});
