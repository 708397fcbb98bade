// Issue 13: G.722 in SDP. Offered as static payload type 9, "G722/8000" (RFC 3551 §4.5.2: the RTP clock
// is 8000 although the audio is 16 kHz), only when enabled; negotiated ahead of G.711 when both sides
// have it, whatever the order of the other side's list; never when one side lacks it.
import { describe, expect, it } from 'vitest';
import { createAnswer, createOffer, parseAnswer, type LocalMediaOffer } from '../../../src-main/sip/sdp-negotiate';

const base: LocalMediaOffer = { address: '127.0.0.1', port: 40000, codecs: [], telephoneEvent: true, ptime: 20, sessionId: '1', sessionVersion: 1 };
const wide: LocalMediaOffer = { ...base, codecs: ['G722', 'PCMU', 'PCMA'] };

function offer(formats: string, rtpmaps: string[]): string {
  return ['v=0', 'o=peer 1 1 IN IP4 203.0.113.5', 's=-', 'c=IN IP4 203.0.113.5', 't=0 0', `m=audio 30000 RTP/AVP ${formats}`, ...rtpmaps, 'a=sendrecv', ''].join('\r\n');
}

describe('G.722 in offers and answers', () => {
  it('offers G722/8000 on PT 9 first when enabled, and not by default', () => {
    const sdp = createOffer(wide);
    expect(sdp).toContain('m=audio 40000 RTP/AVP 9 0 8 101\r\n');
    expect(sdp).toContain('a=rtpmap:9 G722/8000\r\n');
    expect(createOffer(base)).toContain('m=audio 40000 RTP/AVP 0 8 101\r\n');
    expect(createOffer(base)).not.toContain('G722');
  });

  it('answers with G.722 first when both have it, even if the offer lists G.711 first (RFC 3264 §6.1 "specific reason")', () => {
    const r = createAnswer(offer('0 8 9 101', ['a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:9 G722/8000', 'a=rtpmap:101 telephone-event/8000']), wide);
    if ('error' in r) throw new Error(r.error.reason);
    expect(r.media).toMatchObject({ codec: 'G722', payloadType: 9 });
    expect(r.media.receiveCodecs).toEqual([{ payloadType: 9, codec: 'G722' }, { payloadType: 0, codec: 'PCMU' }, { payloadType: 8, codec: 'PCMA' }]);
    expect(r.sdp).toContain('m=audio 40000 RTP/AVP 9 0 8 101\r\n');
    expect(r.sdp).toContain('a=rtpmap:9 G722/8000');
  });

  it('takes static PT 9 without an rtpmap, and refuses "G722" at another clock rate', () => {
    const r = createAnswer(offer('9 0', []), wide);
    expect('media' in r && r.media.codec).toBe('G722');
    const odd = createAnswer(offer('96 0', ['a=rtpmap:96 G722/16000']), wide);
    expect('media' in odd && odd.media.codec).toBe('PCMU');
  });

  it('keeps G.711 when we have not enabled G.722, and when the peer does not offer it', () => {
    const r = createAnswer(offer('9 0 8', ['a=rtpmap:9 G722/8000']), base);
    expect('media' in r && r.media).toMatchObject({ codec: 'PCMU', receiveCodecs: [{ payloadType: 0, codec: 'PCMU' }, { payloadType: 8, codec: 'PCMA' }] });
    const g711 = createAnswer(offer('8 0', []), wide);
    expect('media' in g711 && g711.media.codec).toBe('PCMA');
    const onlyWide = createAnswer(offer('9', []), { ...base, codecs: ['PCMU'] });
    expect(onlyWide).toMatchObject({ error: { status: 488, reason: expect.stringContaining('no common codec') } });
  });

  it('sends G.722 when the answer to our offer has it', () => {
    const answer = offer('0 9 101', ['a=rtpmap:0 PCMU/8000', 'a=rtpmap:9 G722/8000', 'a=rtpmap:101 telephone-event/8000']);
    expect(parseAnswer(answer, wide)).toMatchObject({ codec: 'G722', payloadType: 9, telephoneEventPayloadType: 101 });
    expect(parseAnswer(answer, base)).toMatchObject({ codec: 'PCMU', payloadType: 0 });
  });
});
