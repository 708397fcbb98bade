// Call history (history.list / history.changed), newest first, and the recent numbers for the dial field;
// the search filter, the selected row, and deleting one entry.
import type { Api, HistoryEntry } from '../lib/api';

/**
 * The core has no channel to delete one entry (only history.clear): a deleted entry is hidden here and
 * the hidden ids are kept in localStorage so it stays gone after a reload. A `history.delete { id }`
 * request in the core would replace this (see the branch report).
 */
const HIDDEN_KEY = 'softphone.history.hidden';
const MAX_HIDDEN = 500;

/** Storage as far as this file needs it; absent (tests, locked-down pages) means "this session only". */
export type HiddenStore = Pick<Storage, 'getItem' | 'setItem'> | null;

function defaultStore(): HiddenStore {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export class HistoryState {
  /** Everything the core has, minus the entries deleted here. */
  entries = $state.raw<HistoryEntry[]>([]);
  error = $state('');
  /** The search box: name, number or URI, case-insensitive. */
  query = $state('');
  /** The row a single click selected (a double click or the call button calls back). */
  selectedId = $state<string | null>(null);

  private all: HistoryEntry[] = [];
  private hidden: Set<string>;

  constructor(
    private readonly api: Api | null,
    private readonly store: HiddenStore = defaultStore(),
  ) {
    this.hidden = new Set(readHidden(store));
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
      return name.includes(q) || uri.includes(q) || (digits !== '' && uri.includes(digits));
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

  /** Deletes one entry (in this window: see HIDDEN_KEY). */
  remove(id: string): void {
    this.hidden.add(id);
    const ids = [...this.hidden].slice(-MAX_HIDDEN);
    this.hidden = new Set(ids);
    try {
      this.store?.setItem(HIDDEN_KEY, JSON.stringify(ids));
    } catch {
      // Storage full or refused: the entry is still gone for this session.
    }
    if (this.selectedId === id) this.selectedId = null;
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
    this.entries = this.all.filter((e) => !this.hidden.has(e.id));
    if (this.selectedId !== null && !this.entries.some((e) => e.id === this.selectedId)) this.selectedId = null;
  }
}

function readHidden(store: HiddenStore): string[] {
  try {
    const parsed: unknown = JSON.parse(store?.getItem(HIDDEN_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string').slice(-MAX_HIDDEN) : [];
  } catch {
    return [];
  }
}
