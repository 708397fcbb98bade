// A one-way impairing UDP relay for tests (not product code; there is no tc netem here): RTP from a
// sender goes on to a receiver with a deterministic loss pattern and a random extra delay per packet
// (which reorders packets when it varies by more than their spacing). RTCP and the reverse direction
// pass untouched.
import { createSocket, type Socket } from 'node:dgram';
import { freePort } from './free-port';

export interface LossyRelayOptions {
  /** Drop the packet with this index (0 = the first RTP packet seen). */
  drop: (index: number) => boolean;
  /** Extra delay of each forwarded packet, in ms (0..maxJitter, deterministic). */
  maxJitterMs: number;
  seed?: number;
}

export class LossyRelay {
  /** RTP sequence numbers that were dropped, and how many packets were forwarded. */
  readonly droppedSeqs: number[] = [];
  forwarded = 0;
  firstSeq: number | null = null;
  private index = 0;
  private closed = false;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private seed: number;
  private senderPort: number | null = null;
  private receiverPort: number | null = null;

  private constructor(
    private readonly rtp: Socket,
    private readonly rtcp: Socket,
    readonly port: number,
    private readonly opts: LossyRelayOptions,
  ) {
    this.seed = opts.seed ?? 4242;
    rtp.on('message', (m, from) => this.onRtp(m, from.port));
    rtcp.on('message', (m, from) => {
      // RTCP both ways, undelayed.
      if (from.port === (this.senderPort ?? -1) + 1 && this.receiverPort !== null) rtcp.send(m, this.receiverPort + 1, '127.0.0.1');
      else if (this.senderPort !== null) rtcp.send(m, this.senderPort + 1, '127.0.0.1');
    });
  }

  /** Binds an even/odd port pair on 127.0.0.1 that both media sessions are told is the other side. */
  static async create(opts: LossyRelayOptions): Promise<LossyRelay> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const port = await freePort({ span: 2, even: true });
      const rtp = createSocket('udp4');
      const rtcp = createSocket('udp4');
      try {
        await new Promise<void>((res, rej) => (rtp.once('error', rej), rtp.bind(port, '127.0.0.1', () => res())));
        await new Promise<void>((res, rej) => (rtcp.once('error', rej), rtcp.bind(port + 1, '127.0.0.1', () => res())));
        return new LossyRelay(rtp, rtcp, port, opts);
      } catch {
        rtp.close();
        rtcp.close();
      }
    }
    throw new Error('lossy relay: no free port pair');
  }

  /** The real RTP ports of the sending and the receiving media session. */
  connect(senderRtpPort: number, receiverRtpPort: number): void {
    this.senderPort = senderRtpPort;
    this.receiverPort = receiverRtpPort;
  }

  private onRtp(m: Buffer, fromPort: number): void {
    if (this.senderPort === null || this.receiverPort === null) return;
    if (fromPort !== this.senderPort) {
      this.rtp.send(m, this.senderPort, '127.0.0.1'); // the receiver's own RTP goes back unharmed
      return;
    }
    if (m.length < 12) return;
    const seq = m.readUInt16BE(2);
    this.firstSeq ??= seq;
    const i = this.index++;
    if (this.opts.drop(i)) {
      this.droppedSeqs.push(seq);
      return;
    }
    this.seed = (this.seed * 16807) % 2147483647;
    const delay = (this.seed / 2147483647) * this.opts.maxJitterMs;
    const to = this.receiverPort;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.closed) return;
      this.forwarded++;
      this.rtp.send(m, to, '127.0.0.1');
    }, delay);
    this.timers.add(timer);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    for (const s of [this.rtp, this.rtcp]) {
      try {
        s.close();
      } catch {
        // closed already
      }
    }
  }
}
