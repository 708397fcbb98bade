import { describe, expect, it } from 'vitest';
import { isPrivateAddress, latchModeFor, RtpLatch } from '../../../src-main/rtp/rtp-latch';

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
    // Once latched, other sources are refused.
    expect(l.observe({ address: '198.51.100.9', port: 5 }, 7, 102, 60).verdict).toBe('reject');
    expect(l.observe({ address: '198.51.100.9', port: 5 }, 7, 103, 80).verdict).toBe('reject');
    expect(l.observe(nat, 7, 102, 60).verdict).toBe('accept');
    // Issue 9: the SDP address and port stay the peer's word and are preferred when packets come from them.
    expect(l.observe(sdp, 9, 1, 100)).toEqual({ verdict: 'accept', latchedOnto: sdp });
  });

  it('does not latch on out-of-sequence or mixed-SSRC strangers', () => {
    const l = new RtpLatch(sdp, { symmetric: true });
    expect(l.observe(nat, 7, 100, 0).verdict).toBe('reject');
    expect(l.observe(nat, 8, 101, 1).verdict).toBe('reject'); // other SSRC restarts probation
    expect(l.observe(nat, 8, 105, 2).verdict).toBe('reject'); // gap restarts it too
    expect(l.remote).toEqual(sdp);
  });

  it('issue 9: once learned, the source is locked, even after it went quiet (as strictrtp)', () => {
    const l = new RtpLatch(sdp, { symmetric: true });
    l.observe(sdp, 1, 1, 0);
    const moved = { address: sdp.address, port: 4100 };
    for (let i = 0; i < 10; i++) expect(l.observe(moved, 1, 2 + i, 3000 + i * 20).verdict).toBe('reject');
    expect(l.remote).toEqual(sdp);
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

  it('issue 10: an IPv6 address written differently in SDP is the same source as the socket reports', () => {
    const l = new RtpLatch({ address: '2001:DB8:0:0:0:0:0:7', port: 4000 }, { symmetric: true });
    expect(l.latchMode).toBe('strict');
    expect(l.observe({ address: '2001:db8::7', port: 4000 }, 1, 1, 0)).toEqual({ verdict: 'accept' });
    expect(l.observe({ address: '2001:db8::8', port: 4000 }, 1, 2, 20).verdict).toBe('reject');
  });
});

describe('RtpLatch: strict and learning modes (issue 9)', () => {
  const peer = { address: '198.51.100.20', port: 40000 };
  const sameHostOtherPort = { address: '198.51.100.20', port: 40002 };

  it('classifies private, CGN, link-local, unique-local and unspecified addresses', () => {
    for (const a of ['10.1.2.3', '172.16.0.1', '172.31.255.1', '192.168.0.9', '100.64.0.1', '169.254.1.1', '0.0.0.0', 'fd00::1', 'fe80::1', '::', '::ffff:192.168.1.1']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['198.51.100.20', '172.32.0.1', '127.0.0.1', '100.128.0.1', '2001:db8::1', '8.8.8.8']) expect(isPrivateAddress(a), a).toBe(false);
    expect(latchModeFor(peer, true)).toBe('strict');
    expect(latchModeFor(sdp, true)).toBe('learn');
    expect(latchModeFor(peer, false)).toBe('open');
  });

  it('strict (public SDP address): another port of the peer host never takes over, however long its run', () => {
    const l = new RtpLatch(peer, { symmetric: true }, 0);
    for (let i = 0; i < 50; i++) expect(l.observe(sameHostOtherPort, 99, 1000 + i, i * 20).verdict).toBe('reject');
    expect(l.remote).toEqual(peer);
    expect(l.observe(peer, 7, 1, 1000)).toEqual({ verdict: 'accept' });
    expect(l.observe({ address: '203.0.113.66', port: 40000 }, 7, 2, 1020).verdict).toBe('reject');
  });

  it('learn (private SDP address): the race from the peer host at another port loses to the signalled port', () => {
    const natHost = '203.0.113.5';
    const attacker = { address: natHost, port: 4002 };
    const real = { address: natHost, port: sdp.port }; // a port-preserving NAT
    const l = new RtpLatch(sdp, { symmetric: true }, 0);
    l.observe(attacker, 99, 10, 0);
    expect(l.observe(attacker, 99, 11, 20)).toEqual({ verdict: 'accept', latchedOnto: attacker });
    expect(l.observe(real, 7, 500, 200).verdict).toBe('reject');
    expect(l.observe(real, 7, 501, 220)).toEqual({ verdict: 'accept', latchedOnto: real });
    expect(l.observe(attacker, 99, 12, 240).verdict).toBe('reject');
    expect(l.remote).toEqual(real);
  });

  it('learn: after the window nothing replaces the learned source, not even from the signalled port', () => {
    const l = new RtpLatch(sdp, { symmetric: true, learnMs: 5000 }, 0);
    l.observe(nat, 7, 1, 100);
    l.observe(nat, 7, 2, 120);
    const sigPort = { address: nat.address, port: sdp.port };
    expect(l.observe(sigPort, 8, 1, 6000).verdict).toBe('reject');
    expect(l.observe(sigPort, 8, 2, 6020).verdict).toBe('reject');
    expect(l.remote).toEqual(nat);
    // Another host on the signalled port is no better guess, even inside the window.
    const l2 = new RtpLatch(sdp, { symmetric: true }, 0);
    l2.observe(nat, 7, 1, 0);
    l2.observe(nat, 7, 2, 20);
    const other = { address: '198.51.100.9', port: sdp.port };
    expect(l2.observe(other, 8, 1, 40).verdict).toBe('reject');
    expect(l2.observe(other, 8, 2, 60).verdict).toBe('reject');
  });

  it('RTCP: strict takes the signalled RTCP port (or the RTP one, muxed) only; learn the learned host', () => {
    const strict = new RtpLatch(peer, { symmetric: true }, 0);
    const rtcp = { address: peer.address, port: peer.port + 1 };
    expect(strict.acceptsRtcp(rtcp, rtcp)).toBe(true);
    expect(strict.acceptsRtcp(peer, rtcp)).toBe(true);
    expect(strict.acceptsRtcp({ address: peer.address, port: 40003 }, rtcp)).toBe(false);
    const learn = new RtpLatch(sdp, { symmetric: true }, 0);
    expect(learn.acceptsRtcp({ address: nat.address, port: 61001 }, { address: sdp.address, port: sdp.port + 1 })).toBe(false);
    learn.observe(nat, 7, 1, 0);
    learn.observe(nat, 7, 2, 20);
    expect(learn.acceptsRtcp({ address: nat.address, port: 61001 }, { address: sdp.address, port: sdp.port + 1 })).toBe(true);
    expect(learn.acceptsRtcp({ address: '198.51.100.9', port: 61001 }, { address: sdp.address, port: sdp.port + 1 })).toBe(false);
  });
});
