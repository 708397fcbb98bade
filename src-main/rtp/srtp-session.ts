// One call's SRTP (RFC 3711) as negotiated with SDES (RFC 4568): our key protects what we send (RTP
// and RTCP), the peer's key checks what arrives; packets that fail are counted, never passed on. Pure.

import { MASTER_LENGTH, SRTP_SUITES, type SrtpSuite } from './srtp-crypto';
import { SRTP_AUTH_FAILED, SRTP_REPLAYED, SrtcpContext, SrtpContext, type Mki } from './srtp-context';

/** What the SIP side hands the media engine: the suite and both inline keys (base64 key||salt). */
export interface SrtpParams {
  suite: SrtpSuite;
  /** Our master key||salt, base64 (RFC 4568 §6.1 inline key-salt, 40 characters for 30 octets). */
  localKey: string;
  /** The peer's. */
  remoteKey: string;
  /** The MKI the peer's packets carry before the tag, when its a=crypto declared one (RFC 4568 §9.2). */
  remoteMki?: Mki;
}

/** The master key||salt from base64, or null when it is not exactly 30 octets of strict base64. */
export function decodeMasterKey(base64: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]{40}$/.test(base64)) return null;
  const bytes = Buffer.from(base64, 'base64');
  return bytes.length === MASTER_LENGTH ? new Uint8Array(bytes) : null;
}

export function isSrtpSuite(x: unknown): x is SrtpSuite {
  return typeof x === 'string' && (SRTP_SUITES as readonly string[]).includes(x);
}

export class SrtpSession {
  /** Packets (RTP and RTCP) dropped because their tag did not verify (wrong key, tampering, a stranger). */
  authFailures = 0;
  /** Packets dropped as replays or too old for the replay window (§3.3.2). */
  replayed = 0;
  private params!: SrtpParams;
  private rtpOut!: SrtpContext;
  private rtpIn!: SrtpContext;
  private rtcpOut!: SrtcpContext;
  private rtcpIn!: SrtcpContext;

  constructor(params: SrtpParams) {
    this.update(params);
  }

  get suite(): SrtpSuite {
    return this.params.suite;
  }

  /**
   * New keys from a re-INVITE/UPDATE. Our sending contexts stay while our key does: starting them over
   * would reset the ROC and SRTCP index under the same key and repeat keystream (RFC 3711 §9.1).
   */
  update(params: SrtpParams): void {
    const local = decodeMasterKey(params.localKey);
    const remote = decodeMasterKey(params.remoteKey);
    if (!local || !remote) throw new Error('SRTP: a master key is not 30 octets of base64');
    const old = this.params as SrtpParams | undefined;
    if (!old || old.suite !== params.suite || old.localKey !== params.localKey) {
      this.rtpOut = new SrtpContext(local, params.suite);
      this.rtcpOut = new SrtcpContext(local);
    }
    const sameMki = old?.remoteMki?.value === params.remoteMki?.value && old?.remoteMki?.length === params.remoteMki?.length;
    if (!old || old.suite !== params.suite || old.remoteKey !== params.remoteKey || !sameMki) {
      this.rtpIn = new SrtpContext(remote, params.suite, params.remoteMki);
      this.rtcpIn = new SrtcpContext(remote, params.remoteMki);
    }
    this.params = { ...params };
  }

  /** Octets an RTP packet grows by (the tag): send buffers need this much room after the packet. */
  get rtpOverhead(): number {
    return this.rtpOut.overhead;
  }

  /** Encrypts buf[0, length) in place and appends the tag; the SRTP length, 0 if it cannot. */
  protectRtp(buf: Uint8Array, length: number): number {
    return this.rtpOut.protect(buf, length);
  }

  /** The RTP length after checking and decrypting in place, or -1 when the packet is to be dropped. */
  unprotectRtp(buf: Uint8Array): number {
    return this.count(this.rtpIn.unprotect(buf, buf.length));
  }

  protectRtcp(data: Uint8Array, length: number): Uint8Array | null {
    return this.rtcpOut.protect(data, length);
  }

  unprotectRtcp(buf: Uint8Array): number {
    return this.count(this.rtcpIn.unprotect(buf, buf.length));
  }

  private count(result: number): number {
    if (result >= 0) return result;
    if (result === SRTP_AUTH_FAILED) this.authFailures++;
    else if (result === SRTP_REPLAYED) this.replayed++;
    return -1;
  }
}
