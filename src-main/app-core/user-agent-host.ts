// Holds the app's one SIP user agent: starts it (falling back to a free port when the wanted one is
// taken), stops it with a bound, and makes each call's MediaSession so its meter levels can be tied
// to the call and forwarded at <= 10 Hz. Passes on what the Network view needs (bound socket, public
// address, the NAT warning).
import type { AudioConfig } from '../audio/audio-config';
import type { RingtoneChoice } from '../audio/ringtone';
import type { MediaNatOptions, MediaSession, MediaSessionFactory } from '../rtp/media-session';
import type { AccountSettings, Call, DndStatus, PublicAddressInfo, RegistrationState, SipTraceEntry, UserAgent, UserAgentConfig, UserAgentEvents } from '../sip/user-agent-api';
import type { RejectedInvite } from '../sip/incoming-filter';
import { Emitter } from '../util/emitter';
import type { Logger } from '../util/logger';
import type { ReceivedMessage } from '../sip/pager';
import type { SubscriptionUpdate } from '../sip/subscription';
import type { PublicationUpdate } from '../sip/publication';

export interface UserAgentHostDeps {
  createUserAgent: (config: UserAgentConfig) => UserAgent;
  createMedia: MediaSessionFactory;
  bindAddress?: string;
  userAgentName: string;
  /** Read at each call: devices, RTP ports and STUN/TURN/ICE apply from the next call on. */
  media: () => { audio: AudioConfig; portMin: number; portMax: number; nat?: MediaNatOptions; gain?: { input: number; output: number }; ringtoneSound?: RingtoneChoice };
  /** Read when a user agent is made (Topology tab); absent = the user agent's default. */
  keepAlive?: () => UserAgentConfig['keepAlive'];
  /** Read at each incoming INVITE (issue 11): a status answers it at once, undefined lets it ring. */
  doNotDisturb?: () => DndStatus | undefined;
  /** The comfort noise preference (issue 13), read at each call. */
  comfortNoise?: () => boolean;
  /** The call levels go to when a session's own call is unknown. */
  fallbackCallId: () => string | null;
  report: (message: string) => void;
  log: Logger;
  now: () => number;
}

export interface UserAgentHostEvents {
  registration: RegistrationState;
  incoming: Call;
  trace: SipTraceEntry;
  level: { callId: string; input: number; output: number };
  /** Issue 13: the call's G.107 score as it runs (when it changes). */
  quality: { callId: string; r: number; mos: number };
  /** The SIP socket of the new user agent, or null when none could start. */
  sipBound: { address: string; port: number } | null;
  publicAddress: PublicAddressInfo;
  /** Registered, but the server's requests do not reach us (plain words with the fix). */
  natWarning: string;
  /** An INVITE refused by the ghost-call filter (issue 9). */
  rejected: RejectedInvite;
  /** A page-mode instant message (RFC 3428). */
  message: ReceivedMessage;
  /** Issue 11: a subscription's state or NOTIFY (MWI, presence, BLF). */
  subscription: SubscriptionUpdate;
  /** Issue 11: our own presence publication (RFC 3903). */
  publication: PublicationUpdate;
  /** Issue 11: a call a transfer brought (placed for a REFER, or taking over one by Replaces): track it. */
  transferCall: Call;
  /** Issue 11: transfer requests to ask the user about, and their end. */
  transferAsk: UserAgentEvents['transferAsk'];
  transferAskEnded: UserAgentEvents['transferAskEnded'];
  /** Issue 11: an INVITE do-not-disturb turned away (for the history). */
  dnd: UserAgentEvents['dnd'];
}

const STOP_TIMEOUT_MS = 5000;
const LEVEL_INTERVAL_MS = 100;

export function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise<T>((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    const done = (v: T) => {
      clearTimeout(timer);
      resolve(v);
    };
    promise.then(done, () => done(fallback));
  });
}

type Binding = { callId: string | null };

export class UserAgentHost {
  readonly events = new Emitter<UserAgentHostEvents>();
  private ua: UserAgent | null = null;
  private unsubscribe: Array<() => void> = [];
  private startError: string | null = null;
  /** Media created while a call is being set up belongs to it; the id is filled in once known. */
  private binding: Binding | null = null;
  /** Media the user agent made on its own: an incoming INVITE gets its media before it is announced. */
  private unbound: Binding[] = [];
  private readonly lastLevelAt = new Map<string, number>();
  /** Media sessions not closed yet: a volume change reaches the calls in progress. */
  private readonly live = new Set<MediaSession>();

  constructor(private readonly deps: UserAgentHostDeps) {}

  get agent(): UserAgent | null {
    return this.ua;
  }

  /** Why SIP is not running, when it is not. */
  get error(): string | null {
    return this.startError;
  }

  registration(): RegistrationState {
    if (this.ua) return this.ua.registration;
    if (this.startError) return { state: 'failed', reason: this.startError };
    return { state: 'unregistered' };
  }

  /** Starts a user agent; `fallback` allows any free port when `port` is taken. */
  async start(account: AccountSettings | undefined, port: number, fallback: boolean): Promise<void> {
    const keepAlive = this.deps.keepAlive?.();
    const config = (p: number): UserAgentConfig => ({
      account,
      port: p,
      bindAddress: this.deps.bindAddress,
      userAgentName: this.deps.userAgentName,
      createMedia: (hint) => this.makeMedia(hint?.incoming === true),
      ...(keepAlive ? { keepAlive } : {}),
      ...(this.deps.doNotDisturb ? { doNotDisturb: this.deps.doNotDisturb } : {}),
      ...(this.deps.comfortNoise ? { comfortNoise: this.deps.comfortNoise } : {}),
    });
    this.startError = null;
    let next = await this.tryStart(config(port));
    if (!next.ua && fallback && port !== 0) {
      // Another phone already has the port: any port still registers and calls (the Contact carries it).
      this.deps.report(`SIP port ${port} is not available (${next.error}); using a free port instead`);
      next = await this.tryStart(config(0));
      if (!next.ua) this.startError = `SIP could not start: ${next.error}`;
    } else if (!next.ua) {
      this.startError = `SIP could not start on port ${port}: ${next.error}`;
    }
    const ua = next.ua;
    if (!ua) {
      this.deps.report(this.startError ?? 'SIP could not start');
      this.events.emit('sipBound', null);
      this.events.emit('registration', this.registration());
      return;
    }
    this.ua = ua;
    this.events.emit('sipBound', next.bound);
    this.unsubscribe = [
      ua.on('registration', (state) => this.events.emit('registration', state)),
      ua.on('incoming', (call) => {
        this.claimMedia(call.id);
        this.unbound = [];
        this.events.emit('incoming', call);
      }),
      // Issue 11: calls that do not come as 'incoming' nor from a dial here. Their media was made by the
      // user agent on its own, just before.
      ua.on('transferCall', ({ call }) => {
        this.claimMedia(call.id);
        this.events.emit('transferCall', call);
      }),
      ua.on('replaced', ({ call }) => {
        this.claimMedia(call.id);
        this.events.emit('transferCall', call);
      }),
      ua.on('transferAsk', (e) => {
        if (e.ask.kind === 'replaces') this.claimMedia(e.call.id);
        this.events.emit('transferAsk', e);
      }),
      ua.on('transferAskEnded', (e) => this.events.emit('transferAskEnded', e)),
      ua.on('dnd', (d) => this.events.emit('dnd', d)),
      ua.on('trace', (entry) => this.events.emit('trace', entry)),
      ua.on('warning', ({ message, code }) => {
        this.deps.log.warn('user agent', { message });
        if (code === 'nat-unreachable') this.events.emit('natWarning', message);
      }),
      ua.on('publicAddress', (info) => this.events.emit('publicAddress', info)),
      ua.on('rejected', (r) => this.events.emit('rejected', r)),
      ua.on('message', (m) => this.events.emit('message', m)),
      ua.on('subscription', (u) => this.events.emit('subscription', u)),
      ua.on('publication', (u) => this.events.emit('publication', u)),
    ];
    this.events.emit('registration', ua.registration);
    if (account?.registerWithDomain) ua.register().catch((err: Error) => this.deps.report(`registration: ${err.message}`));
  }

  private async tryStart(
    config: UserAgentConfig,
  ): Promise<{ ua: UserAgent; bound: { address: string; port: number }; error: null } | { ua: null; error: string }> {
    let ua: UserAgent | null = null;
    try {
      ua = this.deps.createUserAgent(config);
      const bound = await ua.start();
      return { ua, bound: { address: bound.address, port: bound.port }, error: null };
    } catch (err) {
      await ua?.shutdown().catch(() => {});
      return { ua: null, error: (err as Error).message };
    }
  }

  /** Hangs up, un-registers (RFC 3261 §10.2.2) and closes; bounded so a dead registrar cannot block us. */
  async stop(): Promise<void> {
    const old = this.ua;
    this.ua = null;
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    if (old) {
      await withTimeout(old.shutdown(), STOP_TIMEOUT_MS, undefined);
      this.events.emit('sipBound', null);
    }
  }

  /** Dials; media the user agent makes while doing so belongs to the new call. */
  call(agent: UserAgent, target: string): Call {
    const binding: Binding = { callId: null };
    this.binding = binding;
    try {
      const call = agent.call(target);
      binding.callId = call.id;
      return call;
    } finally {
      this.binding = null;
    }
  }

  answer(call: Call): Promise<void> {
    this.binding = { callId: call.id };
    try {
      return call.answer();
    } finally {
      this.binding = null;
    }
  }

  /** Microphone and speaker volume (gains) for the calls in progress; new calls read media() (issue 11). */
  setGain(input: number, output: number): void {
    for (const m of this.live) m.setGain?.(input, output);
  }

  forgetCall(callId: string): void {
    this.lastLevelAt.delete(callId);
    this.claimed.delete(callId);
  }

  /** Calls whose media is known: a call is claimed once (a Replaces call may be asked about, then replaced). */
  private readonly claimed = new Set<string>();

  /** The newest media the user agent made on its own belongs to `callId`. */
  private claimMedia(callId: string): void {
    if (this.claimed.has(callId)) return;
    const media = this.unbound.pop();
    if (!media) return;
    media.callId = callId;
    this.claimed.add(callId);
  }

  private makeMedia(incoming: boolean): MediaSession {
    const { audio, portMin, portMax, nat, gain, ringtoneSound } = this.deps.media();
    // An incoming INVITE rings (issue 11); a call placed for a REFER is made without a dial here, and does not.
    const ringtone = incoming && this.binding === null;
    const media = this.deps.createMedia({ audio, bindAddress: this.deps.bindAddress, portMin, portMax, ...(nat ? { nat } : {}), ...(gain ? { gain } : {}), ...(ringtone ? { ringtone, ...(ringtoneSound ? { ringtoneSound } : {}) } : {}) });
    this.live.add(media);
    const close = media.close.bind(media);
    media.close = () => {
      this.live.delete(media);
      return close();
    };
    let binding = this.binding;
    if (!binding) {
      binding = { callId: null };
      this.unbound = [...this.unbound.slice(-3), binding];
    }
    const owner = binding;
    media.on('level', ({ input, output }) => {
      const callId = owner.callId ?? this.deps.fallbackCallId();
      if (!callId) return;
      // The UI gets meters at <= 10 Hz whatever the media engine sends (ARCHITECTURE.md convention 4).
      const t = this.deps.now();
      if (t - (this.lastLevelAt.get(callId) ?? -Infinity) < LEVEL_INTERVAL_MS) return;
      this.lastLevelAt.set(callId, t);
      this.events.emit('level', { callId, input, output });
    });
    media.on('error', ({ message }) => this.deps.report(`audio: ${message}`));
    media.on('stats', ({ quality }) => {
      const callId = owner.callId;
      if (quality && callId) this.events.emit('quality', { callId, r: quality.r, mos: quality.mos });
    });
    return media;
  }
}
