// What the Network view shows live about the SIP socket: where it is bound, where the registrar sees it
// (RFC 3581 received/rport) and the "server's requests cannot reach this PC" warning while it holds. Pure:
// fed with the user agent's events, it reports each change.
import type { HostPort, NetworkStatus } from '../ipc/contract';
import { RejectedInvites, type RejectedInvite } from '../sip/incoming-filter';
import type { PublicAddressInfo, RegistrationState, SipTraceEntry } from '../sip/user-agent-api';

/** A trace entry of a request from outside (OPTIONS, INVITE, NOTIFY …), not a response ("200 OK"). */
export function isIncomingRequest(entry: Pick<SipTraceEntry, 'direction' | 'summary'>): boolean {
  return entry.direction === 'in' && /^[A-Za-z]/.test(entry.summary);
}

const sameHostPort = (a: HostPort | null | undefined, b: HostPort | null | undefined): boolean =>
  (!a && !b) || (!!a && !!b && a.address === b.address && a.port === b.port);

export class NetworkTracker {
  private status: NetworkStatus = { sipLocal: null, publicAddress: null, unreachableWarning: null };
  private refused = new RejectedInvites();

  constructor(private readonly changed: (status: NetworkStatus) => void) {}

  get current(): NetworkStatus {
    return structuredClone(this.status);
  }

  /** A user agent bound its socket (or none runs: null); what the old one learnt no longer applies. */
  sipBound(local: HostPort | null): void {
    this.refused = new RejectedInvites();
    this.set({ sipLocal: local ? { ...local } : null, publicAddress: null, unreachableWarning: null });
  }

  /** The registrar reported where it sees us; a new mapping is a new binding the warning does not cover. */
  publicAddress(info: PublicAddressInfo): void {
    const before = this.status.publicAddress;
    const moved = !before || !sameHostPort(before, info) || !sameHostPort(before.local, info.local);
    this.set({ ...this.status, publicAddress: structuredClone(info), unreachableWarning: moved ? null : this.status.unreachableWarning });
  }

  /** The user agent's 'nat-unreachable' warning (registered behind NAT, nothing from outside for minutes). */
  unreachable(message: string): void {
    this.set({ ...this.status, unreachableWarning: message });
  }

  /** Without a registration there is no registrar's view and nothing that should reach us. */
  registration(state: RegistrationState): void {
    if (state.state !== 'unregistered' && state.state !== 'failed') return;
    this.set({ ...this.status, publicAddress: null, unreachableWarning: null });
  }

  /** An INVITE the ghost-call filter refused (issue 9): counted, the last few kept for the Network view. */
  rejected(r: RejectedInvite): void {
    this.refused.add(r);
    this.set({ ...this.status, rejectedInvites: { total: this.refused.total, last: structuredClone([...this.refused.last]) } });
  }

  /** A request from outside arrived: the path to us works, so the warning no longer holds. */
  trace(entry: SipTraceEntry): void {
    if (this.status.unreachableWarning !== null && isIncomingRequest(entry)) this.set({ ...this.status, unreachableWarning: null });
  }

  private set(next: NetworkStatus): void {
    const prev = this.status;
    const same =
      sameHostPort(prev.sipLocal, next.sipLocal) &&
      prev.unreachableWarning === next.unreachableWarning &&
      sameHostPort(prev.publicAddress, next.publicAddress) &&
      sameHostPort(prev.publicAddress?.local, next.publicAddress?.local) &&
      prev.publicAddress?.behindNat === next.publicAddress?.behindNat &&
      prev.rejectedInvites?.total === next.rejectedInvites?.total;
    this.status = next;
    if (!same) this.changed(this.current);
  }
}
