// The report block in our RTCP BYE carries a true DLSR (RFC 3550 §6.4.1), so the peer's round trip
// from it is the network's, not the time since its last SR (seen as 1.4-3 s on loopback with a peer
// that sends little, e.g. comfort noise only).
import { describe, expect, it } from 'vitest';
import { RtcpSession } from '../../../src-main/rtp/rtcp-session';
import { RtpReceiverStats } from '../../../src-main/rtp/rtp-receiver-stats';
import { RtpSender } from '../../../src-main/rtp/rtp-sender';

describe('RtcpSession BYE', () => {
  it('puts the delay since the peer\'s SR into the BYE\'s report block', () => {
    let wall = 1_700_000_000_000;
    let seed = 9;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const a = new RtcpSession({ ssrc: 1, cname: 'a', random, wallClockMs: () => wall });
    const b = new RtcpSession({ ssrc: 2, cname: 'b', random, wallClockMs: () => wall });
    a.setRemote({ address: '10.0.0.2', port: 6001 }, 0);
    b.setRemote({ address: '10.0.0.1', port: 4001 }, 0);
    const senderB = new RtpSender(random);
    senderB.next(0, 160);
    b.noteSent();
    let packet: Uint8Array | null = null;
    // B's SR at media time 10 s (its first report is due by then).
    b.tick(10_000, { sender: senderB, receiver: null, remoteSsrc: null }, (buf, len) => (packet = buf.slice(0, len)));
    expect(packet).not.toBeNull();
    a.receive(packet!, { address: '10.0.0.2', port: 6001 }, 2, 10_000, true);
    // A hangs up 2.5 s later; the network takes no time at all here.
    wall += 2500;
    const receiverA = new RtpReceiverStats(8000);
    for (let i = 1; i <= 3; i++) receiverA.update(i, 160 * i, 10_000);
    let bye: Uint8Array | null = null;
    a.sendBye({ sender: new RtpSender(random), receiver: receiverA, remoteSsrc: 2 }, (buf, len) => (bye = buf.slice(0, len)), 12_500);
    b.receive(bye!, { address: '10.0.0.1', port: 4001 }, 1, 12_500, true);
    expect(b.rttMs).not.toBeNull();
    expect(b.rttMs!).toBeLessThan(5);
  });
});
