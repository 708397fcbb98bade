// Call history (history.list / history.changed), newest first, and the recent numbers for the dial field;
// the search filter, the selected row, and deleting one entry.
import type { Api, Contact, HistoryEntry } from '../lib/api';
import { contactForUri } from '../lib/contact-match';

export class HistoryState {
  /** Everything the core has, newest first. */
  entries = $state.raw<HistoryEntry[]>([]);
  error = $state('');
  /** The search box: name, number or URI, case-insensitive. */
  query = $state('');
  /** The row a single click selected (a double click or the call button calls back). */
  selectedId = $state<string | null>(null);

  private all: HistoryEntry[] = [];

  constructor(
    private readonly api: Api | null,
    /** The address book: the search also finds calls by the name of the contact they were with. */
    private readonly contacts: () => readonly Contact[] = () => [],
  ) {}

  /** The contact's name for a call's URI, '' when it is no contact's. */
  contactName(uri: string): string {
    return contactForUri(this.contacts(), uri)?.name ?? '';
  }

  /** Distinct numbers/URIs, newest first, for the dial field's suggestions and redial. */
  readonly recentTargets: string[] = $derived.by(() => {
    const seen = new Set<string>();
    const out: string[] = [];
    for (const e of this.entries) {
      if (e.remoteUri && !seen.has(e.remoteUri)) {
        seen.add(e.remoteUri);
        out.push(e.remoteUri);
      }
      if (out.length >= 12) break;
    }
    return out;
  });

  /** The entries the search box lets through. */
  readonly visible: HistoryEntry[] = $derived.by(() => {
    const q = this.query.trim().toLowerCase();
    if (q === '') return this.entries;
    const digits = q.replace(/[\s().-]/g, '');
    return this.entries.filter((e) => {
      const name = e.remoteDisplayName.toLowerCase();
      const uri = e.remoteUri.toLowerCase();
      return name.includes(q) || uri.includes(q) || (digits !== '' && uri.includes(digits)) || this.contactName(e.remoteUri).toLowerCase().includes(q);
    });
  });

  apply(list: readonly HistoryEntry[]): void {
    if (!Array.isArray(list)) return;
    this.all = list.filter((e) => e && typeof e.id === 'string').sort((a, b) => b.startedAt - a.startedAt);
    this.refresh();
  }

  async load(): Promise<void> {
    if (!this.api) return;
    const r = await this.api.request('history.list', {});
    if (r.ok) this.apply(r.value);
    else this.error = r.error.message;
  }

  select(id: string | null): void {
    this.selectedId = id;
  }

  /** Deletes one entry in the core (history.delete), which then sends every window the new list. */
  async remove(id: string): Promise<void> {
    if (!this.api) return;
    const r = await this.api.request('history.delete', { id });
    if (!r.ok) {
      this.error = r.error.message;
      return;
    }
    this.all = this.all.filter((e) => e.id !== id);
    this.refresh();
  }

  async clear(): Promise<void> {
    if (!this.api) return;
    const r = await this.api.request('history.clear', {});
    if (r.ok) {
      this.all = [];
      this.refresh();
    } else this.error = r.error.message;
  }

  private refresh(): void {
    this.entries = this.all;
    if (this.selectedId !== null && !this.entries.some((e) => e.id === this.selectedId)) this.selectedId = null;
  }
}

