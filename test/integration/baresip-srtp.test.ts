// SRTP with SDES keys (issue 10) against baresip's srtp module, both directions: the tones are heard at
// both ends, and a tshark capture on loopback shows that the RTP payloads on the wire do not decode to
// the tone as G.711, while decrypting them with the keys of the captured SDP does.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startBaresip, type Baresip } from '../support/baresip';
import { startCapture, type Capture } from '../support/capture';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import { TONE_A_HZ, TONE_B_HZ, describeReport, makeTempDir, removeDir, toneReport, writeToneWav } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { skipWithoutRealPeer } from '../support/real-peer-gate';
import { cryptoOfSip, decodeAsG711, decryptSrtp, readUdpPayloads, rtpPackets, toneOf } from '../support/srtp-capture';
import { toneCoverage } from '../../src-main/audio/tone-analysis';

function missing(): string | null {
  for (const tool of ['baresip', 'tshark']) {
    try {
      execFileSync('which', [tool], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed`;
    }
  }
  return existsSync('/usr/lib/baresip/modules/srtp.so') ? null : "baresip's srtp module is missing";
}
const skip = skipWithoutRealPeer('baresip SRTP interop', missing());

let dir: string;
let toneA: string;
let toneB: string;
let bs: Baresip | undefined;
let capture: Capture | undefined;

beforeAll(() => {
  dir = makeTempDir('baresip-srtp-');
  toneA = writeToneWav(dir, TONE_A_HZ);
  toneB = writeToneWav(dir, TONE_B_HZ);
});
afterEach(async () => {
  await stopAllSoftphones();
  await bs?.stop();
  await capture?.stop();
  bs = undefined;
  capture = undefined;
});
afterAll(() => removeDir(dir));

function expectTone(path: string | undefined, freq: number, label: string): void {
  expect(path, `${label}: no recording`).toBeTruthy();
  const r = toneReport(path as string, freq);
  expect(r.coverage, describeReport(label, r)).toBeGreaterThanOrEqual(0.9);
  expect(r.measuredSeconds, describeReport(label, r)).toBeGreaterThan(3);
}

/**
 * Our stats of the call: baresip 1.0.0 sends an RTCP APP "PINGPONG" in clear before its SRTCP starts and,
 * at hang-up, its RTCP BYE in clear after tearing its SRTP down; both are dropped (counted, at most one as
 * an authentication failure). Every RTP packet authenticated: see the capture check.
 */
function expectFewDrops(ended: Record<string, unknown>): void {
  const rtp = ended['rtp'] as { packetsReceived: number; discarded: number; srtp: { authFailures: number; replayed: number } };
  expect(rtp.packetsReceived, JSON.stringify(rtp)).toBeGreaterThan(200);
  expect(rtp.srtp.authFailures, JSON.stringify(rtp)).toBeLessThanOrEqual(1);
  expect(rtp.srtp.replayed, JSON.stringify(rtp)).toBe(0);
  expect(rtp.discarded, JSON.stringify(rtp)).toBeLessThanOrEqual(2);
}

/**
 * The eavesdropper's view of one direction: the raw payloads must not be the tone, the payloads
 * decrypted with the key that direction's SDP carried must be.
 */
function expectEncrypted(packets: Buffer[], key: Parameters<typeof decryptSrtp>[1], freq: number, label: string): void {
  expect(packets.length, `${label}: RTP packets captured`).toBeGreaterThan(150); // > 3 s at 50 packets/s
  const tagLength = key.suite === 'AES_CM_128_HMAC_SHA1_32' ? 4 : 10;
  const raw = decodeAsG711(packets, 'PCMU', tagLength);
  const rawCoverage = toneCoverage(raw, 8000, freq);
  expect(rawCoverage, `${label}: the wire's payloads as G.711 hold the tone (${(rawCoverage * 100).toFixed(1)}% of 20 ms windows)`).toBeLessThan(0.02);
  const { plain, failed } = decryptSrtp(packets, key);
  expect(failed, `${label}: packets that failed SRTP authentication with the SDP key`).toBe(0);
  const report = toneOf(decodeAsG711(plain, 'PCMU', 0), freq);
  expect(report.coverage, describeReport(`${label}, decrypted`, report)).toBeGreaterThanOrEqual(0.9);
}

describe.skipIf(skip)('SRTP (SDES) with baresip', () => {
  it('we call baresip (srtp-mand) with --srtp mandatory: RTP/SAVP, tones both ways, the wire is encrypted', async () => {
    bs = await startBaresip({ codec: 'PCMU', playWav: toneB, mediaenc: 'srtp-mand' });
    printOnFailure(bs);
    const rtp = await freePortRange(10);
    const inRange = (p: number) => p >= rtp.min && p <= rtp.max;
    capture = await startCapture(`udp and (portrange ${rtp.min}-${rtp.max} or port ${bs.sipPort})`);
    const rec = join(dir, 'we-heard-mandatory.wav');
    const a = startSoftphone(
      ['call', bs.uri, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--play', toneA, '--record', rec, '--duration', '5',
        '--srtp', 'mandatory', '--srtp-over-udp'],
      { name: 'call-srtp' },
    );
    printOnFailure(a);
    expect(await a.waitFor('connected')).toMatchObject({ codec: 'PCMU', srtp: 'AES_CM_128_HMAC_SHA1_80' });
    await bs.waitForEvent('CALL_ESTABLISHED');
    const ended = await a.waitFor('ended', undefined, 15_000);
    expect(ended).toMatchObject({ by: 'local', rtp: { srtp: { suite: expect.stringMatching(/^AES_CM_128_HMAC_SHA1_(80|32)$/) } } });
    expectFewDrops(ended);
    expect(await a.waitForExit()).toBe(0);
    await bs.waitForEvent('CALL_CLOSED');
    expectTone(rec, TONE_B_HZ, 'we heard');
    expectTone(bs.recordings().decoded, TONE_A_HZ, 'baresip heard');

    const packets = await readUdpPayloads(await capture.stop());
    capture = undefined;
    const sdps = cryptoOfSip(packets, bs.sipPort);
    const offer = sdps.find((s) => s.firstLine.startsWith('INVITE'));
    const answer = sdps.find((s) => s.firstLine.startsWith('SIP/2.0 200'));
    expect(offer?.lines.map((l) => l.suite)).toEqual(['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32']);
    expect(answer?.lines).toHaveLength(1);
    const theirs = answer?.lines[0];
    const ours = offer?.lines.find((l) => l.tag === theirs?.tag);
    if (!theirs || !ours) throw new Error('no negotiated a=crypto in the captured SIP');
    expectEncrypted(rtpPackets(packets, inRange, (p) => !inRange(p)), ours, TONE_A_HZ, 'our RTP on the wire');
    expectEncrypted(rtpPackets(packets, (p) => !inRange(p), inRange), theirs, TONE_B_HZ, "baresip's RTP on the wire");
  });

  it('baresip (srtp-mand) calls our listen --srtp optional: RTP/SAVP answered, tones both ways, the wire is encrypted', async () => {
    bs = await startBaresip({ codec: 'PCMU', playWav: toneB, mediaenc: 'srtp-mand' });
    printOnFailure(bs);
    const port = await freeUdpPort();
    const rtp = await freePortRange(10);
    const inRange = (p: number) => p >= rtp.min && p <= rtp.max;
    capture = await startCapture(`udp and (portrange ${rtp.min}-${rtp.max} or port ${bs.sipPort})`);
    const rec = join(dir, 'we-answered-optional.wav');
    const b = startSoftphone(
      ['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--auto-answer',
        '--play', toneA, '--record', rec, '--max-calls', '1', '--srtp', 'optional', '--srtp-over-udp'],
      { name: 'listen-srtp' },
    );
    printOnFailure(b);
    await b.waitFor('listening');
    await bs.dial(`sip:softphone@127.0.0.1:${port}`);
    const connected = await b.waitFor('connected');
    expect(connected).toMatchObject({ codec: 'PCMU', srtp: expect.stringMatching(/^AES_CM_128_HMAC_SHA1_(80|32)$/) });
    await bs.waitForEvent('CALL_ESTABLISHED');
    // The call's length is the point here, not a wait for an event.
    await new Promise((r) => setTimeout(r, Math.max(0, 5000 - (Date.now() - Date.parse(connected.time)))));
    await bs.hangup();
    const ended = await b.waitFor('ended');
    expect(ended).toMatchObject({ by: 'remote', rtp: { srtp: { suite: expect.stringMatching(/^AES_CM_128_HMAC_SHA1_(80|32)$/) } } });
    expectFewDrops(ended);
    expect(await b.waitForExit()).toBe(0);
    await bs.waitForEvent('CALL_CLOSED');
    expectTone(rec, TONE_B_HZ, 'we heard');
    expectTone(bs.recordings().decoded, TONE_A_HZ, 'baresip heard');

    const packets = await readUdpPayloads(await capture.stop());
    capture = undefined;
    const sdps = cryptoOfSip(packets, bs.sipPort);
    const offer = sdps.find((s) => s.firstLine.startsWith('INVITE'));
    const answer = sdps.find((s) => s.firstLine.startsWith('SIP/2.0 200'));
    const ours = answer?.lines[0];
    const theirs = offer?.lines.find((l) => l.tag === ours?.tag);
    if (!theirs || !ours) throw new Error('no negotiated a=crypto in the captured SIP');
    expect(answer?.lines).toHaveLength(1);
    expectEncrypted(rtpPackets(packets, inRange, (p) => !inRange(p)), ours, TONE_A_HZ, 'our RTP on the wire');
    expectEncrypted(rtpPackets(packets, (p) => !inRange(p), inRange), theirs, TONE_B_HZ, "baresip's RTP on the wire");
  });

  it('best effort: our --srtp optional call to baresip (mediaenc srtp) offers RTP/AVP with keys and gets SRTP both ways', async () => {
    bs = await startBaresip({ codec: 'PCMU', playWav: toneB, mediaenc: 'srtp' });
    printOnFailure(bs);
    const rtp = await freePortRange(10);
    const inRange = (p: number) => p >= rtp.min && p <= rtp.max;
    capture = await startCapture(`udp and (portrange ${rtp.min}-${rtp.max} or port ${bs.sipPort})`);
    const rec = join(dir, 'we-heard-best-effort.wav');
    const a = startSoftphone(
      ['call', bs.uri, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--play', toneA, '--record', rec, '--duration', '5',
        '--srtp', 'optional', '--srtp-over-udp'],
      { name: 'call-srtp-optional' },
    );
    printOnFailure(a);
    expect(await a.waitFor('connected')).toMatchObject({ srtp: expect.stringMatching(/^AES_CM_128_HMAC_SHA1_(80|32)$/) });
    const ended = await a.waitFor('ended', undefined, 15_000);
    expectFewDrops(ended);
    expect(await a.waitForExit()).toBe(0);
    await bs.waitForEvent('CALL_CLOSED');
    expectTone(rec, TONE_B_HZ, 'we heard');
    expectTone(bs.recordings().decoded, TONE_A_HZ, 'baresip heard');

    const packets = await readUdpPayloads(await capture.stop());
    capture = undefined;
    const sdps = cryptoOfSip(packets, bs.sipPort);
    const offer = sdps.find((s) => s.firstLine.startsWith('INVITE'));
    const answer = sdps.find((s) => s.firstLine.startsWith('SIP/2.0 200'));
    expect(offer?.mLine).toMatch(/^m=audio \d+ RTP\/AVP /);
    expect(answer?.mLine).toMatch(/^m=audio \d+ RTP\/AVP /);
    const theirs = answer?.lines[0];
    const ours = offer?.lines.find((l) => l.tag === theirs?.tag);
    if (!theirs || !ours) throw new Error('no negotiated a=crypto in the captured SIP');
    expectEncrypted(rtpPackets(packets, inRange, (p) => !inRange(p)), ours, TONE_A_HZ, 'our RTP on the wire');
    expectEncrypted(rtpPackets(packets, (p) => !inRange(p), inRange), theirs, TONE_B_HZ, "baresip's RTP on the wire");
  });

  it('control: without SRTP the same capture check hears our tone on the wire (the check can fail)', async () => {
    bs = await startBaresip({ codec: 'PCMU', playWav: toneB });
    printOnFailure(bs);
    const rtp = await freePortRange(10);
    const inRange = (p: number) => p >= rtp.min && p <= rtp.max;
    capture = await startCapture(`udp and (portrange ${rtp.min}-${rtp.max} or port ${bs.sipPort})`);
    const a = startSoftphone(
      ['call', bs.uri, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--play', toneA, '--duration', '4'],
      { name: 'call-plain' },
    );
    printOnFailure(a);
    expect(await a.waitFor('connected')).not.toHaveProperty('srtp');
    expect(await a.waitForExit()).toBe(0);
    const packets = await readUdpPayloads(await capture.stop());
    capture = undefined;
    expect(cryptoOfSip(packets, bs.sipPort)).toHaveLength(0);
    const ours = rtpPackets(packets, inRange, (p) => !inRange(p));
    expect(ours.length).toBeGreaterThan(150);
    const report = toneOf(decodeAsG711(ours, 'PCMU', 0), TONE_A_HZ);
    expect(report.coverage, describeReport('plain RTP on the wire', report)).toBeGreaterThanOrEqual(0.9);
  });

  it('--srtp mandatory refuses a plain-RTP call from baresip with 488', async () => {
    bs = await startBaresip({ codec: 'PCMU', playWav: toneB });
    printOnFailure(bs);
    const port = await freeUdpPort();
    const rtp = await freePortRange(10);
    const b = startSoftphone(
      ['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--auto-answer', '--max-calls', '1',
        '--srtp', 'mandatory', '--srtp-over-udp'],
      { name: 'listen-srtp-mand' },
    );
    printOnFailure(b);
    await b.waitFor('listening');
    await bs.dial(`sip:softphone@127.0.0.1:${port}`);
    const closed = await bs.waitForEvent('CALL_CLOSED');
    expect(String(closed.param)).toContain('488');
    // It never rang: no "incoming" line, only the log says why.
    await b.waitForStderr('plain RTP refused: SRTP is mandatory');
    expect(b.all('incoming')).toHaveLength(0);
  });
});
