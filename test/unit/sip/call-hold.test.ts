// Hold bookkeeping of one call: our offer's direction (RFC 3264 §8.4) and the peer's hold read from its offers.
import { describe, expect, it } from 'vitest';
import { CallHold } from '../../../src-main/sip/call-hold';

const offer = (extra: string, c = '192.0.2.1') => `v=0\r\no=- 1 2 IN IP4 ${c}\r\ns=-\r\nc=IN IP4 ${c}\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n${extra}`;

describe('CallHold', () => {
  it('offers sendonly while we hold and sendrecv after; silences the microphone meanwhile', () => {
    const h = new CallHold();
    expect(h.offerDirection).toBe('sendrecv');
    expect(h.setLocal(true)).toBe(true);
    expect(h.setLocal(true)).toBe(false);
    expect(h.offerDirection).toBe('sendonly');
    expect(h.silenced).toBe(true);
    expect(h.status).toEqual({ local: true, remote: false });
    expect(h.setLocal(false)).toBe(true);
    expect(h.offerDirection).toBe('sendrecv');
    expect(h.silenced).toBe(false);
  });

  it("reads the peer's hold from sendonly, inactive or c=0.0.0.0 offers, and its resume from sendrecv", () => {
    const h = new CallHold();
    expect(h.remoteOffer(offer('a=sendrecv\r\n'))).toBe(false);
    expect(h.remoteOffer(offer('a=sendonly\r\n'))).toBe(true);
    expect(h.status).toEqual({ local: false, remote: true });
    expect(h.silenced).toBe(true);
    expect(h.remoteOffer(offer('a=inactive\r\n'))).toBe(false);
    expect(h.remoteOffer(offer(''))).toBe(true);
    expect(h.remoteOffer(offer('', '0.0.0.0'))).toBe(true);
    expect(h.status.remote).toBe(true);
    expect(h.remoteOffer('not sdp')).toBe(true);
    expect(h.status.remote).toBe(false);
  });
});
