// STUN Binding client (RFC 8489 §6, RFC 5780 §4): learns the public mapping of one local socket. Pure: the
// caller sends the datagrams it emits from that socket and hands in what the socket receives.

import type { Clock, RandomBytes } from './nat-clock';
import { cryptoRandom } from './nat-clock';
import { decodeStun, encodeStun, getAttr, newTransactionId, StunMethod, type StunAttribute } from './stun-message';
import { DEFAULT_RETRANSMIT, StunRequestTable, type RetransmitPolicy } from './stun-transaction';
import { addressKey, sameAddress, type TransportAddress } from './transport-address';

export interface BindingResult {
  server: TransportAddress;
  /** XOR-MAPPED-ADDRESS (or MAPPED-ADDRESS from an RFC 3489 server); null on timeout or error. */
  mapped: TransportAddress | null;
  /** RFC 5780 §7.4 OTHER-ADDRESS: the server's alternate address for behaviour discovery. */
  otherAddress?: TransportAddress;
  /** RFC 5780 §7.3 RESPONSE-ORIGIN: where the server sent the response from. */
  responseOrigin?: TransportAddress;
  /** ms from the first transmission to the response. */
  rttMs?: number;
  /** "timeout" or the server's error, e.g. "420 Unknown Attribute". */
  error?: string;
}

export interface BindingRequestOptions {
  /** RFC 5780 §7.2 CHANGE-REQUEST flags. */
  changeIp?: boolean;
  changePort?: boolean;
  /** Accept the response from any source (needed with CHANGE-REQUEST, which answers from elsewhere). */
  anySource?: boolean;
}

export interface StunBindingClientOptions {
  clock: Clock;
  /** Puts a datagram on the wire from the socket being probed. */
  send: (data: Uint8Array, to: TransportAddress) => void;
  random?: RandomBytes;
  software?: string;
  policy?: RetransmitPolicy;
}

interface Pending {
  server: TransportAddress;
  anySource: boolean;
  startedAt: number;
  resolve: (r: BindingResult) => void;
}

export class StunBindingClient {
  private readonly table: StunRequestTable<Pending>;
  private readonly random: RandomBytes;

  constructor(private readonly options: StunBindingClientOptions) {
    this.table = new StunRequestTable(options.clock);
    this.random = options.random ?? cryptoRandom;
  }

  /** Sends a Binding request with §6.2.1 retransmissions; resolves with the mapping or the failure. */
  request(server: TransportAddress, opts: BindingRequestOptions = {}): Promise<BindingResult> {
    const transactionId = newTransactionId(this.random);
    const attributes: StunAttribute[] = [];
    if (this.options.software) attributes.push({ name: 'software', value: this.options.software });
    if (opts.changeIp || opts.changePort) {
      attributes.push({ name: 'changeRequest', value: { changeIp: !!opts.changeIp, changePort: !!opts.changePort } });
    }
    const bytes = encodeStun({ method: StunMethod.Binding, cls: 'request', transactionId, attributes }, { fingerprint: true });
    return new Promise((resolve) => {
      const pending: Pending = { server, anySource: !!opts.anySource || !!opts.changeIp || !!opts.changePort, startedAt: this.options.clock.now(), resolve };
      this.table.send(
        transactionId,
        pending,
        () => this.options.send(bytes, server),
        (p) => p.resolve({ server: p.server, mapped: null, error: 'timeout' }),
        this.options.policy ?? DEFAULT_RETRANSMIT,
      );
    });
  }

  /** Feed every datagram the socket receives; true if it was a response to one of our requests. */
  handleDatagram(data: Uint8Array, from: TransportAddress): boolean {
    const msg = decodeStun(data);
    if (!msg || msg.method !== StunMethod.Binding) return false;
    const pending = this.table.peek(msg.transactionId);
    if (!pending) return false;
    // RFC 8489 §6.3.3 leaves source checking to the usage; a response from elsewhere is ignored unless expected.
    if (!pending.anySource && !sameAddress(from, pending.server)) return false;
    if (this.table.match(msg) === undefined) return false;
    const rttMs = this.options.clock.now() - pending.startedAt;
    const base = { server: pending.server, rttMs };
    if (msg.cls === 'error') {
      const err = getAttr(msg, 'errorCode');
      pending.resolve({ ...base, mapped: null, error: err ? `${err.code} ${err.reason}`.trim() : 'error response' });
      return true;
    }
    const mapped = getAttr(msg, 'xorMappedAddress') ?? getAttr(msg, 'mappedAddress') ?? null;
    const result: BindingResult = { ...base, mapped };
    if (!mapped) result.error = `no mapped address in response from ${addressKey(pending.server)}`;
    const other = getAttr(msg, 'otherAddress');
    if (other) result.otherAddress = other;
    const origin = getAttr(msg, 'responseOrigin');
    if (origin) result.responseOrigin = origin;
    pending.resolve(result);
    return true;
  }

  /** Stops all retransmissions; outstanding requests resolve as "closed". */
  close(): void {
    this.table.cancel((p) => {
      p.resolve({ server: p.server, mapped: null, error: 'closed' });
      return true;
    });
  }
}
