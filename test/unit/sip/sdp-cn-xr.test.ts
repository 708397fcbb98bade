// SDP for comfort noise (RFC 3389 §5, CN/8000 on static PT 13) and RTCP XR VoIP metrics (RFC 3611 §5.1).
import { describe, expect, it } from 'vitest';
import { createAnswer, createOffer, parseAnswer, type LocalMediaOffer } from '../../../src-main/sip/sdp-negotiate';

const local: LocalMediaOffer = { address: '127.0.0.1', port: 40000, codecs: ['PCMU', 'PCMA'], telephoneEvent: true, ptime: 20, sessionId: '1', sessionVersion: 1 };
const on: LocalMediaOffer = { ...local, comfortNoise: true, xrVoipMetrics: true };

const offer = (media: string[], session: string[] = []): string =>
  ['v=0', 'o=- 5 1 IN IP4 192.0.2.7', 's=-', 'c=IN IP4 192.0.2.7', 't=0 0', ...session, ...media, ''].join('\r\n');

function answer(sdp: string, l: LocalMediaOffer) {
  const r = createAnswer(sdp, l);
  if ('error' in r) throw new Error(r.error.reason);
  return r;
}

describe('comfort noise and XR in our offer', () => {
  it('offers CN/8000 on PT 13 and a=rtcp-xr:voip-metrics when enabled', () => {
    const sdp = createOffer(on);
    expect(sdp).toContain('m=audio 40000 RTP/AVP 0 8 101 13\r\n');
    expect(sdp).toContain('a=rtpmap:13 CN/8000\r\n');
    expect(sdp).toContain('a=rtcp-xr:voip-metrics\r\n');
  });

  it('offers neither when off', () => {
    const sdp = createOffer(local);
    expect(sdp).toContain('m=audio 40000 RTP/AVP 0 8 101\r\n');
    expect(sdp).not.toMatch(/CN\/8000|rtcp-xr/);
  });
});

describe('answering', () => {
  const cnOffer = offer(['m=audio 5000 RTP/AVP 0 13 101', 'a=rtpmap:13 CN/8000', 'a=rtpmap:101 telephone-event/8000', 'a=rtcp-xr:rcvr-rtt=all voip-metrics']);

  it('accepts CN and XR when enabled, and the media sends comfort noise', () => {
    const r = answer(cnOffer, on);
    expect(r.sdp).toContain('m=audio 40000 RTP/AVP 0 101 13\r\n');
    expect(r.sdp).toContain('a=rtpmap:13 CN/8000\r\n');
    expect(r.sdp).toContain('a=rtcp-xr:voip-metrics\r\n');
    expect(r.media).toMatchObject({ comfortNoisePayloadType: 13, silenceSuppression: true, xrVoipMetrics: true });
  });

  it('leaves both out when disabled', () => {
    const r = answer(cnOffer, local);
    expect(r.sdp).not.toMatch(/CN\/8000|rtcp-xr/);
    expect(r.media.comfortNoisePayloadType).toBeUndefined();
    expect(r.media.xrVoipMetrics).toBeUndefined();
  });

  it('takes CN on the static PT without an rtpmap, or on a dynamic PT, but not at another clock rate', () => {
    expect(answer(offer(['m=audio 5000 RTP/AVP 0 13']), on).media.comfortNoisePayloadType).toBe(13);
    const dyn = answer(offer(['m=audio 5000 RTP/AVP 0 98', 'a=rtpmap:98 CN/8000']), on);
    expect(dyn.media.comfortNoisePayloadType).toBe(98);
    expect(dyn.sdp).toContain('a=rtpmap:98 CN/8000');
    expect(answer(offer(['m=audio 5000 RTP/AVP 0 99', 'a=rtpmap:99 CN/16000']), on).media.comfortNoisePayloadType).toBeUndefined();
  });

  it('reads a=rtcp-xr at session level and ignores other XR formats', () => {
    expect(answer(offer(['m=audio 5000 RTP/AVP 0'], ['a=rtcp-xr:voip-metrics']), on).media.xrVoipMetrics).toBe(true);
    const other = answer(offer(['m=audio 5000 RTP/AVP 0', 'a=rtcp-xr:stat-summary=loss,jitt']), on);
    expect(other.media.xrVoipMetrics).toBeUndefined();
    expect(other.sdp).not.toContain('rtcp-xr');
  });
});

describe('reading the answer to our offer', () => {
  it('uses CN and XR only when the answer kept them', () => {
    const both = parseAnswer(offer(['m=audio 5000 RTP/AVP 0 13', 'a=rtpmap:13 CN/8000', 'a=rtcp-xr:voip-metrics']), on);
    expect(both).toMatchObject({ comfortNoisePayloadType: 13, silenceSuppression: true, xrVoipMetrics: true });
    const none = parseAnswer(offer(['m=audio 5000 RTP/AVP 0']), on);
    expect('error' in none).toBe(false);
    expect(none).not.toHaveProperty('comfortNoisePayloadType');
    expect(none).not.toHaveProperty('xrVoipMetrics');
    // We did not offer CN: a CN payload type in the answer is not used.
    expect(parseAnswer(offer(['m=audio 5000 RTP/AVP 0 13']), local)).not.toHaveProperty('comfortNoisePayloadType');
  });
});
