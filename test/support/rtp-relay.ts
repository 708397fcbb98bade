// A tiny UDP media relay for tests (not product code): it stands between two real media sessions on
// loopback for RTP and RTCP, both ways, and can stop forwarding one side's packets (a firewall that starts
// dropping the peer's media) and resume. Each side's SDP names the relay's socket that faces it, and the
// relay sends from the socket the other side was told about, so strict RTP latching accepts the packets.
import { createSocket, type Socket } from 'node:dgram';
import { freePort } from './free-port';

interface Face {
  rtp: Socket;
  rtcp: Socket;
  port: number;
}

async function bindPair(): Promise<Face> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 10; attempt++) {
    const port = await freePort({ span: 2, even: true });
    const rtp = createSocket('udp4');
    const rtcp = createSocket('udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        rtp.once('error', reject);
        rtp.bind(port, '127.0.0.1', () => resolve());
      });
      await new Promise<void>((resolve, reject) => {
        rtcp.once('error', reject);
        rtcp.bind(port + 1, '127.0.0.1', () => resolve());
      });
      return { rtp, rtcp, port };
    } catch (err) {
      lastError = err;
      rtp.close();
      rtcp.close();
    }
  }
  throw new Error(`rtp relay: no free port pair (${String(lastError)})`);
}

/**
 * `caller` faces the caller: its port goes into the caller's SDP in place of the caller's own (the callee
 * sends there). `callee` faces the callee: its port goes into the callee's SDP. Real ports are set with
 * `connect()` once the media sessions are open.
 */
export class RtpRelay {
  /** Forward the callee's packets (RTP and RTCP) to the caller; false drops them. */
  calleeToCaller = true;
  /** Datagrams that came from the callee and were dropped / forwarded. */
  dropped = 0;
  forwarded = 0;
  private callerReal: number | null = null;
  private calleeReal: number | null = null;

  private constructor(
    readonly callerFace: Face,
    readonly calleeFace: Face,
  ) {
    // The caller sends to what the callee's SDP said (calleeFace); it goes out of callerFace to the callee.
    calleeFace.rtp.on('message', (m) => this.toCallee(m, 0));
    calleeFace.rtcp.on('message', (m) => this.toCallee(m, 1));
    // The callee sends to callerFace; it goes out of calleeFace to the caller, unless blocked.
    callerFace.rtp.on('message', (m) => this.toCaller(m, 0));
    callerFace.rtcp.on('message', (m) => this.toCaller(m, 1));
  }

  static async create(): Promise<RtpRelay> {
    const a = await bindPair();
    const b = await bindPair();
    return new RtpRelay(a, b);
  }

  /** The real RTP ports of the two media sessions (RTCP on the next port, RFC 3550 §11). */
  connect(side: 'caller' | 'callee', realRtpPort: number): void {
    if (side === 'caller') this.callerReal = realRtpPort;
    else this.calleeReal = realRtpPort;
  }

  private toCallee(m: Buffer, offset: 0 | 1): void {
    if (this.calleeReal === null) return;
    (offset === 0 ? this.callerFace.rtp : this.callerFace.rtcp).send(m, this.calleeReal + offset, '127.0.0.1');
  }

  private toCaller(m: Buffer, offset: 0 | 1): void {
    if (this.callerReal === null || !this.calleeToCaller) {
      this.dropped++;
      return;
    }
    this.forwarded++;
    (offset === 0 ? this.calleeFace.rtp : this.calleeFace.rtcp).send(m, this.callerReal + offset, '127.0.0.1');
  }

  close(): void {
    for (const s of [this.callerFace.rtp, this.callerFace.rtcp, this.calleeFace.rtp, this.calleeFace.rtcp]) {
      try {
        s.close();
      } catch {
        // closed already
      }
    }
  }
}
