// The Network view's state: the core's live network status (SIP socket, the registrar's view of us, the
// NAT warning) and the last "Test NAT" result.
import type { AccountNetworkStatus, Api, NetworkCheckReport, NetworkStatus } from '../lib/api';

export const EMPTY_NETWORK: NetworkStatus = { sipLocal: null, publicAddress: null, unreachableWarning: null };

function isHostPort(x: unknown): x is { address: string; port: number } {
  return typeof x === 'object' && x !== null && typeof (x as { address?: unknown }).address === 'string' && typeof (x as { port?: unknown }).port === 'number';
}

type Rejected = NonNullable<NetworkStatus['rejectedInvites']>;

/** Refused INVITEs (issue 9): a count and up to 5 entries of short strings, or nothing. */
function sanitizeRejected(raw: unknown): Rejected | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as { total?: unknown; last?: unknown };
  if (typeof r.total !== 'number' || !Number.isFinite(r.total) || r.total < 0 || !Array.isArray(r.last)) return null;
  const text = (x: unknown): string => (typeof x === 'string' ? x.slice(0, 300) : '');
  const last = r.last.slice(0, 5).flatMap((e: unknown) => {
    if (typeof e !== 'object' || e === null) return [];
    const x = e as Record<string, unknown>;
    return [{ time: typeof x.time === 'number' ? x.time : 0, source: text(x.source), from: text(x.from), requestUri: text(x.requestUri), reason: text(x.reason) }];
  });
  return { total: Math.floor(r.total), last };
}

/** Keeps only well-formed parts of a status from the core (an older core sends none). */
export function sanitizeStatus(raw: unknown): NetworkStatus {
  const main = sanitizeSocket(raw);
  const list = typeof raw === 'object' && raw !== null ? (raw as { accounts?: unknown }).accounts : undefined;
  if (!Array.isArray(list)) return main;
  // Issue 11: each other account's socket, with its id and name (at most the accounts a settings file holds).
  const accounts: AccountNetworkStatus[] = list.slice(0, 20).flatMap((a: unknown) => {
    const x = a as { accountId?: unknown; name?: unknown } | null;
    if (typeof x !== 'object' || x === null || typeof x.accountId !== 'string' || typeof x.name !== 'string') return [];
    return [{ accountId: x.accountId.slice(0, 100), name: x.name.slice(0, 200), ...sanitizeSocket(x) }];
  });
  return { ...main, accounts };
}

function sanitizeSocket(raw: unknown): NetworkStatus {
  if (typeof raw !== 'object' || raw === null) return EMPTY_NETWORK;
  const r = raw as Partial<Record<keyof NetworkStatus, unknown>>;
  const pub = r.publicAddress;
  const rejected = sanitizeRejected(r.rejectedInvites);
  const publicOk = isHostPort(pub) && isHostPort((pub as { local?: unknown }).local) && typeof (pub as { behindNat?: unknown }).behindNat === 'boolean';
  return {
    sipLocal: isHostPort(r.sipLocal) ? r.sipLocal : null,
    publicAddress: publicOk ? (pub as NetworkStatus['publicAddress']) : null,
    unreachableWarning: typeof r.unreachableWarning === 'string' ? r.unreachableWarning.slice(0, 2000) : null,
    ...(rejected ? { rejectedInvites: rejected } : {}),
  };
}

export class NetworkState {
  status = $state.raw<NetworkStatus>(EMPTY_NETWORK);
  report = $state.raw<NetworkCheckReport | null>(null);
  checking = $state(false);
  /** Why the last test could not run (no STUN server, DNS failure …). */
  error = $state('');

  constructor(private readonly api: Api | null) {}

  apply(raw: unknown): void {
    this.status = sanitizeStatus(raw);
  }

  /** Runs the STUN test in the core; one at a time. */
  async check(): Promise<void> {
    if (!this.api || this.checking) return;
    this.checking = true;
    this.error = '';
    try {
      const r = await this.api.request('network.check', {});
      if (r.ok) this.report = r.value;
      else this.error = r.error.message;
    } finally {
      this.checking = false;
    }
  }
}
