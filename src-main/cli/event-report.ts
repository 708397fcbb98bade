// What --presence, --watch and --voicemail do while `listen` or `call` runs (issue 11, part 6): once
// registered (or at once without registration) publish our presence (RFC 3903) and subscribe to the
// watched addresses' presence (RFC 3856) and our mailbox (RFC 3842), printing one line per change:
// publication, presence, voicemail. Pure: the user agent and output come in.
import { parseMessageSummary } from '../sip/message-summary';
import { availability, parsePidf } from '../sip/presence-body';
import type { SubscriptionUpdate } from '../sip/subscription';
import type { UserAgent } from '../sip/user-agent-api';
import type { EmitFn } from './cli-events';
import type { EventArgs } from './event-args';

export interface EventReportOptions {
  events: EventArgs;
  /** Our address of record (sip:user@domain); absent without --user. */
  aor?: string;
  /** True when the command registers first: nothing is sent before the registrar took us. */
  registers: boolean;
}

export class EventReports {
  private begun = false;
  /** Subscription id -> what it watches. */
  private readonly subs = new Map<string, { kind: 'presence' | 'voicemail'; uri: string }>();
  private readonly offs: Array<() => void> = [];

  constructor(
    private readonly ua: UserAgent,
    private readonly emit: EmitFn,
    private readonly o: EventReportOptions,
  ) {
    const { events } = o;
    if (!events.presence && events.watch.length === 0 && !events.voicemail) return;
    this.offs.push(ua.on('subscription', (u) => this.update(u)));
    this.offs.push(
      ua.on('publication', (p) =>
        emit({ event: 'publication', state: p.state, presence: p.presence, ...(p.expires !== undefined ? { expires: p.expires } : {}), ...(p.reason ? { reason: p.reason } : {}) }),
      ),
    );
    if (o.registers) this.offs.push(ua.on('registration', (r) => r.state === 'registered' && this.begin()));
  }

  /** The SIP socket is bound: without registration this is the moment to start. */
  started(): void {
    if (!this.o.registers) this.begin();
  }

  dispose(): void {
    for (const off of this.offs) off();
  }

  private begin(): void {
    if (this.begun) return;
    this.begun = true;
    const { events, aor } = this.o;
    if (events.presence) {
      const r = this.ua.publishPresence?.(events.presence) ?? { error: 'this user agent cannot publish presence' };
      if ('error' in r) this.emit({ event: 'warning', message: `presence not published: ${r.error}` });
    }
    for (const uri of events.watch) this.subscribe('presence', uri);
    if (events.voicemail && aor) this.subscribe('voicemail', aor);
  }

  private subscribe(kind: 'presence' | 'voicemail', uri: string): void {
    const r = this.ua.subscribe?.({ target: uri, event: kind === 'presence' ? 'presence' : 'message-summary' }) ?? { error: 'this user agent cannot subscribe' };
    if ('error' in r) {
      this.emit({ event: 'warning', message: `cannot watch ${uri}: ${r.error}` });
      return;
    }
    this.subs.set(r.id, { kind, uri });
  }

  private update(u: SubscriptionUpdate): void {
    const sub = this.subs.get(u.id);
    const kind = sub?.kind ?? (u.unsolicited && u.event === 'message-summary' && this.o.events.voicemail ? 'voicemail' : null);
    if (!kind) return;
    const reason = u.reason ? { reason: u.reason } : {};
    if (kind === 'presence') {
      const pidf = u.body ? parsePidf(u.body.text) : null;
      this.emit({
        event: 'presence',
        uri: sub?.uri ?? u.resource,
        state: u.state,
        ...(pidf ? { availability: availability(pidf), basic: pidf.basic, ...(pidf.note ? { note: pidf.note } : {}) } : {}),
        ...reason,
      });
      return;
    }
    const summary = u.body ? parseMessageSummary(u.body.text) : null;
    const voice = summary?.counts.voice;
    this.emit({
      event: 'voicemail',
      state: u.state,
      ...(u.unsolicited ? { unsolicited: true } : {}),
      ...(summary ? { waiting: summary.waiting, newMessages: voice?.new ?? 0, oldMessages: voice?.old ?? 0, urgentNew: voice?.urgentNew ?? 0, urgentOld: voice?.urgentOld ?? 0 } : {}),
      ...reason,
    });
  }
}
