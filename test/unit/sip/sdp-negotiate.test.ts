// SDP offer/answer against real-world offers (fixtures in test/fixtures/sdp) and RFC 3264 edge cases.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import { createAnswer, createOffer, isHold, parseAnswer } from '../../../src-main/sip/sdp-negotiate';
import type { LocalMediaOffer } from '../../../src-main/sip/sdp-negotiate';

const fixture = (name: string): string => readFileSync(join(__dirname, '../../fixtures/sdp', name), 'utf8');

const local: LocalMediaOffer = {
  address: '127.0.0.1',
  port: 40000,
  codecs: ['PCMU', 'PCMA'],
  telephoneEvent: true,
  ptime: 20,
  sessionId: '123456',
  sessionVersion: 1,
};

function answerOf(offer: string, l: LocalMediaOffer = local) {
  const r = createAnswer(offer, l);
  if ('error' in r) throw new Error(`unexpected 488: ${r.error.reason}`);
  return r;
}

describe('createOffer', () => {
  it('writes the documented G.711 + telephone-event offer with CRLF line endings', () => {
    const sdp = createOffer(local);
    expect(sdp).toBe(
      [
        'v=0',
        'o=- 123456 1 IN IP4 127.0.0.1',
        's=-',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        'm=audio 40000 RTP/AVP 0 8 101',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-16',
        'a=ptime:20',
        'a=sendrecv',
        '',
      ].join('\r\n'),
    );
  });

  it('follows codec preference, direction, IPv6 and no telephone-event', () => {
    const sdp = createOffer({ ...local, address: '::1', codecs: ['PCMA'], telephoneEvent: false, direction: 'sendonly', username: 'alice' });
    expect(sdp).toContain('o=alice 123456 1 IN IP6 ::1\r\n');
    expect(sdp).toContain('c=IN IP6 ::1\r\n');
    expect(sdp).toContain('m=audio 40000 RTP/AVP 8\r\n');
    expect(sdp).not.toContain('telephone-event');
    expect(sdp).toContain('a=sendonly\r\n');
  });

  it('defaults an empty codec list to PCMU, PCMA', () => {
    expect(createOffer({ ...local, codecs: [] })).toContain('m=audio 40000 RTP/AVP 0 8 101\r\n');
  });
});

describe('createAnswer with real-world offers', () => {
  // Captured from baresip 1.0.0 on loopback (account audio_codecs=opus/48000/2,G722/16000/1,PCMA,PCMU).
  it('baresip: skips opus and G722, sends PCMA because the offer lists it before PCMU, answers (and plays) both', () => {
    const r = answerOf(fixture('baresip-offer.sdp'));
    expect(r.media).toEqual({
      remoteAddress: '127.0.0.1',
      remotePort: 41094,
      codec: 'PCMA',
      payloadType: 8,
      receiveCodecs: [
        { payloadType: 8, codec: 'PCMA' },
        { payloadType: 0, codec: 'PCMU' },
      ],
      telephoneEventPayloadType: 101,
      ptime: 20,
      direction: 'sendrecv',
    });
    const a = parse(r.sdp);
    expect(a.media).toHaveLength(1);
    expect(a.media[0]?.payloads).toBe('8 0 101');
    expect(a.media[0]?.port).toBe(40000);
    expect(a.media[0]?.fmtp).toEqual([{ payload: 101, config: '0-15' }]);
    expect(a.connection?.ip).toBe('127.0.0.1');
    expect(r.sdp).not.toMatch(/opus|G722/);
    expect(r.sdp.split('\r\n').at(-1)).toBe('');
  });

  it('Asterisk: PCMU first, keeps its telephone-event 0-16', () => {
    const r = answerOf(fixture('asterisk-offer.sdp'));
    expect(r.media.codec).toBe('PCMU');
    expect(r.media.payloadType).toBe(0);
    expect(r.media.remoteAddress).toBe('203.0.113.5');
    expect(r.media.remotePort).toBe(17052);
    expect(r.sdp).toContain('m=audio 40000 RTP/AVP 0 8 101\r\n');
    expect(r.sdp).toContain('a=rtpmap:8 PCMA/8000\r\n');
    expect(r.sdp).toContain('a=fmtp:101 0-16\r\n');
  });

  it('X-Lite: static G722 without rtpmap is skipped, PCMA taken, dynamic telephone-event PT 101 kept', () => {
    const r = answerOf(fixture('xlite-offer.sdp'));
    expect(r.media.codec).toBe('PCMA');
    expect(r.media.payloadType).toBe(8);
    expect(r.media.telephoneEventPayloadType).toBe(101);
    expect(r.media.remotePort).toBe(55038);
  });

  it('honours our own codec list (PCMU only) over the offer order', () => {
    const r = answerOf(fixture('xlite-offer.sdp'), { ...local, codecs: ['PCMU'] });
    expect(r.media.codec).toBe('PCMU');
    expect(r.media.payloadType).toBe(0);
    expect(r.media.receiveCodecs).toEqual([{ payloadType: 0, codec: 'PCMU' }]);
    expect(r.sdp).not.toMatch(/PCMA/);
  });


  it('video + audio: audio accepted, video answered with port 0 in the same position (RFC 3264 §6)', () => {
    const r = answerOf(fixture('video-audio-offer.sdp'));
    const a = parse(r.sdp);
    expect(a.media.map((m) => [m.type, m.port])).toEqual([
      ['audio', 40000],
      ['video', 0],
    ]);
    expect(String(a.media[1]?.payloads)).toBe('125');
    expect(r.media.codec).toBe('PCMU');
    expect(r.media.remoteAddress).toBe('198.51.100.40');
  });

  it('G.729 only: 488 naming what was offered', () => {
    const r = createAnswer(fixture('g729-only-offer.sdp'), local);
    expect(r).toEqual({ error: { status: 488, reason: expect.stringContaining('G729/8000') } });
  });

  it('garbage and empty input: 488, no exception', () => {
    for (const bad of [fixture('garbage.sdp'), '', 'v=0\r\n', 'v=0\r\nm=audio abc\r\n']) {
      const r = createAnswer(bad, local);
      expect('error' in r && r.error.status).toBe(488);
    }
    expect(createAnswer(undefined as unknown as string, local)).toMatchObject({ error: { status: 488 } });
  });

  it('hold offer (sendonly): answered recvonly; isHold is true', () => {
    const offer = fixture('hold-offer.sdp');
    expect(isHold(offer)).toBe(true);
    const r = answerOf(offer);
    expect(r.media.direction).toBe('recvonly');
    expect(r.sdp).toContain('a=recvonly\r\n');
  });
});

describe('createAnswer edge cases', () => {
  const base = (lines: string[]) => ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 't=0 0', ...lines, ''].join('\r\n');

  it('lists each common format once, dynamic payload types kept (RFC 3264 §6.1), and plays them all', () => {
    const r = answerOf(base(['c=IN IP4 192.0.2.1', 'm=audio 5004 RTP/AVP 96 0 0 18 8', 'a=rtpmap:96 PCMA/8000', 'a=rtpmap:18 G729/8000']));
    expect(r.media).toMatchObject({ codec: 'PCMA', payloadType: 96 });
    expect(r.media.receiveCodecs).toEqual([
      { payloadType: 96, codec: 'PCMA' },
      { payloadType: 0, codec: 'PCMU' },
      { payloadType: 8, codec: 'PCMA' },
    ]);
    expect(r.sdp).toContain('m=audio 40000 RTP/AVP 96 0 8\r\n');
    expect(r.sdp).not.toMatch(/G729/);
  });

  it('media-level c= wins over session level; a=rtcp (RFC 3605) and ptime are honoured', () => {
    const r = answerOf(
      base(['c=IN IP4 192.0.2.1', 'm=audio 5004 RTP/AVP 8', 'c=IN IP4 192.0.2.77', 'a=rtcp:6001 IN IP4 192.0.2.77', 'a=ptime:30']),
    );
    expect(r.media).toMatchObject({ remoteAddress: '192.0.2.77', remotePort: 5004, remoteRtcpPort: 6001, ptime: 30, codec: 'PCMA' });
    expect(r.media.telephoneEventPayloadType).toBeUndefined();
    expect(r.sdp).toContain('a=ptime:30\r\n');
  });

  it('understands a dynamic PT mapped to PCMU and answers with the same PT', () => {
    const r = answerOf(base(['c=IN IP4 192.0.2.1', 'm=audio 5004 RTP/AVP 97 96', 'a=rtpmap:97 iLBC/8000', 'a=rtpmap:96 pcmu/8000']));
    expect(r.media).toMatchObject({ codec: 'PCMU', payloadType: 96 });
    expect(r.sdp).toContain('a=rtpmap:96 PCMU/8000\r\n');
  });

  it('rejects a port-0 audio stream and takes the next one', () => {
    const r = answerOf(base(['c=IN IP4 192.0.2.1', 'm=audio 0 RTP/AVP 0', 'm=audio 7000 RTP/AVP 0']));
    expect(parse(r.sdp).media.map((m) => m.port)).toEqual([0, 40000]);
    expect(r.media.remotePort).toBe(7000);
  });

  it('SRTP-only offer: 488', () => {
    const r = createAnswer(base(['c=IN IP4 192.0.2.1', 'm=audio 5004 RTP/SAVP 0', 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:abc']), local);
    expect(r).toEqual({ error: { status: 488, reason: expect.stringContaining('RTP/SAVP') } });
  });

  it('no c= anywhere: 488', () => {
    expect(createAnswer(base(['m=audio 5004 RTP/AVP 0']), local)).toMatchObject({ error: { status: 488 } });
  });

  it('mirrors inactive and recvonly; c=0.0.0.0 means we do not send', () => {
    const dir = (attr: string, c = '192.0.2.1') => answerOf(base([`c=IN IP4 ${c}`, 'm=audio 5004 RTP/AVP 0', attr])).media.direction;
    expect(dir('a=inactive')).toBe('inactive');
    expect(dir('a=recvonly')).toBe('sendonly');
    expect(dir('a=sendrecv', '0.0.0.0')).toBe('recvonly');
    expect(dir('a=sendrecv')).toBe('sendrecv');
  });

  it('combines the offer direction with our own hold (we are sendonly)', () => {
    const r = answerOf(fixture('asterisk-offer.sdp'), { ...local, direction: 'sendonly' });
    expect(r.media.direction).toBe('sendonly');
  });

  it('omits telephone-event when we do not want it, and when its events do not overlap ours', () => {
    expect(answerOf(fixture('asterisk-offer.sdp'), { ...local, telephoneEvent: false }).sdp).not.toContain('telephone-event');
    const r = answerOf(base(['c=IN IP4 192.0.2.1', 'm=audio 5004 RTP/AVP 0 100', 'a=rtpmap:100 telephone-event/8000', 'a=fmtp:100 32-40']));
    expect(r.media.telephoneEventPayloadType).toBeUndefined();
  });

  it('accepts a=fmtp:101 15, which sdp-transform parses as a number (issue 9: was a 500)', () => {
    const r = answerOf(base(['c=IN IP4 192.0.2.1', 'm=audio 5004 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 15']));
    expect(r.media.telephoneEventPayloadType).toBe(101);
    expect(r.sdp).toContain('a=fmtp:101 15\r\n');
  });
});

describe('parseAnswer', () => {
  it('honours the answerer choice and its payload types', () => {
    const answer = createOffer({ ...local, address: '192.0.2.50', port: 30000, codecs: ['PCMA', 'PCMU'] });
    expect(parseAnswer(answer, local)).toEqual({
      remoteAddress: '192.0.2.50',
      remotePort: 30000,
      codec: 'PCMA',
      payloadType: 8,
      receiveCodecs: [
        { payloadType: 8, codec: 'PCMA' },
        { payloadType: 0, codec: 'PCMU' },
      ],
      telephoneEventPayloadType: 101,
      ptime: 20,
      direction: 'sendrecv',
    });
  });

  it('reads the answer to our offer from a real answerer (our own createAnswer)', () => {
    const offer = createOffer({ ...local, codecs: ['PCMA', 'PCMU'] });
    const ans = answerOf(offer, { ...local, address: '192.0.2.9', port: 22222, codecs: ['PCMU', 'PCMA'] });
    expect(ans.media.codec).toBe('PCMA');
    const back = parseAnswer(ans.sdp, local);
    expect(back).toMatchObject({ remoteAddress: '192.0.2.9', remotePort: 22222, codec: 'PCMA', payloadType: 8, telephoneEventPayloadType: 101 });
  });

  it('errors: rejected stream, codec we did not offer, garbage', () => {
    const base = (m: string) => `v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n${m}\r\n`;
    expect(parseAnswer(base('m=audio 0 RTP/AVP 0'), local)).toEqual({ error: expect.stringContaining('rejected') });
    expect(parseAnswer(base('m=audio 5000 RTP/AVP 8'), { ...local, codecs: ['PCMU'] })).toEqual({ error: expect.stringContaining('PCMA') });
    expect(parseAnswer('garbage', local)).toHaveProperty('error');
  });

  it('answer sendonly puts us in recvonly (we are held)', () => {
    const answer = createOffer({ ...local, direction: 'sendonly' });
    expect(parseAnswer(answer, local)).toMatchObject({ direction: 'recvonly' });
  });
});

describe('isHold', () => {
  it('detects sendonly, inactive and c=0.0.0.0, not sendrecv/recvonly or garbage', () => {
    const sdp = (dir: string, c = '192.0.2.1') => `v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nc=IN IP4 ${c}\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=${dir}\r\n`;
    expect(isHold(sdp('sendonly'))).toBe(true);
    expect(isHold(sdp('inactive'))).toBe(true);
    expect(isHold(sdp('sendrecv', '0.0.0.0'))).toBe(true);
    expect(isHold(sdp('sendrecv'))).toBe(false);
    expect(isHold(sdp('recvonly'))).toBe(false);
    expect(isHold(fixture('baresip-offer.sdp'))).toBe(false);
    expect(isHold('garbage')).toBe(false);
  });
});
