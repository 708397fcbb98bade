// SIP messages grouped by Call-ID (one group per dialog or registration), for the call-flow ladder:
// loaded with flow.get, grown by flow.message events, following the newest call unless told not to.
import type { Api, SipTraceEntry } from '../lib/api';
import { uriUser } from '../lib/format';
import { sipFacts } from '../lib/sip-text';

const MAX_DIALOGS = 12;
const MAX_MESSAGES = 300;

export interface FlowDialog {
  callId: string;
  /** 'call' when it starts with INVITE; REGISTER refreshes share one Call-ID (RFC 3261 §10.2). */
  kind: 'call' | 'register' | 'other';
  /** First request's method, e.g. "INVITE". */
  method: string;
  /** Who: the Request-URI's user of the first request. */
  target: string;
  entries: SipTraceEntry[];
}

export class FlowState {
  dialogs = $state.raw<FlowDialog[]>([]);
  selectedCallId = $state<string | null>(null);
  selectedIndex = $state<number | null>(null);
  /** Jump to each new call's flow as it starts. */
  follow = $state(true);
  error = $state('');

  constructor(private readonly api: Api | null) {}

  get selected(): FlowDialog | null {
    return this.dialogs.find((d) => d.callId === this.selectedCallId) ?? null;
  }

  get entries(): SipTraceEntry[] {
    return this.selected?.entries ?? [];
  }

  get selectedMessage(): SipTraceEntry | null {
    return this.selectedIndex === null ? null : (this.entries[this.selectedIndex] ?? null);
  }

  async refresh(callId?: string): Promise<void> {
    if (!this.api) return;
    const r = await this.api.request('flow.get', callId === undefined ? {} : { callId });
    if (r.ok) {
      this.error = '';
      this.load(r.value);
    } else this.error = r.error.message;
  }

  /** Merges a batch (flow.get) without duplicating messages already received as events. */
  load(entries: readonly SipTraceEntry[]): void {
    if (!Array.isArray(entries)) return;
    const sorted = [...entries].sort((a, b) => a.time - b.time);
    for (const e of sorted) this.add(e);
  }

  add(entry: SipTraceEntry): void {
    if (!entry || typeof entry.callId !== 'string' || typeof entry.raw !== 'string' || typeof entry.time !== 'number') return;
    const existing = this.dialogs.find((d) => d.callId === entry.callId);
    if (existing) {
      if (existing.entries.some((e) => e.time === entry.time && e.raw === entry.raw && e.direction === entry.direction)) return;
      const entries = [...existing.entries, entry].sort((a, b) => a.time - b.time).slice(-MAX_MESSAGES);
      const updated = { ...existing, ...describe(entries), entries };
      this.dialogs = this.dialogs.map((d) => (d === existing ? updated : d));
      return;
    }
    const created: FlowDialog = { callId: entry.callId, entries: [entry], ...describe([entry]) };
    let dialogs = [...this.dialogs, created];
    while (dialogs.length > MAX_DIALOGS) {
      const drop = dialogs.find((d) => d.callId !== this.selectedCallId);
      if (!drop) break;
      dialogs = dialogs.filter((d) => d !== drop);
    }
    this.dialogs = dialogs;
    const current = this.selected;
    if (current === null || (this.follow && (created.kind === 'call' || current.kind !== 'call'))) {
      this.selectedCallId = created.callId;
      this.selectedIndex = null;
    }
  }

  selectDialog(callId: string): void {
    if (!this.dialogs.some((d) => d.callId === callId)) return;
    this.selectedCallId = callId;
    this.selectedIndex = null;
  }

  selectMessage(index: number | null): void {
    this.selectedIndex = index !== null && index >= 0 && index < this.entries.length ? index : null;
  }
}

function describe(entries: readonly SipTraceEntry[]): Pick<FlowDialog, 'kind' | 'method' | 'target'> {
  for (const e of entries) {
    const f = sipFacts(e.raw);
    if (f.method) {
      const kind = f.method === 'INVITE' ? 'call' : f.method === 'REGISTER' ? 'register' : 'other';
      return { kind, method: f.method, target: f.requestUri ? uriUser(f.requestUri) : e.remote };
    }
  }
  const first = entries[0];
  return { kind: 'other', method: first?.summary ?? '', target: first?.remote ?? '' };
}
