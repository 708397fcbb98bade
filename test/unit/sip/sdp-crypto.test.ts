// SDES in SDP (RFC 4568): our a=crypto offers and answers, strict reading of the peer's lines, the three
// SRTP modes in offer/answer, and the signalling rule (keys only over TLS unless overridden).
import { describe, expect, it } from 'vitest';
import { parse } from 'sdp-transform';
import { createAnswer, createOffer, parseAnswer, type LocalMediaOffer } from '../../../src-main/sip/sdp-negotiate';
import { parseCryptoLine, peerCryptoLines } from '../../../src-main/sip/sdp-crypto';
import { callSrtp, newLocalSrtp, type LocalSrtp } from '../../../src-main/sip/srtp-policy';

const KEY_A = Buffer.alloc(30, 1).toString('base64');
const KEY_B = Buffer.alloc(30, 2).toString('base64');
const PEER = Buffer.alloc(30, 9).toString('base64');
const srtp = (mode: 'optional' | 'mandatory'): LocalSrtp => ({ mode, keys: { AES_CM_128_HMAC_SHA1_80: KEY_A, AES_CM_128_HMAC_SHA1_32: KEY_B } });

const base: LocalMediaOffer = { address: '127.0.0.1', port: 40000, codecs: ['PCMU', 'PCMA'], telephoneEvent: true, ptime: 20, sessionId: '1', sessionVersion: 1 };
const offer = (protocol: string, ...crypto: string[]) =>
  ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', `m=audio 5004 ${protocol} 0`, ...crypto.map((c) => `a=crypto:${c}`), ''].join('\r\n');

describe('a=crypto lines', () => {
  it('reads tag, suite, key, and tolerates lifetime and MKI (RFC 4568 §9.1)', () => {
    expect(parseCryptoLine(`1 AES_CM_128_HMAC_SHA1_80 inline:${PEER}`)).toEqual({ tag: 1, suite: 'AES_CM_128_HMAC_SHA1_80', key: PEER });
    expect(parseCryptoLine(`7 AES_CM_128_HMAC_SHA1_32 inline:${PEER}|2^20|1:4`)).toEqual({ tag: 7, suite: 'AES_CM_128_HMAC_SHA1_32', key: PEER, mki: { value: 1, length: 4 } });
    expect(parseCryptoLine(`2 AES_CM_128_HMAC_SHA1_80 inline:${PEER}|1048576 WSH=64`)).toMatchObject({ tag: 2 });
  });

  it('skips what it cannot use safely: weakening session parameters, KDR, other suites, short keys, several keys', () => {
    for (const bad of [
      `1 AES_CM_128_HMAC_SHA1_80 inline:${PEER} UNENCRYPTED_SRTP`,
      `1 AES_CM_128_HMAC_SHA1_80 inline:${PEER} WSH=64 UNAUTHENTICATED_SRTP`,
      `1 AES_CM_128_HMAC_SHA1_80 inline:${PEER} KDR=1`,
      `1 AES_256_CM_HMAC_SHA1_80 inline:${PEER}`,
      `1 F8_128_HMAC_SHA1_80 inline:${PEER}`,
      `1 AES_CM_128_HMAC_SHA1_80 inline:${PEER.slice(0, 38)}`,
      `1 AES_CM_128_HMAC_SHA1_80 inline:${PEER}|2^20|1:4;inline:${KEY_A}|2^20|2:4`,
      `x AES_CM_128_HMAC_SHA1_80 inline:${PEER}`,
      `1 AES_CM_128_HMAC_SHA1_80 inline:${PEER}|2^20|1:5`,
    ]) {
      expect(parseCryptoLine(bad)).toBeNull();
    }
  });

  it('reads the lines of the right m= section only', () => {
    const sdp = `${offer('RTP/SAVP', `1 AES_CM_128_HMAC_SHA1_80 inline:${PEER}`)}m=video 5006 RTP/SAVP 96\r\na=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:${KEY_B}\r\n`;
    expect(peerCryptoLines(sdp, 0).map((c) => c.suite)).toEqual(['AES_CM_128_HMAC_SHA1_80']);
    expect(peerCryptoLines(sdp, 1).map((c) => c.suite)).toEqual(['AES_CM_128_HMAC_SHA1_32']);
  });
});

describe('offers', () => {
  it('off: RTP/AVP without a=crypto (as before)', () => {
    const m = parse(createOffer(base)).media[0];
    expect(m?.protocol).toBe('RTP/AVP');
    expect(m?.crypto).toBeUndefined();
  });

  it('optional: RTP/AVP with both suites (best effort); mandatory: RTP/SAVP', () => {
    const opt = createOffer({ ...base, srtp: srtp('optional') });
    expect(opt).toContain('m=audio 40000 RTP/AVP 0 8 101');
    expect(opt).toContain(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY_A}\r\n`);
    expect(opt).toContain(`a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${KEY_B}\r\n`);
    expect(createOffer({ ...base, srtp: srtp('mandatory') })).toContain('m=audio 40000 RTP/SAVP 0 8 101');
  });

  it('reads the answer: its tag picks our key, its key is the peer key', () => {
    const answer = offer('RTP/SAVP', `2 AES_CM_128_HMAC_SHA1_32 inline:${PEER}`);
    const r = parseAnswer(answer, { ...base, srtp: srtp('mandatory') });
    expect(r).toMatchObject({ srtp: { suite: 'AES_CM_128_HMAC_SHA1_32', localKey: KEY_B, remoteKey: PEER } });
  });

  it('an answer with a tag or suite we did not offer, or our own key, is no SRTP', () => {
    for (const line of [`3 AES_CM_128_HMAC_SHA1_80 inline:${PEER}`, `1 AES_CM_128_HMAC_SHA1_32 inline:${PEER}`, `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY_A}`]) {
      expect(parseAnswer(offer('RTP/SAVP', line), { ...base, srtp: srtp('mandatory') })).toEqual({ error: expect.stringContaining('a=crypto') });
      // Optional: keys we cannot use mean the peer encrypts with something we cannot read: an error, not noise.
      expect(parseAnswer(offer('RTP/AVP', line), { ...base, srtp: srtp('optional') })).toEqual({ error: expect.stringContaining('a=crypto') });
    }
  });

  it('optional: an answer without a=crypto is plain RTP (the best-effort offer was not taken)', () => {
    const r = parseAnswer(offer('RTP/AVP'), { ...base, srtp: srtp('optional') });
    expect(r).not.toHaveProperty('error');
    expect(r).not.toHaveProperty('srtp');
  });

  it('an answer that switches RTP/AVP <-> RTP/SAVP is an error when SRTP is on', () => {
    expect(parseAnswer(offer('RTP/SAVP', `1 AES_CM_128_HMAC_SHA1_80 inline:${PEER}`), { ...base, srtp: srtp('optional') })).toEqual({ error: expect.stringContaining('RTP/SAVP') });
    expect(parseAnswer(offer('RTP/AVP', `1 AES_CM_128_HMAC_SHA1_80 inline:${PEER}`), { ...base, srtp: srtp('mandatory') })).toEqual({ error: expect.stringContaining('RTP/AVP') });
  });
});

describe('answers', () => {
  const line80 = `1 AES_CM_128_HMAC_SHA1_80 inline:${PEER}`;
  const line32 = `2 AES_CM_128_HMAC_SHA1_32 inline:${PEER}`;

  it('off: RTP/SAVP gets 488; RTP/AVP with a=crypto is answered plain', () => {
    expect(createAnswer(offer('RTP/SAVP', line80), base)).toEqual({ error: { status: 488, reason: expect.stringContaining('SRTP is off') } });
    const r = createAnswer(offer('RTP/AVP', line80), base);
    if ('error' in r) throw new Error(r.error.reason);
    expect(r.sdp).not.toContain('a=crypto');
    expect(r.media.srtp).toBeUndefined();
  });

  it('optional: RTP/SAVP answered with the first usable line, our key and the same tag', () => {
    const r = createAnswer(offer('RTP/SAVP', `1 AES_256_CM_HMAC_SHA1_80 inline:${PEER}`, line32, line80), { ...base, srtp: srtp('optional') });
    if ('error' in r) throw new Error(r.error.reason);
    expect(r.sdp).toContain('m=audio 40000 RTP/SAVP 0');
    expect(r.sdp).toContain(`a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${KEY_B}\r\n`);
    expect(r.sdp.match(/a=crypto/g)).toHaveLength(1);
    expect(r.media.srtp).toEqual({ suite: 'AES_CM_128_HMAC_SHA1_32', localKey: KEY_B, remoteKey: PEER });
  });

  it('optional: best-effort RTP/AVP + a=crypto (baresip mediaenc srtp) gets SRTP; without a=crypto plain RTP', () => {
    const r = createAnswer(offer('RTP/AVP', line80), { ...base, srtp: srtp('optional') });
    if ('error' in r) throw new Error(r.error.reason);
    expect(r.sdp).toContain('m=audio 40000 RTP/AVP 0');
    expect(r.sdp).toContain(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY_A}`);
    const plain = createAnswer(offer('RTP/AVP'), { ...base, srtp: srtp('optional') });
    expect(plain).not.toHaveProperty('error');
    expect('media' in plain && plain.media.srtp).toBeFalsy();
  });

  it('mandatory: plain RTP gets 488, so does RTP/SAVP without a usable line', () => {
    expect(createAnswer(offer('RTP/AVP'), { ...base, srtp: srtp('mandatory') })).toEqual({ error: { status: 488, reason: expect.stringContaining('mandatory') } });
    expect(createAnswer(offer('RTP/SAVP', `1 AES_CM_128_HMAC_SHA1_80 inline:${PEER} UNENCRYPTED_SRTP`), { ...base, srtp: srtp('mandatory') })).toEqual({
      error: { status: 488, reason: expect.stringContaining('a=crypto') },
    });
    const ok = createAnswer(offer('RTP/AVP', line80), { ...base, srtp: srtp('mandatory') });
    expect(ok).toMatchObject({ media: { srtp: { suite: 'AES_CM_128_HMAC_SHA1_80' } } });
  });

  it('an offer carrying our own key is not taken (one key for both directions reuses keystream)', () => {
    const r = createAnswer(offer('RTP/SAVP', `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY_A}`), { ...base, srtp: srtp('mandatory') });
    expect(r).toEqual({ error: { status: 488, reason: expect.stringContaining('a=crypto') } });
  });
});

describe('SRTP policy', () => {
  it('keys only over TLS unless overridden; optional without TLS means plain RTP, mandatory a refusal', () => {
    expect(callSrtp(undefined, 'udp')).toEqual({ kind: 'off' });
    expect(callSrtp({ mode: 'optional' }, 'udp')).toEqual({ kind: 'off', reason: expect.stringContaining('--srtp-over-udp') });
    expect(callSrtp({ mode: 'mandatory' }, 'udp')).toEqual({ kind: 'refused', reason: expect.stringContaining('TLS') });
    expect(callSrtp({ mode: 'mandatory' }, 'tls')).toEqual({ kind: 'on', mode: 'mandatory' });
    expect(callSrtp({ mode: 'optional', overInsecureSignalling: true }, 'udp')).toEqual({ kind: 'on', mode: 'optional' });
    expect(callSrtp({ mode: 'off', overInsecureSignalling: true }, 'tls')).toEqual({ kind: 'off' });
  });

  it('new keys are 30 random octets per suite, different per call', () => {
    const a = newLocalSrtp('optional');
    const b = newLocalSrtp('optional');
    expect(Buffer.from(a.keys.AES_CM_128_HMAC_SHA1_80, 'base64')).toHaveLength(30);
    expect(a.keys.AES_CM_128_HMAC_SHA1_80).not.toBe(a.keys.AES_CM_128_HMAC_SHA1_32);
    expect(a.keys.AES_CM_128_HMAC_SHA1_80).not.toBe(b.keys.AES_CM_128_HMAC_SHA1_80);
  });
});
