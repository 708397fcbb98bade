// Calls as the core reports them (call.changed), the dial field, and the actions on a call: dial,
// answer, decline, hang up, mute, hold, DTMF. Several calls at once (issue 11): one card per call in
// progress, a waiting call offers Hold & Answer / End & Answer / Decline, and resuming a held call
// swaps (the core holds the live one), and Add call holds the call to dial another (X-Lite's "call A,
// Add call, call B, Conference"). Also ticks a clock once a second for the connected timer.
import type { Api, CallSnapshot } from '../lib/api';
import { summarizeEnd } from '../lib/call-end';
import type { DialKey } from '../lib/dialpad-keys';
import { i18n } from './i18n.svelte';

/** Ended calls kept for the "Ended: reason" card and announcements. */
const KEEP_ENDED = 5;
/** An everyday ending (hang-up, busy, declined) leaves the screen by itself after this long (issue 11). */
export const AUTO_DISMISS_MS = 4000;

export class CallsState {
  list = $state.raw<CallSnapshot[]>([]);
  /** Wall clock for call timers, advanced every second while a call is connected. */
  now = $state(Date.now());
  dialTarget = $state('');
  /** Issue 11: the account the next call goes out on ('' = the default account), from the dial field's picker. */
  dialAccountId = $state('');
  /** Why the last action failed (shown under the dial field). */
  error = $state('');
  /** DTMF digits sent per call id, shown on the call card. */
  dtmf = $state.raw<Record<string, string>>({});
  dismissed = $state.raw<ReadonlySet<string>>(new Set());
  /** Issue 11: the call whose Transfer panel is open (one at a time), and what is typed in it. */
  transferFor = $state<string | null>(null);
  transferTarget = $state('');
  /** Why the last transfer could not be asked (shown in the panel). */
  transferError = $state('');
  /**
   * Issue 11 "Add call": the call put on hold to dial another one; while set, the dial field shows
   * (with a Cancel hint) although a call is in progress, and the keypad types instead of sending DTMF.
   */
  addingFor = $state<string | null>(null);

  /** Hook for announcements (live region) on state changes: (call, previous state or null). */
  onChange: ((call: CallSnapshot, previous: CallSnapshot | null) => void) | null = null;

  private ticker: ReturnType<typeof setInterval> | null = null;
  private readonly dismissTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly api: Api | null,
    /** Recently dialled targets, newest first: an empty dial field redials the first one. */
    private readonly recent: () => readonly string[] = () => [],
    /** A contact's name typed in the dial field dials its address (issue 11); anything else as typed. */
    private readonly resolve: (text: string) => string = (text) => text,
  ) {}

  /** Incoming calls still ringing here (Answer / Decline). */
  get incoming(): CallSnapshot[] {
    return this.list.filter((c) => c.direction === 'incoming' && c.state !== 'ended' && c.state !== 'connected');
  }

  /** Calls in progress here (dialled, or answered), oldest first: each has its own card. */
  get live(): CallSnapshot[] {
    return this.list.filter((c) => c.state !== 'ended' && (c.direction === 'outgoing' || c.state === 'connected'));
  }

  /**
   * The call the keypad, Esc and the single-call view are about: the newest call in progress that we
   * do not hold, else the newest held one.
   */
  get active(): CallSnapshot | null {
    const live = this.live;
    for (let i = live.length - 1; i >= 0; i--) {
      const c = live[i];
      if (c && c.hold?.local !== true) return c;
    }
    return live.at(-1) ?? null;
  }

  /** An incoming call rings while another call is in progress: call waiting (Hold & Answer, End & Answer). */
  get waiting(): boolean {
    return this.live.length > 0 && this.incoming.length > 0;
  }

  /**
   * The cards to show: every call in progress, else the last ended one until it is closed. Next to
   * calls in progress, an outgoing call that ended without ever connecting (an added call that was
   * refused while the first one waits on hold) still says why, until closed or faded as usual.
   */
  get cards(): CallSnapshot[] {
    const live = this.live;
    if (live.length > 0) {
      const failed = this.list.filter((c) => c.state === 'ended' && c.end && c.direction === 'outgoing' && c.connectedAt === null && !this.dismissed.has(c.id));
      return [...live, ...failed];
    }
    const current = this.current;
    return current ? [current] : [];
  }

  /**
   * The active call, else the last ended one until it is closed (to show "Ended: reason"). After a
   * transfer (issue 11) the transferred call is the news ("Transferred to …"), whichever call ended last.
   */
  get current(): CallSnapshot | null {
    const active = this.active;
    if (active) return active;
    let last: CallSnapshot | null = null;
    for (let i = this.list.length - 1; i >= 0; i--) {
      const c = this.list[i];
      if (!c || c.state !== 'ended' || this.dismissed.has(c.id) || !c.end) continue;
      if (c.transfer?.status === 'succeeded') return c;
      last ??= c;
    }
    return last;
  }

  get inCall(): boolean {
    return this.active !== null;
  }

  /** The dial field and the Call button show: no call in progress, or a call is being added. */
  get dialing(): boolean {
    return this.addingFor !== null || !this.inCall;
  }

  /** The call held for "Add call" (the dial field's hint names it), while it is still in progress. */
  get addingTo(): CallSnapshot | null {
    return this.addingFor === null ? null : (this.live.find((c) => c.id === this.addingFor) ?? null);
  }

  /** Replaces everything (app snapshot). */
  load(calls: readonly CallSnapshot[]): void {
    this.list = Array.isArray(calls) ? calls.filter((c) => c && typeof c.id === 'string') : [];
    for (const c of this.list) if (c.state === 'ended') this.scheduleDismiss(c);
    this.updateTicker();
  }

  /** One call.changed event (or a request's answer): insert or replace by id. */
  apply(call: CallSnapshot): void {
    // The core is trusted but a malformed event must not break the window.
    if (!call || typeof call.id !== 'string' || typeof call.state !== 'string') return;
    const previous = this.list.find((c) => c.id === call.id) ?? null;
    // Ended is final. A request's answer can be older than the events: call.dial answers "calling"
    // after the core has already sent the refusal (no account, invalid target) as call.changed.
    if (previous?.state === 'ended' && call.state !== 'ended') return;
    // A new call makes the endings before it old news: they no longer show next to calls in progress.
    if (!previous && call.state !== 'ended') for (const c of this.list) if (c.state === 'ended') this.dismiss(c.id);
    let next = previous ? this.list.map((c) => (c.id === call.id ? call : c)) : [...this.list, call];
    const ended = next.filter((c) => c.state === 'ended');
    if (ended.length > KEEP_ENDED) {
      const drop = new Set(ended.slice(0, ended.length - KEEP_ENDED).map((c) => c.id));
      next = next.filter((c) => !drop.has(c.id));
    }
    this.list = next;
    this.now = Date.now();
    this.updateTicker();
    if (call.state === 'ended' && previous?.state !== 'ended') this.scheduleDismiss(call);
    if (call.state === 'ended' && this.transferFor === call.id) this.closeTransfer();
    // The call held for "Add call" ended, or was resumed (its Resume button): nothing is being added any more.
    if (call.id === this.addingFor && (call.state !== 'connected' || call.hold?.local !== true)) this.addingFor = null;
    const holdChanged = previous?.hold?.local !== call.hold?.local || previous?.hold?.remote !== call.hold?.remote;
    if (!previous || previous.state !== call.state || previous.muted !== call.muted || holdChanged) this.onChange?.(call, previous);
  }

  /** `accountId`: the account it goes out on (issue 11); default the dial field's choice ('' = the default account). */
  async dial(target: string = this.dialTarget, accountId: string = this.dialAccountId): Promise<boolean> {
    let t = this.resolve(target.trim()).trim();
    // Adding a call, the last number dialled is most likely the held call's: no redial then.
    if (t === '' && this.addingFor === null) t = this.recent()[0] ?? '';
    if (t === '') return false;
    if (!this.api) return this.fail(i18n.t.dial.notConnected);
    this.error = '';
    this.dialTarget = t;
    const r = await this.api.request('call.dial', accountId ? { target: t, accountId } : { target: t });
    if (!r.ok) return this.fail(r.error.fields?.target ?? r.error.message);
    // The added call is placed: the held one stays held (its card offers Resume, then Conference or Transfer).
    this.addingFor = null;
    this.apply(r.value);
    return true;
  }

  async answer(callId: string): Promise<void> {
    if (!this.api) return;
    const r = await this.api.request('call.answer', { callId });
    if (r.ok) this.apply(r.value);
    else this.fail(r.error.message);
  }

  /** Declines with the core's default (486 Busy Here), which lets a PBX divert to voicemail (RFC 3261 §21.4.24). */
  async decline(callId: string): Promise<void> {
    if (!this.api) return;
    const r = await this.api.request('call.reject', { callId });
    if (r.ok) this.apply(r.value);
    else this.fail(r.error.message);
  }

  async hangup(callId: string): Promise<void> {
    if (!this.api) return;
    const r = await this.api.request('call.hangup', { callId });
    if (r.ok) this.apply(r.value);
    else this.fail(r.error.message);
  }

  /** Puts a call on hold, or resumes it (the core then holds the call that was live: a swap). */
  async hold(callId: string, on: boolean): Promise<void> {
    if (!this.api) return;
    const r = await this.api.request('call.hold', { callId, hold: on });
    if (r.ok) this.apply(r.value);
    else this.fail(r.error.message);
  }

  /**
   * Issue 11 "Add call": holds the call (the Hold button's request) and opens the dial field for a second
   * one. A call we already hold just opens the field; a failed hold leaves things as they were.
   */
  async addCall(callId: string): Promise<boolean> {
    const call = this.live.find((c) => c.id === callId);
    if (!call || call.state !== 'connected' || this.addingFor !== null) return false;
    if (call.hold?.local !== true) await this.hold(callId, true);
    const now = this.live.find((c) => c.id === callId);
    if (!now || now.state !== 'connected' || now.hold?.local !== true) return false;
    this.closeTransfer();
    this.dialTarget = '';
    this.error = '';
    this.addingFor = callId;
    return true;
  }

  /** Leaves "Add call" without dialling: the held call is resumed (Cancel, or Esc in an empty dial field). */
  async cancelAddCall(): Promise<void> {
    const call = this.addingTo;
    this.addingFor = null;
    this.dialTarget = '';
    this.error = '';
    if (call && call.state === 'connected' && call.hold?.local === true) await this.hold(call.id, false);
  }

  /** Call waiting: the calls in progress go on hold (re-INVITE sendonly), then the waiting call is answered. */
  async holdAndAnswer(callId: string): Promise<void> {
    for (const c of this.live) {
      if (c.state === 'connected' && c.hold?.local !== true) await this.hold(c.id, true);
    }
    await this.answer(callId);
  }

  /** Call waiting: the call we talk in is hung up, then the waiting call is answered. */
  async endAndAnswer(callId: string): Promise<void> {
    const current = this.active;
    if (current) await this.hangup(current.id);
    await this.answer(callId);
  }

  async toggleMute(callId: string): Promise<void> {
    const call = this.list.find((c) => c.id === callId);
    if (!this.api || !call) return;
    const r = await this.api.request('call.mute', { callId, muted: !call.muted });
    if (r.ok) this.apply(r.value);
    else this.fail(r.error.message);
  }

  /** Issue 11: starts or stops recording the call to a WAV (the core says where). */
  async toggleRecord(callId: string): Promise<void> {
    const call = this.list.find((c) => c.id === callId);
    if (!this.api || !call) return;
    const r = await this.api.request('call.record', { callId, on: !call.recording });
    if (r.ok) this.apply(r.value);
    else this.fail(r.error.message);
  }

  /** Issue 11: the other connected calls `callId` can be transferred to (attended) or joined with. */
  others(callId: string): CallSnapshot[] {
    return this.live.filter((c) => c.id !== callId && c.state === 'connected');
  }

  /** Issue 11: a Conference button shows when exactly two calls are connected and not joined yet. */
  conferencePartner(callId: string): CallSnapshot | null {
    const me = this.live.find((c) => c.id === callId);
    const others = this.others(callId);
    if (!me || me.state !== 'connected' || others.length !== 1 || me.conference) return null;
    return others[0] ?? null;
  }

  openTransfer(callId: string): void {
    this.transferFor = this.transferFor === callId ? null : callId;
    this.transferTarget = '';
    this.transferError = '';
  }

  closeTransfer(): void {
    this.transferFor = null;
    this.transferError = '';
  }

  /**
   * Blind transfer (REFER, RFC 3515) to what is typed: a contact's name dials its address, as in the dial
   * field. The panel closes once the core has sent the REFER; the progress shows on the card.
   */
  async transfer(callId: string, target: string = this.transferTarget): Promise<boolean> {
    const t = this.resolve(target.trim()).trim();
    if (t === '' || !this.api) return false;
    return this.askTransfer(await this.api.request('call.transfer', { callId, target: t }));
  }

  /** Attended transfer: the party of the other call `otherId` takes this call's place (Replaces, RFC 3891). */
  async transferTo(callId: string, otherId: string): Promise<boolean> {
    if (!this.api) return false;
    return this.askTransfer(await this.api.request('call.transfer', { callId, replacesCallId: otherId }));
  }

  private askTransfer(r: Awaited<ReturnType<Api['request']>>): boolean {
    if (!r.ok) {
      this.transferError = r.error.fields?.target ?? r.error.message;
      return false;
    }
    this.apply(r.value as CallSnapshot);
    this.closeTransfer();
    return true;
  }

  /** Three-way conference of two connected calls (mixed here). */
  async conference(a: string, b: string): Promise<void> {
    if (!this.api) return;
    const r = await this.api.request('call.conference', { callIds: [a, b] });
    if (r.ok) for (const c of r.value) this.apply(c);
    else this.fail(r.error.message);
  }

  /** The user's answer to the other side's transfer request (the account asks first). */
  async replyTransfer(requestId: string, accept: boolean): Promise<void> {
    if (!this.api) return;
    const r = await this.api.request('call.transferReply', { requestId, accept });
    if (r.ok) this.apply(r.value);
    else this.fail(r.error.message);
  }

  async sendDtmf(callId: string, digits: string): Promise<void> {
    if (!this.api) return;
    this.dtmf = { ...this.dtmf, [callId]: `${this.dtmf[callId] ?? ''}${digits}`.slice(-24) };
    const r = await this.api.request('call.dtmf', { callId, digits });
    if (!r.ok) this.fail(r.error.message);
  }

  /**
   * A keypad key (click or keyboard): DTMF during a connected call, nothing while a call is being set
   * up, otherwise (no call, or adding a call) the digit goes into the dial field.
   */
  pressKey(key: DialKey): 'dtmf' | 'dial' | 'ignored' {
    const call = this.active;
    if (call && this.addingFor === null) {
      if (call.state !== 'connected') return 'ignored';
      void this.sendDtmf(call.id, key);
      return 'dtmf';
    }
    this.dialTarget += key;
    return 'dial';
  }

  backspace(): void {
    this.dialTarget = this.dialTarget.slice(0, -1);
  }

  dismiss(callId: string): void {
    const timer = this.dismissTimers.get(callId);
    if (timer !== undefined) clearTimeout(timer);
    this.dismissTimers.delete(callId);
    if (!this.dismissed.has(callId)) this.dismissed = new Set([...this.dismissed, callId]);
  }

  dispose(): void {
    this.stopTicker();
    for (const timer of this.dismissTimers.values()) clearTimeout(timer);
    this.dismissTimers.clear();
  }

  /** Errors (wrong password, unreachable server) stay until closed; everyday endings go by themselves. */
  private scheduleDismiss(call: CallSnapshot): void {
    if (!call.end || summarizeEnd(call.end).tone !== 'normal' || this.dismissTimers.has(call.id)) return;
    this.dismissTimers.set(
      call.id,
      setTimeout(() => this.dismiss(call.id), AUTO_DISMISS_MS),
    );
  }

  private stopTicker(): void {
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
  }

  private fail(message: string): false {
    this.error = message;
    return false;
  }

  private updateTicker(): void {
    const needed = this.list.some((c) => c.state === 'connected');
    if (needed && this.ticker === null) {
      this.ticker = setInterval(() => {
        this.now = Date.now();
      }, 1000);
    } else if (!needed) this.stopTicker();
  }
}
