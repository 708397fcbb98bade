// A scripted stand-in for the SIP user agent, so the CLI's command logic is tested without sockets.
import { Emitter } from '../../../src-main/util/emitter';
import type {
  Call,
  CallEndInfo,
  CallEvents,
  CallState,
  RegistrationState,
  UserAgent,
  UserAgentEvents,
} from '../../../src-main/sip/user-agent-api';

export class FakeCall implements Call {
  readonly events = new Emitter<CallEvents>();
  state: CallState;
  answered = 0;
  rejectedWith: number | undefined;
  hangups = 0;
  dtmf: string[] = [];

  constructor(
    readonly id: string,
    readonly direction: 'outgoing' | 'incoming',
    readonly remoteUri: string,
    readonly remoteDisplayName = '',
  ) {
    this.state = direction === 'outgoing' ? 'calling' : 'ringing';
  }

  setState(state: CallState): void {
    this.state = state;
    this.events.emit('state', state);
  }

  end(info: CallEndInfo): void {
    if (this.state === 'ended') return;
    this.setState('ended');
    this.events.emit('ended', info);
  }

  async answer(): Promise<void> {
    this.answered++;
    this.setState('connected');
  }

  reject(status: 486 | 603 = 486): void {
    this.rejectedWith = status;
    this.end({ reason: status === 486 ? 'rejected: 486 Busy Here' : 'rejected: 603 Decline', status, by: 'local', durationSeconds: 0 });
  }

  async hangup(): Promise<CallEndInfo> {
    this.hangups++;
    const info: CallEndInfo =
      this.state === 'connected'
        ? { reason: 'hung up', by: 'local', durationSeconds: 2 }
        : { reason: 'cancelled', by: 'local', durationSeconds: 0 };
    this.end(info);
    return info;
  }

  sendDtmf(digits: string): void {
    this.dtmf.push(digits);
  }

  setMuted(): void {}

  holds: boolean[] = [];
  hold(on: boolean): boolean {
    if (this.state !== 'connected') return false;
    this.holds.push(on);
    this.events.emit('hold', { local: on, remote: false });
    return true;
  }

  readonly transfers: Array<{ target: string; replaces?: Call }> = [];
  transfer(target: string, replaces?: Call): { ok: true } | { ok: false; reason: string } {
    if (this.state !== 'connected') return { ok: false, reason: 'only a connected call can be transferred' };
    this.transfers.push({ target, ...(replaces ? { replaces } : {}) });
    return { ok: true };
  }

  mixedWith: Call | null = null;
  conference(other: Call | null): boolean {
    this.mixedWith = other;
    return true;
  }

  on<K extends keyof CallEvents>(event: K, listener: (payload: CallEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }
}

export class FakeUserAgent implements UserAgent {
  readonly events = new Emitter<UserAgentEvents>();
  registration: RegistrationState = { state: 'unregistered' };
  /** What register() answers, in order; the last one repeats. */
  registerResults: RegistrationState[] = [{ state: 'registered', expires: 600, contact: '<sip:bob@127.0.0.1:5062>' }];
  registerCalls = 0;
  shutdownCalls = 0;
  calls: FakeCall[] = [];
  callError: Error | null = null;

  async start(): Promise<{ address: string; port: number }> {
    return { address: '0.0.0.0', port: 5062 };
  }

  async register(): Promise<RegistrationState> {
    const result = this.registerResults[Math.min(this.registerCalls, this.registerResults.length - 1)] as RegistrationState;
    this.registerCalls++;
    this.setRegistration({ state: 'registering' });
    await Promise.resolve();
    this.setRegistration(result);
    return result;
  }

  setRegistration(state: RegistrationState): void {
    this.registration = state;
    this.events.emit('registration', state);
  }

  async unregister(): Promise<void> {
    this.setRegistration({ state: 'unregistered' });
  }

  call(target: string): Call {
    if (this.callError) throw this.callError;
    const c = new FakeCall(`out-${this.calls.length + 1}`, 'outgoing', target);
    this.calls.push(c);
    return c;
  }

  /** Simulates an INVITE arriving. */
  incoming(from: string, displayName = ''): FakeCall {
    const c = new FakeCall(`in-${this.calls.length + 1}`, 'incoming', from, displayName);
    this.calls.push(c);
    this.events.emit('incoming', c);
    return c;
  }

  sent: Array<{ target: string; text: string }> = [];
  async sendMessage(target: string, text: string): Promise<{ ok: true; status: number }> {
    this.sent.push({ target, text });
    return { ok: true, status: 200 };
  }

  async shutdown(): Promise<void> {
    this.shutdownCalls++;
    for (const c of this.calls) if (c.state !== 'ended') await c.hangup();
    if (this.registration.state === 'registered') await this.unregister();
  }

  on<K extends keyof UserAgentEvents>(event: K, listener: (payload: UserAgentEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }
}
