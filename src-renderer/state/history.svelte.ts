// Call history (history.list / history.changed), newest first, and the recent numbers for the dial field.
import type { Api, HistoryEntry } from '../lib/api';

export class HistoryState {
  entries = $state.raw<HistoryEntry[]>([]);
  error = $state('');

  constructor(private readonly api: Api | null) {}

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

  apply(list: readonly HistoryEntry[]): void {
    if (!Array.isArray(list)) return;
    this.entries = list.filter((e) => e && typeof e.id === 'string').sort((a, b) => b.startedAt - a.startedAt);
  }

  async load(): Promise<void> {
    if (!this.api) return;
    const r = await this.api.request('history.list', {});
    if (r.ok) this.apply(r.value);
    else this.error = r.error.message;
  }

  async clear(): Promise<void> {
    if (!this.api) return;
    const r = await this.api.request('history.clear', {});
    if (r.ok) this.entries = [];
    else this.error = r.error.message;
  }
}
