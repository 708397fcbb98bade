// Issue 11 (several accounts): the Network view's status for every account. The default account's host
// has the main NetworkTracker (the fields older windows read); each other running account's user agent
// has its own socket, registrar view and warnings, listed under `accounts` in the settings' order.
import type { AccountNetworkStatus, CallAccount, NetworkStatus } from '../ipc/contract';
import { NetworkTracker } from './network-status';

export class NetworkAccounts {
  /** The default host's tracker (direct IP when no default account runs). */
  readonly main: NetworkTracker;
  private readonly others = new Map<string, { name: string; tracker: NetworkTracker }>();

  constructor(
    private readonly changed: (status: NetworkStatus) => void,
    private readonly order: () => readonly string[] = () => [],
  ) {
    this.main = new NetworkTracker(() => this.publish());
  }

  get current(): NetworkStatus {
    const main = this.main.current;
    if (this.others.size === 0) return main;
    const rank = (id: string) => {
      const i = this.order().indexOf(id);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    const accounts: AccountNetworkStatus[] = [...this.others]
      .sort(([a], [b]) => rank(a) - rank(b))
      .map(([accountId, { name, tracker }]) => ({ accountId, name, ...tracker.current }));
    return { ...main, accounts };
  }

  /** The tracker of another account's user agent, made when its socket is bound; null: it stopped, it leaves the list. */
  other(account: CallAccount, bound: boolean): NetworkTracker | undefined {
    if (!bound) {
      if (this.others.delete(account.id)) this.publish();
      return undefined;
    }
    let entry = this.others.get(account.id);
    if (!entry) {
      entry = { name: account.name, tracker: new NetworkTracker(() => this.publish()) };
      this.others.set(account.id, entry);
    }
    entry.name = account.name;
    return entry.tracker;
  }

  /** That account's tracker while it runs. */
  of(id: string): NetworkTracker | undefined {
    return this.others.get(id)?.tracker;
  }

  private publish(): void {
    this.changed(this.current);
  }
}
