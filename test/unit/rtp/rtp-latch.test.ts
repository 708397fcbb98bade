import { describe, expect, it } from 'vitest';
import { RtpLatch } from '../../../src-main/rtp/rtp-latch';

const sdp = { address: '192.168.1.20', port: 4000 };
const nat = { address: '203.0.113.5', port: 61000 };

describe('RtpLatch (RFC 4961 symmetric RTP)', () => {
  it('sends where SDP said and accepts that source at once', () => {
    const l = new RtpLatch(sdp, { symmetric: true });
    expect(l.remote).toEqual(sdp);
    expect(l.observe(sdp, 1, 10, 0)).toEqual({ verdict: 'accept' });
    expect(l.isLatched).toBe(true);
  });

  it('latches onto a NATed source after two in-sequence packets of one SSRC', () => {
    const l = new RtpLatch(sdp, { symmetric: true });
    expect(l.observe(nat, 7, 100, 0).verdict).toBe('reject');
    expect(l.observe(nat, 7, 101, 20)).toEqual({ verdict: 'accept', latchedOnto: nat });
    expect(l.remote).toEqual(nat);
    // Once latched, other sources are refused, even the SDP address.
    expect(l.observe(sdp, 9, 1, 40).verdict).toBe('reject');
    expect(l.observe({ address: '198.51.100.9', port: 5 }, 7, 102, 60).verdict).toBe('reject');
    expect(l.observe(nat, 7, 102, 60).verdict).toBe('accept');
  });

  it('does not latch on out-of-sequence or mixed-SSRC strangers', () => {
    const l = new RtpLatch(sdp, { symmetric: true });
    expect(l.observe(nat, 7, 100, 0).verdict).toBe('reject');
    expect(l.observe(nat, 8, 101, 1).verdict).toBe('reject'); // other SSRC restarts probation
    expect(l.observe(nat, 8, 105, 2).verdict).toBe('reject'); // gap restarts it too
    expect(l.remote).toEqual(sdp);
  });

  it('re-latches only after the latched source has gone quiet (NAT rebinding)', () => {
    const l = new RtpLatch(sdp, { symmetric: true, idleMs: 2000 });
    l.observe(sdp, 1, 1, 0);
    const moved = { address: sdp.address, port: 4100 };
    expect(l.observe(moved, 1, 2, 500).verdict).toBe('reject');
    expect(l.observe(moved, 1, 3, 520).verdict).toBe('reject');
    expect(l.observe(moved, 1, 4, 2600).verdict).toBe('reject');
    expect(l.observe(moved, 1, 5, 2620)).toEqual({ verdict: 'accept', latchedOnto: moved });
  });

  it('accepts any source without symmetric RTP, and starts over on reset', () => {
    const open = new RtpLatch(sdp, { symmetric: false });
    expect(open.observe(nat, 1, 1, 0).verdict).toBe('accept');
    expect(open.remote).toEqual(sdp);
    const l = new RtpLatch(sdp, { symmetric: true });
    l.observe(sdp, 1, 1, 0);
    l.reset(nat);
    expect(l.isLatched).toBe(false);
    expect(l.remote).toEqual(nat);
    expect(l.observe({ address: '::ffff:203.0.113.5', port: 61000 }, 2, 1, 10).verdict).toBe('accept');
  });
});
