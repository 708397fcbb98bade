// A scriptable in-memory UserAgent and MediaSession for the app core's unit tests (the real ones are
// driven in test/integration/app-core.test.ts).
import type { MediaSession, MediaSessionEvents, MediaSessionOptions, RtpStats } from '../../../src-main/rtp/media-session';
import type { Call, CallEndInfo, CallEvents, CallState, RegistrationState, SubscribeRequest, UserAgent, UserAgentConfig, UserAgentEvents } from '../../../src-main/sip/user-agent-api';
import { Emitter } from '../../../src-main/util/emitter';

const stats: RtpStats = { codec: 'PCMU', packetsSent: 0, octetsSent: 0, packetsReceived: 0, octetsReceived: 0, packetsLost: 0, duplicates: 0, late: 0, jitterMs: 0, remote: null, maxSendGapMs: 0 };

export class FakeMedia implements MediaSession {
  readonly events = new Emitter<MediaSessionEvents>();
  constructor(readonly options: MediaSessionOptions) {}
  open = async () => ({ address: '127.0.0.1', rtpPort: 10000, rtcpPort: 10001 });
  start = async () => {};
  update = async () => {};
  sendDtmf = () => {};
  setMuted = () => {};
  stats = async () => stats;
  close = async () => stats;
  on<K extends keyof MediaSessionEvents>(event: K, listener: (payload: MediaSessionEvents[K]) => void) {
    return this.events.on(event, listener);
  }
}

export class FakeCall implements Call {
  readonly events = new Emitter<CallEvents>();
  state: CallState;
  dtmf: string[] = [];
  muted = false;
  media: MediaSession | null = null;
  constructor(
    readonly ua: FakeUserAgent,
    readonly id: string,
    readonly direction: 'outgoing' | 'incoming',
    readonly remoteUri: string,
    readonly remoteDisplayName = '',
  ) {
    this.state = direction === 'outgoing' ? 'calling' : 'ringing';
  }
  setState(state: CallState) {
    this.state = state;
    this.events.emit('state', state);
  }
  end(info: CallEndInfo) {
    this.setState('ended');
    this.events.emit('ended', info);
  }
  answer = async () => {
    this.media ??= this.ua.config.createMedia();
    this.setState('connected');
  };
  reject = (status?: 486 | 603) => this.end({ reason: `${status ?? 486} ${status === 603 ? 'Decline' : 'Busy Here'}`, status: status ?? 486, by: 'local', durationSeconds: 0 });
  hangup = async () => {
    const info: CallEndInfo = { reason: 'hung up', by: 'local', durationSeconds: this.state === 'connected' ? 3 : 0 };
    this.end(info);
    return info;
  };
  sendDtmf = (digits: string) => {
    this.dtmf.push(digits);
  };
  setMuted = (muted: boolean) => {
    this.muted = muted;
  };
  held = false;
  hold = (on: boolean): boolean => {
    if (this.state !== 'connected') return false;
    this.held = on;
    this.events.emit('hold', { local: on, remote: false });
    return true;
  };
  transfers: Array<{ target: string; replaces?: Call }> = [];
  transfer = (target: string, replaces?: Call): { ok: true } | { ok: false; reason: string } => {
    if (this.state !== 'connected') return { ok: false, reason: 'only a connected call can be transferred' };
    this.transfers.push({ target, ...(replaces ? { replaces } : {}) });
    return { ok: true };
  };
  mixedWith: Call | null = null;
  conference = (other: Call | null): boolean => {
    this.mixedWith = other;
    return true;
  };
  on<K extends keyof CallEvents>(event: K, listener: (payload: CallEvents[K]) => void) {
    return this.events.on(event, listener);
  }
}

export class FakeUserAgent implements UserAgent {
  readonly events = new Emitter<UserAgentEvents>();
  registration: RegistrationState = { state: 'unregistered' };
  calls: FakeCall[] = [];
  started = false;
  shutDown = false;
  registerCalls = 0;
  unregistered = false;
  private seq = 0;
  constructor(
    readonly config: UserAgentConfig,
    private readonly failStart: Error | null = null,
  ) {}
  start = async () => {
    if (this.failStart) throw this.failStart;
    this.started = true;
    return { address: '127.0.0.1', port: this.config.port || 40000 };
  };
  register = async () => {
    this.registerCalls++;
    this.setRegistration({ state: 'registering' });
    this.setRegistration({ state: 'registered', expires: 600, contact: 'sip:alice@127.0.0.1:40000' });
    return this.registration;
  };
  unregister = async () => {
    this.unregistered = true;
    this.setRegistration({ state: 'unregistered' });
  };
  setRegistration(state: RegistrationState) {
    this.registration = state;
    this.events.emit('registration', state);
  }
  call = (target: string) => {
    if (target.includes(' ')) throw new Error(`cannot dial "${target}"`);
    const call = new FakeCall(this, `out-${++this.seq}`, 'outgoing', target.startsWith('sip:') ? target : `sip:${target}`);
    call.media = this.config.createMedia();
    this.calls.push(call);
    return call;
  };
  incoming(from: string, name = ''): FakeCall {
    const call = new FakeCall(this, `in-${++this.seq}`, 'incoming', from, name);
    // Like the real user agent: the media is opened before the call is announced.
    call.media = this.config.createMedia();
    this.calls.push(call);
    this.events.emit('incoming', call);
    return call;
  }
  /** Issue 11: the statuses publishPresence() was asked for (RFC 3903 PUBLISH). */
  published: string[] = [];
  publishPresence = (presence: 'available' | 'away' | 'busy' | 'offline') => {
    this.published.push(presence);
    return { ok: true as const };
  };
  /** Issue 11: the live subscriptions (RFC 6665) by id; unsubscribe() ends one. */
  subscriptions = new Map<string, SubscribeRequest>();
  subscribe = (request: SubscribeRequest) => {
    const id = `sub-${++this.seq}`;
    this.subscriptions.set(id, request);
    return { id };
  };
  unsubscribe = async (id: string) => {
    this.subscriptions.delete(id);
  };
  sent: Array<{ target: string; text: string }> = [];
  sendMessage = async (target: string, text: string) => {
    this.sent.push({ target, text });
    return { ok: true as const, status: 200 };
  };
  shutdown = async () => {
    for (const c of this.calls) if (c.state !== 'ended') await c.hangup();
    if (this.registration.state === 'registered') await this.unregister();
    this.shutDown = true;
  };
  on<K extends keyof UserAgentEvents>(event: K, listener: (payload: UserAgentEvents[K]) => void) {
    return this.events.on(event, listener);
  }
}
