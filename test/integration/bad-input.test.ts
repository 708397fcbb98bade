// Hostile and broken input to a `softphone listen` in the middle of a call (garbage, a truncated INVITE,
// a request without Via/Call-ID, oversized datagrams, a stranger's RTP): the process survives and the
// call keeps its audio; an unknown method gets 405/501; and a call to a dead server times out clearly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones, type SoftphoneProcess } from '../support/softphone-process';
import { TONE_A_HZ, TONE_B_HZ, describeReport, makeTempDir, removeDir, toneReport, writeToneWav } from '../support/audio-check';
import { buildRequest, sendDatagram, statusOf } from '../support/sip-probe';
import { printOnFailure } from '../support/on-failure';

let dir: string;
let toneA: string;
let toneB: string;
beforeAll(() => {
  dir = makeTempDir('bad-input-');
  toneA = writeToneWav(dir, TONE_A_HZ);
  toneB = writeToneWav(dir, TONE_B_HZ);
});
// The two tests run side by side (the timeout one mostly waits), so each stops its own processes.
afterAll(async () => {
  await stopAllSoftphones();
  removeDir(dir);
});

/** A minimal RTP packet (RFC 3550 §5.1): version 2, PCMU, a stranger's SSRC. */
function strangerRtp(seq: number): Buffer {
  const b = Buffer.alloc(12 + 160, 0xff);
  b[0] = 0x80;
  b[1] = 0;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(seq * 160, 4);
  b.writeUInt32BE(0xdeadbeef, 8);
  return b;
}

const invite = (port: number) =>
  buildRequest('INVITE', `sip:x@127.0.0.1:${port}`, 5999, ['Contact: <sip:probe@127.0.0.1:5999>', 'Content-Type: application/sdp'])
    .replace('Content-Length: 0', 'Content-Length: 120');

describe.concurrent('bad input', () => {
  it('survives garbage on its SIP and RTP ports mid-call, keeps the audio, answers 405/501 to an unknown method', async () => {
    const port = await freeUdpPort();
    // Two ports only: the callee's RTP port is then known without reading its SDP.
    const rtpB = await freePortRange(2);
    const rtpA = await freePortRange(10);
    const recA = join(dir, 'a.wav');
    const recB = join(dir, 'b.wav');
    const b = startSoftphone(
      ['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtpB.min}-${rtpB.max}`, '--auto-answer',
        '--play', toneB, '--record', recB, '--max-calls', '1'],
      { name: 'B' },
    );
    printOnFailure(b);
    await b.waitFor('listening');
    const a = startSoftphone(
      ['call', `sip:x@127.0.0.1:${port}`, '--bind', '127.0.0.1', '--rtp-ports', `${rtpA.min}-${rtpA.max}`, '--play', toneA,
        '--record', recA, '--duration', '6'],
      { name: 'A' },
    );
    printOnFailure(a);
    try {
      await b.waitFor('connected');
      await a.waitFor('connected');

      const full = invite(port);
      const junk: Array<[string, Buffer | string]> = [
        ['garbage', randomBytes(300)],
        ['truncated INVITE', full.slice(0, Math.floor(full.length / 2))],
        ['no Via, no Call-ID', full.split('\r\n').filter((l) => !/^(Via|Call-ID):/i.test(l)).join('\r\n')],
        ['huge', Buffer.concat([Buffer.from(`${full.slice(0, full.indexOf('\r\n\r\n'))}\r\nX-Pad: `), Buffer.alloc(60_000, 0x41), Buffer.from('\r\n\r\n')])],
        ['binary zeros', Buffer.alloc(1000)],
        ['lone CRLF keep-alive', '\r\n\r\n'],
        ['status line to a UAS', 'SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n\r\n'],
      ];
      for (const [, payload] of junk) await sendDatagram(port, payload, { expectReply: false });
      // A stranger's in-sequence RTP run must not take over the call (the peer is still talking).
      const stranger = [1, 2, 3, 4, 5].map(strangerRtp);
      const rtpJunk: Buffer[] = [randomBytes(20), Buffer.alloc(3), Buffer.alloc(60_000, 0x80), randomBytes(172), ...stranger];
      for (const payload of rtpJunk) await sendDatagram(rtpB.min, payload, { expectReply: false });

      // RFC 3261 §8.2.1: a method the UAS does not support gets 405 (with Allow) or 501.
      const reply = await sendDatagram(port, buildRequest('FROBNICATE', `sip:x@127.0.0.1:${port}`), { timeoutMs: 2000 });
      expect([405, 501], `reply was: ${reply ?? 'none'}`).toContain(statusOf(reply));
      // After all that, it still answers a normal OPTIONS.
      expect(statusOf(await sendDatagram(port, buildRequest('OPTIONS', `sip:x@127.0.0.1:${port}`), { timeoutMs: 2000 }))).toBe(200);

      expect(await a.waitFor('ended', undefined, 15_000)).toMatchObject({ by: 'local' });
      expect(await b.waitFor('ended')).toMatchObject({ by: 'remote' });
      expect(await b.waitForExit()).toBe(0);
      expect(await a.waitForExit()).toBe(0);
      expect(b.all('error'), 'the listener reported internal errors').toEqual([]);
      expect(b.strayLines).toEqual([]);

      const heardByA = toneReport(recA, TONE_B_HZ);
      const heardByB = toneReport(recB, TONE_A_HZ);
      expect(heardByA.coverage, describeReport('A heard', heardByA)).toBeGreaterThanOrEqual(0.9);
      expect(heardByB.coverage, describeReport('B heard', heardByB)).toBeGreaterThanOrEqual(0.9);
      expect(heardByB.measuredSeconds, describeReport('B heard', heardByB)).toBeGreaterThan(4);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('a call to a server that never answers ends with "timeout: no answer from 127.0.0.1:PORT" (timer B)', async () => {
    const T1 = 200;
    // A black hole: bound, so no ICMP port-unreachable, but it never replies.
    const hole: Socket = createSocket('udp4');
    const holePort = await new Promise<number>((res) => hole.bind(0, '127.0.0.1', () => res(hole.address().port)));
    // Arrival times of the INVITE copies, taken in this process as they come in.
    const arrivals: number[] = [];
    hole.on('message', () => arrivals.push(Date.now()));
    let a: SoftphoneProcess | undefined;
    try {
      // T1 = 200 ms (--sip-t1) so timer B is 12.8 s; the default (500 ms, 32 s) is the fake-clock unit
      // tests' (test/unit/sip/sip-transactions.test.ts). Same timers, 40 % of the wait.
      a = startSoftphone(['call', `sip:x@127.0.0.1:${holePort}`, '--bind', '127.0.0.1', '--sip-t1', String(T1), '--play', toneA], { name: 'A-timeout' });
      printOnFailure(a);
      const ended = await a.waitFor('ended', undefined, 50_000);
      expect(String(ended['reason'])).toMatch(new RegExp(`^timeout: no answer from 127\\.0\\.0\\.1:${holePort}`));
      expect(ended['by']).not.toBe('remote');
      expect(await a.waitForExit()).toBe(1);
      // Timed from the first INVITE (not from process start, which a loaded machine can stretch by
      // seconds) to the `ended` event the child stamped. RFC 3261 §17.1.1.2: Timer B = 64·T1.
      // A timer never fires early; the only slack below is this process noticing the first datagram
      // late. Above, a stated allowance of 2 s for timers and event delivery on a busy 2-core machine.
      const timerB = (Date.parse(ended.time) - (arrivals[0] ?? NaN)) / 1000;
      expect(timerB, 'seconds from the first INVITE to the end of the call').toBeGreaterThanOrEqual((64 * T1) / 1000 - 0.25);
      expect(timerB, 'seconds from the first INVITE to the end of the call').toBeLessThan((64 * T1) / 1000 + 2);
      // The INVITE was retransmitted (§17.1.1.2, timer A doubling from T1): 7 copies at 0, 1, 3, 7, 15,
      // 31, 63 T1. Each gap at least the doubled interval (less the same arrival slack).
      expect(arrivals.length).toBeGreaterThanOrEqual(5);
      const gaps = arrivals.slice(1).map((t, i) => t - (arrivals[i] as number));
      gaps.forEach((gap, i) => expect(gap, `gap before copy ${i + 2} (ms)`).toBeGreaterThanOrEqual(T1 * 2 ** i - 250));
    } finally {
      hole.close();
      await a?.stop();
    }
  }, 60_000);
});
