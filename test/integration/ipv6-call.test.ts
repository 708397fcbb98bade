// SIP and RTP over IPv6 (issue 10): two `softphone` processes call each other on ::1 with tones checked by
// frequency both ways; a listener bound to :: (dual stack) takes a call on 127.0.0.1 and one on ::1 without
// a restart; and an IPv6 Record-Route (RFC 5118) is kept: the ACK and BYE follow it.
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones, type SoftphoneProcess } from '../support/softphone-process';
import { TONE_A_HZ, TONE_B_HZ, describeReport, makeTempDir, removeDir, toneReport, writeToneWav } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { methodOf, responseTo, startScriptedPeer, type ScriptedPeer } from '../support/scripted-sip-peer';
import { ipv6LoopbackMissing, skipWithoutRealPeer } from '../support/real-peer-gate';

const noIpv6 = skipWithoutRealPeer('IPv6 call tests', ipv6LoopbackMissing());

/** A's and B's recordings must hold each other's tone for most of a call of `seconds`. */
function expectTonesBothWays(recA: string, recB: string, seconds: number): void {
  const heardByA = toneReport(recA, TONE_B_HZ);
  const heardByB = toneReport(recB, TONE_A_HZ);
  expect(heardByA.coverage, describeReport('A heard', heardByA)).toBeGreaterThanOrEqual(0.9);
  expect(heardByB.coverage, describeReport('B heard', heardByB)).toBeGreaterThanOrEqual(0.9);
  expect(heardByA.measuredSeconds, describeReport('A heard', heardByA)).toBeGreaterThan(seconds * 0.7);
  expect(heardByB.measuredSeconds, describeReport('B heard', heardByB)).toBeGreaterThan(seconds * 0.7);
}

function noErrors(...peers: SoftphoneProcess[]): void {
  for (const p of peers) {
    expect(p.all('error'), p.name).toEqual([]);
    expect(p.strayLines, p.name).toEqual([]);
  }
}

describe.skipIf(noIpv6)('IPv6 (issue 10)', () => {
  let dir: string;
  let toneA: string;
  let toneB: string;
  beforeAll(() => {
    dir = makeTempDir('ipv6-');
    toneA = writeToneWav(dir, TONE_A_HZ);
    toneB = writeToneWav(dir, TONE_B_HZ);
  });
  afterEach(() => stopAllSoftphones());
  afterAll(() => removeDir(dir));

  /** Calls B at `uri` from a caller bound to `bind` (4 s, tone); checks it ended by us, B saw its `answered`-th call end. */
  async function callAndCheck(b: SoftphoneProcess, uri: string, bind: string, tag: string, answered: number): Promise<void> {
    const rtpA = await freePortRange(10, bind === '::1' ? '::1' : '127.0.0.1');
    const recA = join(dir, `a-${tag}.wav`);
    const a = startSoftphone(
      ['call', uri, '--bind', bind, '--rtp-ports', `${rtpA.min}-${rtpA.max}`, '--play', toneA, '--record', recA, '--duration', '4'],
      { name: `A-${tag}` },
    );
    printOnFailure(a);
    const connectedA = await a.waitFor('connected');
    expect(connectedA['codec']).toMatch(/^PCM[UA]$/);
    expect(await a.waitFor('ended', undefined, 20_000)).toMatchObject({ by: 'local' });
    expect(await a.waitForExit(8000)).toBe(0);
    // B's `answered`-th call ended by the remote side (our BYE reached it).
    await b.waitFor('ended', () => b.all('ended').length >= answered, 8000);
    expect(b.all('ended')[answered - 1]).toMatchObject({ by: 'remote' });
    noErrors(a);
  }

  it('two softphones call each other on ::1: SIP and RTP over IPv6, tones both ways', async () => {
    const port = await freeUdpPort('::1');
    const rtpB = await freePortRange(10, '::1');
    const recA = join(dir, 'a-v6.wav');
    const recB = join(dir, 'b-v6.wav');
    const b = startSoftphone(
      ['listen', '--port', String(port), '--bind', '::1', '--rtp-ports', `${rtpB.min}-${rtpB.max}`,
        '--auto-answer', '--play', toneB, '--record', recB, '--max-calls', '1'],
      { name: 'B' },
    );
    printOnFailure(b);
    expect(await b.waitFor('listening')).toMatchObject({ address: '::1', port });
    const rtpA = await freePortRange(10, '::1');
    const a = startSoftphone(
      ['call', `sip:x@[::1]:${port}`, '--bind', '::1', '--rtp-ports', `${rtpA.min}-${rtpA.max}`,
        '--play', toneA, '--record', recA, '--duration', '5', '--log-level', 'debug'],
      { name: 'A' },
    );
    printOnFailure(a);
    const incoming = await b.waitFor('incoming');
    // The caller's From / Contact carry its IPv6 address as a reference in brackets (RFC 3261 §25.1).
    expect(incoming['from']).toMatch(/^sip:[^@]+@\[::1\]/);
    const connectedA = await a.waitFor('connected');
    expect((await b.waitFor('connected'))['codec']).toBe(connectedA['codec']);
    expect(await a.waitFor('ended', undefined, 20_000)).toMatchObject({ by: 'local' });
    expect(await b.waitFor('ended', undefined, 8000)).toMatchObject({ by: 'remote' });
    expect(await a.waitForExit(8000)).toBe(0);
    expect(await b.waitForExit(8000)).toBe(0);
    noErrors(a, b);
    // On the wire: Via sent-by in brackets, and both SDPs say IN IP6 (the debug log holds the trace).
    expect(a.stderr).toMatch(/Via: SIP\/2\.0\/UDP \[::1\]:\d+;/);
    expect(a.stderr).toContain('c=IN IP6 ::1');
    expect(a.stderr).not.toContain('c=IN IP4');
    expectTonesBothWays(recA, recB, 5);
  });

  it('a listener bound to :: (dual stack) is called on 127.0.0.1 and then on ::1 without a restart', async () => {
    const port = await freeUdpPort('::');
    const rtpB = await freePortRange(20, '::');
    const b = startSoftphone(
      ['listen', '--port', String(port), '--bind', '::', '--rtp-ports', `${rtpB.min}-${rtpB.max}`,
        '--auto-answer', '--play', toneB, '--max-calls', '2'],
      { name: 'B' },
    );
    printOnFailure(b);
    expect(await b.waitFor('listening')).toMatchObject({ address: '::', port });

    await callAndCheck(b, `sip:x@127.0.0.1:${port}`, '127.0.0.1', 'v4', 1);
    expect(b.all('incoming')[0]?.['from']).toMatch(/^sip:[^@]+@127\.0\.0\.1/);
    await callAndCheck(b, `sip:x@[::1]:${port}`, '::1', 'v6', 2);
    expect(b.all('incoming')[1]?.['from']).toMatch(/^sip:[^@]+@\[::1\]/);
    expect(await b.waitForExit(8000)).toBe(0);
    noErrors(b);
    // The caller's tone reached B over both families: B's recordings are not kept here, A's are.
    for (const tag of ['v4', 'v6']) {
      const heard = toneReport(join(dir, `a-${tag}.wav`), TONE_B_HZ);
      expect(heard.coverage, describeReport(`A-${tag} heard`, heard)).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('an IPv4-only caller given an IPv6 media address in the 200 OK ends the call with the reason and a BYE, not EINVAL', async () => {
    // A peer on 127.0.0.1 whose 200 OK puts its media on IPv6: the caller, bound to 127.0.0.1, cannot
    // send there, says why and hangs up (BYE) rather than failing every RTP send.
    const sdp = ['v=0', 'o=peer 1 1 IN IP6 ::1', 's=-', 'c=IN IP6 ::1', 't=0 0', 'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');
    const peer: ScriptedPeer = await startScriptedPeer((req) => {
      if (methodOf(req) !== 'INVITE') return responseTo(req, 200, 'OK');
      return responseTo(req, 200, 'OK', [`Contact: <sip:peer@127.0.0.1:${peer.port}>`, 'Content-Type: application/sdp'])
        .replace('Content-Length: 0\r\n\r\n', `Content-Length: ${Buffer.byteLength(sdp)}\r\n\r\n${sdp}`);
    });
    try {
      const rtpA = await freePortRange(10);
      const a = startSoftphone(['call', `sip:x@127.0.0.1:${peer.port}`, '--bind', '127.0.0.1', '--rtp-ports', `${rtpA.min}-${rtpA.max}`, '--duration', '3'], { name: 'A' });
      printOnFailure(a);
      const ended = await a.waitFor('ended', undefined, 20_000);
      expect(ended).toMatchObject({ by: 'error' });
      expect(String(ended['reason'])).toMatch(/::1 is IPv6 .*IPv4 only/);
      await peer.waitFor((t) => methodOf(t) === 'BYE');
      expect(await a.waitForExit(8000)).not.toBeNull();
    } finally {
      await peer.close();
    }
  });

  describe('IPv6 Record-Route (RFC 5118)', () => {
    let callee: ScriptedPeer;
    let proxy: ScriptedPeer;
    afterEach(async () => {
      await callee?.close().catch(() => {});
      await proxy?.close().catch(() => {});
    });

    it('the ACK and BYE of a call over ::1 go to the IPv6 record-routing proxy, with its Route', async () => {
      // The callee answers as if a proxy on [::1]:proxyPort had record-routed the INVITE (RFC 3261 §16.6
      // step 4): the caller must send its in-dialog requests there, Route: <sip:[::1]:P;lr> and the
      // Request-URI = the callee's Contact (§12.2.1.1, loose routing).
      proxy = await startScriptedPeer((req) => (methodOf(req) === 'BYE' ? responseTo(req, 200, 'OK') : null), '::1');
      const calleeSdp = (): string =>
        ['v=0', 'o=callee 1 1 IN IP6 ::1', 's=-', 'c=IN IP6 ::1', 't=0 0', `m=audio ${callee.port + 2} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');
      callee = await startScriptedPeer((req) => {
        if (methodOf(req) !== 'INVITE') return responseTo(req, 200, 'OK');
        const body = calleeSdp();
        return responseTo(req, 200, 'OK', [
          `Record-Route: <sip:[::1]:${proxy.port};lr>`,
          `Contact: <sip:callee@[::1]:${callee.port}>`,
          'Content-Type: application/sdp',
        ]).replace('Content-Length: 0\r\n\r\n', `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      }, '::1');

      const rtpA = await freePortRange(10, '::1');
      const a = startSoftphone(['call', `sip:x@[::1]:${callee.port}`, '--bind', '::1', '--rtp-ports', `${rtpA.min}-${rtpA.max}`, '--duration', '2'], { name: 'A' });
      printOnFailure(a);
      await a.waitFor('connected');
      const ack = await proxy.waitFor((t) => methodOf(t) === 'ACK');
      const bye = await proxy.waitFor((t) => methodOf(t) === 'BYE', 20_000);
      for (const req of [ack, bye]) {
        expect(req).toMatch(new RegExp(`^[A-Z]+ sip:callee@\\[::1\\]:${callee.port} SIP/2\\.0\\r\\n`));
        expect(req).toMatch(new RegExp(`\\r\\nRoute: +<sip:\\[::1\\]:${proxy.port};lr>\\r\\n`));
        expect(req).toMatch(/\r\nVia: SIP\/2\.0\/UDP \[::1\]:\d+;/);
      }
      // Nothing in the dialog went around the proxy.
      expect(callee.received.filter((t) => methodOf(t) === 'ACK' || methodOf(t) === 'BYE')).toEqual([]);
      expect(await a.waitFor('ended', undefined, 8000)).toMatchObject({ by: 'local' });
      expect(await a.waitForExit(8000)).toBe(0);
    });

    it('as the callee: the 200 OK copies the IPv6 Record-Route and our BYE goes to that proxy (RFC 3261 §12.1.1)', async () => {
      proxy = await startScriptedPeer((req) => (methodOf(req) === 'BYE' ? responseTo(req, 200, 'OK') : null), '::1');
      const port = await freeUdpPort('::1');
      const rtpB = await freePortRange(10, '::1');
      const b = startSoftphone(['listen', '--port', String(port), '--bind', '::1', '--rtp-ports', `${rtpB.min}-${rtpB.max}`, '--auto-answer', '--max-calls', '1'], { name: 'B' });
      printOnFailure(b);
      await b.waitFor('listening');
      // The caller: a raw IPv6 socket sending the INVITE as it arrives through the record-routing proxy.
      const caller = createSocket('udp6');
      const got: string[] = [];
      caller.on('message', (m) => got.push(m.toString('latin1')));
      await new Promise<void>((r) => caller.bind(0, '::1', () => r()));
      try {
        const cp = caller.address().port;
        const body = ['v=0', 'o=caller 1 1 IN IP6 ::1', 's=-', 'c=IN IP6 ::1', 't=0 0', `m=audio ${rtpB.max + 2} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');
        const invite = [
          `INVITE sip:b@[::1]:${port} SIP/2.0`,
          `Via: SIP/2.0/UDP [::1]:${cp};rport;branch=z9hG4bKv6rr${cp}`,
          `Record-Route: <sip:[::1]:${proxy.port};lr>`,
          'Max-Forwards: 70',
          `To: <sip:b@[::1]:${port}>`,
          `From: <sip:caller@[::1]:${cp}>;tag=c1`,
          `Call-ID: v6rr-${cp}`,
          'CSeq: 1 INVITE',
          `Contact: <sip:caller@[::1]:${cp}>`,
          'Content-Type: application/sdp',
          `Content-Length: ${Buffer.byteLength(body)}`,
          '',
          body,
        ].join('\r\n');
        caller.send(Buffer.from(invite, 'latin1'), port, '::1');
        await b.waitFor('connected');
        const ok = got.find((t) => t.startsWith('SIP/2.0 200 '));
        expect(ok).toMatch(new RegExp(`\\r\\nRecord-Route: +<sip:\\[::1\\]:${proxy.port};lr>\\r\\n`));
        expect(ok).toMatch(/\r\nContact: +<sip:[^@]+@\[::1\]:\d+>/);
        expect(ok).toContain('c=IN IP6 ::1');
        const toTag = /\r\nTo: [^\r]*;tag=([^;\r]+)/.exec(ok ?? '')?.[1] ?? '';
        const ack = [
          `ACK sip:b@[::1]:${port} SIP/2.0`,
          `Via: SIP/2.0/UDP [::1]:${cp};rport;branch=z9hG4bKv6ack${cp}`,
          'Max-Forwards: 70',
          `To: <sip:b@[::1]:${port}>;tag=${toTag}`,
          `From: <sip:caller@[::1]:${cp}>;tag=c1`,
          `Call-ID: v6rr-${cp}`,
          'CSeq: 1 ACK',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n');
        caller.send(Buffer.from(ack, 'latin1'), port, '::1');
        // Ctrl+C / SIGTERM hangs up: the BYE must take the recorded route, not the caller's Contact.
        b.signal('SIGTERM');
        const bye = await proxy.waitFor((t) => methodOf(t) === 'BYE', 20_000);
        expect(bye).toMatch(new RegExp(`^BYE sip:caller@\\[::1\\]:${cp} SIP/2\\.0\\r\\n`));
        expect(bye).toMatch(new RegExp(`\\r\\nRoute: +<sip:\\[::1\\]:${proxy.port};lr>\\r\\n`));
        expect(got.filter((t) => t.startsWith('BYE '))).toEqual([]);
        expect(await b.waitForExit(8000)).toBe(0);
      } finally {
        caller.close();
      }
    });
  });
});
