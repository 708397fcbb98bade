// Issue 13: G.722 in SDP. Offered as static payload type 9, "G722/8000" (RFC 3551 §4.5.2: the RTP clock
// is 8000 although the audio is 16 kHz), only when enabled; negotiated ahead of G.711 when both sides
// have it, whatever the order of the other side's list; never when one side lacks it.
import { beforeEach, describe, expect, it } from 'vitest';
import { onMissingCodec, registerNativeCodec } from '../../../src-main/codec/codec-registry';
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

describe('Opus in offers and answers (RFC 7587)', () => {
  const opusLocal: LocalMediaOffer = { ...base, codecs: ['OPUS', 'G722', 'PCMU'] };
  const stub = { factory: () => ({ name: 'OPUS' as const, payloadType: 111, clockRate: 48000, sampleRate: 48000, encode: () => 0, decode: () => 0 }) };
  beforeEach(() => registerNativeCodec('OPUS', stub));

  it('offers opus/48000/2 on PT 111 first, with useinbandfec=1 and usedtx=0 (§7)', () => {
    const sdp = createOffer(opusLocal);
    expect(sdp).toContain('m=audio 40000 RTP/AVP 111 9 0 101\r\n');
    expect(sdp).toContain('a=rtpmap:111 opus/48000/2\r\n');
    expect(sdp).toContain('a=fmtp:111 useinbandfec=1; usedtx=0; stereo=0; sprop-stereo=0\r\n');
  });

  it('answers the peer\'s dynamic payload type, and sends DTX only when its fmtp says usedtx=1 (§6.1)', () => {
    const o = offer('0 96 101', ['a=rtpmap:0 PCMU/8000', 'a=rtpmap:96 opus/48000/2', 'a=fmtp:96 useinbandfec=1;usedtx=1', 'a=rtpmap:101 telephone-event/8000']);
    const r = createAnswer(o, opusLocal);
    if ('error' in r) throw new Error(r.error.reason);
    expect(r.media).toMatchObject({ codec: 'OPUS', payloadType: 96, sendDtx: true });
    expect(r.sdp).toContain('m=audio 40000 RTP/AVP 96 0 101\r\n');
    expect(r.sdp).toContain('a=rtpmap:96 opus/48000/2\r\n');
    const noDtx = createAnswer(offer('96', ['a=rtpmap:96 opus/48000/2']), opusLocal);
    expect('media' in noDtx && noDtx.media.sendDtx).toBeUndefined();
  });

  it('refuses an opus rtpmap that is not 48000/2 (RFC 7587 §7 requires it)', () => {
    const r = createAnswer(offer('96 0', ['a=rtpmap:96 opus/48000/1']), opusLocal);
    expect('media' in r && r.media.codec).toBe('PCMU');
  });

  it('without libopus Opus is not offered, and that is warned once', () => {
    registerNativeCodec('OPUS', { error: 'built without libopus' });
    const warnings: string[] = [];
    onMissingCodec((name, why) => warnings.push(`${name}: ${why}`));
    expect(createOffer(opusLocal)).toContain('m=audio 40000 RTP/AVP 9 0 101\r\n');
    createOffer(opusLocal);
    expect(warnings).toEqual(['OPUS: built without libopus']);
  });
});
