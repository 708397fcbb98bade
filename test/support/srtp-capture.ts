// What an eavesdropper on the wire gets from an SRTP call (test support, not product code): the UDP
// payloads of a tshark capture, the SDES keys read from the captured SIP, and the audio of the RTP
// packets decoded as G.711 as they are (ciphertext) and after SRTP decryption with those keys.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeAlaw, decodeUlaw } from '../../src-main/codec/g711';
import { SrtpContext } from '../../src-main/rtp/srtp-context';
import { decodeMasterKey } from '../../src-main/rtp/srtp-session';
import { parseCryptoLine, type PeerCrypto } from '../../src-main/sip/sdp-crypto';
import { toneReportOf, type ToneReport } from './audio-check';

const run = promisify(execFile);

export interface WirePacket {
  srcPort: number;
  dstPort: number;
  payload: Buffer;
}

/** Every UDP datagram of the capture with its payload (no dissection beyond UDP). */
export async function readUdpPayloads(file: string): Promise<WirePacket[]> {
  const { stdout } = await run(
    'tshark',
    ['-r', file, '--disable-protocol', 'sip', '--disable-protocol', 'rtp', '--disable-protocol', 'rtcp', '-T', 'fields', '-E', 'separator=\t',
      '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'udp.payload', 'udp'],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const [src, dst, hex] = line.split('\t');
      return { srcPort: Number(src), dstPort: Number(dst), payload: Buffer.from((hex ?? '').replace(/:/g, ''), 'hex') };
    });
}

/** The a=crypto lines of the captured SIP messages that carry SDP, in capture order. */
export function cryptoOfSip(packets: WirePacket[], sipPort: number): Array<{ firstLine: string; mLine: string; lines: PeerCrypto[] }> {
  const out: Array<{ firstLine: string; mLine: string; lines: PeerCrypto[] }> = [];
  for (const p of packets) {
    if (p.srcPort !== sipPort && p.dstPort !== sipPort) continue;
    const text = p.payload.toString('latin1');
    const lines = text
      .split(/\r?\n/)
      .filter((l) => l.startsWith('a=crypto:'))
      .map((l) => parseCryptoLine(l.slice('a=crypto:'.length).trim()))
      .filter((c): c is PeerCrypto => c !== null);
    const mLine = /^m=audio .*$/m.exec(text)?.[0].trim() ?? '';
    if (lines.length > 0) out.push({ firstLine: text.split('\r\n', 1)[0] ?? '', mLine, lines });
  }
  return out;
}

/** RTP (not RTCP, RFC 5761 §4) datagrams in one direction: from a port in `from` to a port in `to`. */
export function rtpPackets(packets: WirePacket[], from: (port: number) => boolean, to: (port: number) => boolean): Buffer[] {
  return packets
    .filter((p) => from(p.srcPort) && to(p.dstPort) && p.payload.length > 12 && p.payload[0] !== undefined && p.payload[0] >> 6 === 2)
    .filter((p) => {
      const pt = (p.payload[1] as number) & 0x7f;
      return pt < 64 || pt > 95;
    })
    .map((p) => p.payload);
}

/**
 * The packets' payloads (after the 12-octet header, without the `tagLength` octets at the end) decoded
 * as G.711 one after the other: what someone playing the captured stream as plain RTP would hear.
 */
export function decodeAsG711(packets: Buffer[], codec: 'PCMU' | 'PCMA', tagLength: number): Int16Array {
  const parts: Int16Array[] = [];
  for (const p of packets) {
    const payload = p.subarray(12, p.length - tagLength);
    const pcm = new Int16Array(payload.length);
    (codec === 'PCMU' ? decodeUlaw : decodeAlaw)(payload, pcm);
    parts.push(pcm);
  }
  const all = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

/** The captured SRTP packets decrypted with the master key from the SDP (RFC 3711), in order; failures left out. */
export function decryptSrtp(packets: Buffer[], key: PeerCrypto): { plain: Buffer[]; failed: number } {
  const master = decodeMasterKey(key.key);
  if (!master) throw new Error('bad key in SDP');
  const ctx = new SrtpContext(master, key.suite, key.mki);
  const plain: Buffer[] = [];
  let failed = 0;
  for (const p of packets) {
    const copy = Buffer.from(p);
    const n = ctx.unprotect(copy, copy.length);
    if (n < 0) failed++;
    else plain.push(copy.subarray(0, n));
  }
  return { plain, failed };
}

export function toneOf(samples: Int16Array, freqHz: number): ToneReport {
  return toneReportOf(samples, 8000, freqHz);
}
