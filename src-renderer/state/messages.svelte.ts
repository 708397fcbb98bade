// The chat as the core keeps it (messages.list / messages.get / messages.changed): the conversation list
// with unread counts, the open conversation, the draft, sending, and marking a conversation read while
// it is on screen. Components only call these methods; every request to the core is made here.
// Issue 11 (several accounts): the account a message goes out from ("Send from"; '' = the core's choice:
// the account the conversation came in on, else the default one).
import type { Api, ChatMessage, ConversationSummary, EventMap } from '../lib/api';

export class MessagesState {
  summaries = $state.raw<ConversationSummary[]>([]);
  /** Unread messages over all conversations (the tab's count). */
  unreadTotal = $state(0);
  /** The conversation on screen (its peer key), or null for the list. */
  openPeer = $state<string | null>(null);
  /** Composing a message to a new address: the list shows the To field. */
  composing = $state(false);
  newTo = $state('');
  messages = $state.raw<ChatMessage[]>([]);
  draft = $state('');
  error = $state('');
  /** The account picked in "Send from" for this conversation; '' = not picked (the core decides). */
  sendFrom = $state('');
  private visible = false;

  constructor(private readonly api: Api | null) {}

  readonly openSummary: ConversationSummary | null = $derived.by(() => this.summaries.find((s) => s.peer === this.openPeer) ?? null);

  /** The Messages view is (or is no longer) on screen: an open conversation shown is a conversation read. */
  set showing(value: boolean) {
    this.visible = value;
    if (value) this.readIfShown();
  }

  get showing(): boolean {
    return this.visible;
  }

  setUnread(total: number | undefined): void {
    if (typeof total === 'number' && Number.isFinite(total) && total >= 0) this.unreadTotal = total;
  }

  async load(): Promise<void> {
    if (!this.api) return;
    const r = await this.api.request('messages.list', {});
    if (r.ok && Array.isArray(r.value)) {
      this.summaries = r.value;
      this.unreadTotal = r.value.reduce((n, s) => n + (s.unread || 0), 0);
    }
    if (this.openPeer) await this.open(this.openPeer);
  }

  apply(e: EventMap['messages.changed']): void {
    if (!e || typeof e !== 'object' || !e.summary || typeof e.summary.peer !== 'string') return;
    const peer = e.summary.peer;
    const others = this.summaries.filter((s) => s.peer !== peer);
    this.summaries = e.removed ? others : [e.summary, ...others].sort((a, b) => b.updatedAt - a.updatedAt);
    this.setUnread(e.unreadTotal);
    if (peer !== this.openPeer) return;
    if (e.removed) {
      this.close();
      return;
    }
    const m = e.message;
    if (m && typeof m.id === 'string') {
      const at = this.messages.findIndex((x) => x.id === m.id);
      this.messages = at < 0 ? [...this.messages, m] : this.messages.map((x) => (x.id === m.id ? m : x));
    }
    this.readIfShown();
  }

  async open(peer: string): Promise<void> {
    this.composing = false;
    if (peer !== this.openPeer) this.sendFrom = '';
    this.openPeer = peer;
    this.error = '';
    if (!this.api) return;
    const r = await this.api.request('messages.get', { peer });
    if (this.openPeer !== peer) return;
    this.messages = r.ok && Array.isArray(r.value?.messages) ? r.value.messages : [];
    if (!r.ok && r.error.code !== 'not-found') this.error = r.error.message;
    this.readIfShown();
  }

  close(): void {
    this.openPeer = null;
    this.messages = [];
    this.draft = '';
    this.error = '';
    this.sendFrom = '';
  }

  compose(to = ''): void {
    this.close();
    this.composing = true;
    this.newTo = to;
  }

  /** Starts (or opens) the conversation with `to` from another view (a contact, a history row). */
  async startWith(to: string): Promise<void> {
    const known = this.summaries.find((s) => s.peer === to);
    if (known) await this.open(known.peer);
    else this.compose(to);
  }

  /** Sends the draft to the open conversation (or to the new address); the status follows by events. */
  async send(): Promise<void> {
    const text = this.draft.trim();
    const to = this.openPeer ?? this.newTo.trim();
    if (!this.api || text === '' || to === '') return;
    this.draft = '';
    this.error = '';
    const accountId = this.sendFrom;
    const r = await this.api.request('message.send', accountId ? { to, text, accountId } : { to, text });
    if (this.openPeer === null && this.composing) {
      // The core recorded it under the peer's normalised address: open that conversation.
      const peer = r.ok && r.value.peer ? r.value.peer : this.summaries[0]?.peer;
      if (peer) await this.open(peer);
    }
    // A refused address or text (validation) is not a message at all: say so and give the text back.
    if (!r.ok && r.error.code === 'invalid-request') {
      this.error = Object.values(r.error.fields ?? {})[0] ?? r.error.message;
      this.draft = text;
    }
  }

  async remove(peer: string): Promise<void> {
    if (!this.api) return;
    const r = await this.api.request('messages.delete', { peer });
    if (!r.ok) this.error = r.error.message;
  }

  private readIfShown(): void {
    const peer = this.openPeer;
    if (!this.api || !this.visible || !peer) return;
    const s = this.summaries.find((x) => x.peer === peer);
    if (s && s.unread > 0) void this.api.request('messages.markRead', { peer });
  }
}
