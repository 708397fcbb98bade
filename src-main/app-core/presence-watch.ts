// Presence and BLF for the contact list (issue 11): while registered, each contact marked "watch" gets a
// presence subscription (RFC 3856, PIDF bodies) and a dialog subscription (RFC 4235, BLF); NOTIFYs become
// one status per contact. Contacts unmarked or deleted are un-SUBSCRIBEd; a new user agent starts over.
import type { Contact } from '../contacts/contact-schema';
import type { ContactPresence } from '../ipc/contract';
import { availability, lineState, parseDialogInfo, parsePidf, type DialogStateValue } from '../sip/presence-body';
import type { SubscriptionUpdate } from '../sip/subscription';
import type { RegistrationState, UserAgent } from '../sip/user-agent-api';

interface Watched {
  target: string;
  presenceSub: string | null;
  dialogSub: string | null;
  dialogs: Map<string, DialogStateValue>;
  version: number;
}

const UNKNOWN: ContactPresence = { availability: 'unknown', line: 'unknown' };

/** What to subscribe to for a contact: its SIP address, else its first number (resolved like a dial). */
export function watchTarget(c: Contact): string {
  return c.sipUri || c.numbers[0]?.number || '';
}

export class PresenceWatch {
  private agent: UserAgent | null = null;
  private registered = false;
  private wanted: Contact[] = [];
  private readonly watched = new Map<string, Watched>();
  private status: Record<string, ContactPresence> = {};

  constructor(private readonly changed: (status: Record<string, ContactPresence>) => void) {}

  get current(): Record<string, ContactPresence> {
    return this.status;
  }

  /** A new user agent (or none): its subscriptions died with the old one. */
  reset(agent: UserAgent | null): void {
    this.agent = agent;
    this.registered = false;
    this.watched.clear();
    this.status = {};
    this.changed(this.status);
  }

  registration(state: RegistrationState): void {
    const now = state.state === 'registered';
    if (now === this.registered) return;
    this.registered = now;
    if (now) this.sync();
  }

  contacts(list: readonly Contact[]): void {
    this.wanted = list.filter((c) => c.watch && watchTarget(c) !== '');
    this.sync();
  }

  private sync(): void {
    const agent = this.agent;
    const want = new Map(this.wanted.map((c) => [c.id, watchTarget(c)]));
    let dirty = false;
    for (const [id, w] of this.watched) {
      if (want.get(id) === w.target) continue;
      // RFC 6665 §4.1.2.3: unwatched (or its address changed): end both subscriptions.
      for (const sub of [w.presenceSub, w.dialogSub]) if (sub && agent?.unsubscribe) void agent.unsubscribe(sub);
      this.watched.delete(id);
      delete this.status[id];
      dirty = true;
    }
    if (this.registered && agent?.subscribe) {
      for (const [id, target] of want) {
        if (this.watched.has(id)) continue;
        const presence = agent.subscribe({ target, event: 'presence' });
        const dialog = agent.subscribe({ target, event: 'dialog' });
        this.watched.set(id, {
          target,
          presenceSub: 'id' in presence ? presence.id : null,
          dialogSub: 'id' in dialog ? dialog.id : null,
          dialogs: new Map(),
          version: -1,
        });
        const problem = 'error' in presence ? presence.error : 'error' in dialog ? dialog.error : undefined;
        this.status[id] = problem ? { ...UNKNOWN, problem } : { ...UNKNOWN };
        dirty = true;
      }
    }
    if (dirty) this.publish();
  }

  update(u: SubscriptionUpdate): void {
    if (u.event !== 'presence' && u.event !== 'dialog') return;
    for (const [id, w] of this.watched) {
      if (u.id !== w.presenceSub && u.id !== w.dialogSub) continue;
      const before = this.status[id] ?? { ...UNKNOWN };
      const next: ContactPresence = { ...before };
      if (u.state === 'failed') next.problem = u.reason ?? 'refused';
      else delete next.problem;
      if (u.event === 'presence' && u.body) {
        const p = parsePidf(u.body.text);
        if (p) {
          next.availability = availability(p);
          if (p.note) next.note = p.note;
          else delete next.note;
        }
      } else if (u.event === 'dialog' && u.body) {
        const d = parseDialogInfo(u.body.text);
        // RFC 4235 §4.1: versions only go up; a full document replaces, a partial one is merged.
        if (d && d.version > w.version) {
          w.version = d.version;
          if (d.full) w.dialogs.clear();
          for (const x of d.dialogs) {
            if (x.state === 'terminated') w.dialogs.delete(x.id);
            else w.dialogs.set(x.id, x.state);
          }
          next.line = lineState([...w.dialogs.values()].map((state) => ({ state })));
        }
      }
      if (u.state === 'terminated' && u.event === 'presence') next.availability = 'unknown';
      if (u.state === 'terminated' && u.event === 'dialog') next.line = 'unknown';
      this.status[id] = next;
      this.publish();
      return;
    }
  }

  private publish(): void {
    this.status = { ...this.status };
    this.changed(this.status);
  }
}
