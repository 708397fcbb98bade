// A test double of the SoftphoneApi for component tests: records every request, answers with
// per-channel handlers (or defaults), and lets a test push core events.
import type {
  ApiResult,
  AppSnapshot,
  CallSnapshot,
  EventChannel,
  EventMap,
  PreferencesForm,
  RequestChannel,
  RequestPayload,
  ResponseMap,
  SoftphoneApi,
} from '../../../src-main/ipc/contract';
import type { SipTraceEntry } from '../../../src-main/sip/user-agent-api';

type Handler<C extends RequestChannel> = (payload: RequestPayload<C>) => ApiResult<C> | Promise<ApiResult<C>>;

export const SNAPSHOT: AppSnapshot = {
  account: null,
  registration: { state: 'unregistered' },
  calls: [],
  preferences: {
    language: 'en',
    inputDevice: null,
    outputDevice: null,
  echoCancellation: true,
    sipPort: 5060,
    rtpPortMin: 10000,
    rtpPortMax: 20000,
    stunServer: '',
    turnServer: '',
    turnUser: '',
    iceEnabled: false,
    keepAliveMethod: 'options',
    keepAliveSeconds: 25,
    hasTurnPassword: false,
  },
  network: { sipLocal: { address: '0.0.0.0', port: 5060 }, publicAddress: null, unreachableWarning: null },
  problems: [],
  version: '0.1.0',
};

/** The preferences as the UI sends them back on save (the view without `hasTurnPassword`). */
export const SENT_PREFERENCES: PreferencesForm = (({ hasTurnPassword: _stored, ...form }) => form)(SNAPSHOT.preferences);

export class FakeApi implements SoftphoneApi {
  readonly requests: { channel: RequestChannel; payload: unknown }[] = [];
  private readonly handlers = new Map<RequestChannel, Handler<RequestChannel>>();
  private readonly listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();

  respond<C extends RequestChannel>(channel: C, handler: Handler<C>): this {
    this.handlers.set(channel, handler as unknown as Handler<RequestChannel>);
    return this;
  }

  /** Shorthand: always answer `value`. */
  answer<C extends RequestChannel>(channel: C, value: ResponseMap[C]): this {
    return this.respond(channel, () => ({ ok: true, value }));
  }

  async request<C extends RequestChannel>(channel: C, payload: RequestPayload<C>): Promise<ApiResult<C>> {
    this.requests.push({ channel, payload: structuredClone(payload) });
    const handler = this.handlers.get(channel) as Handler<C> | undefined;
    if (handler) return handler(payload);
    return { ok: true, value: defaultValue(channel, payload) } as ApiResult<C>;
  }

  on<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (payload: unknown) => void);
    return () => set?.delete(listener as (payload: unknown) => void);
  }

  emit<E extends EventChannel>(event: E, payload: EventMap[E]): void {
    for (const l of this.listeners.get(event) ?? []) l(payload);
  }

  /** Payloads sent on one channel, oldest first. */
  sent(channel: RequestChannel): unknown[] {
    return this.requests.filter((r) => r.channel === channel).map((r) => r.payload);
  }
}

function defaultValue(channel: RequestChannel, payload: unknown): unknown {
  switch (channel) {
    case 'app.snapshot':
      return SNAPSHOT;
    case 'history.list':
    case 'contacts.list':
    case 'messages.list':
    case 'audio.devices':
    case 'flow.get':
      return [];
    case 'registration.register':
      return { state: 'registering' };
    case 'registration.unregister':
      return { state: 'unregistered' };
    case 'preferences.get':
      return SNAPSHOT.preferences;
    case 'preferences.save': {
      // Like the core: the password is kept, never returned; the view says whether one is stored.
      const { turnPassword, ...prefs } = payload as { turnPassword?: string };
      return { ...prefs, hasTurnPassword: !!turnPassword };
    }
    case 'call.dial':
      return callSnapshot({ id: 'dialled-1', remoteUri: (payload as { target: string }).target, remoteDisplayName: '' });
    case 'account.save':
      return { ...(payload as object), password: undefined, hasPassword: true };
    default:
      return null;
  }
}

export function callSnapshot(over: Partial<CallSnapshot> = {}): CallSnapshot {
  return {
    id: 'call-1',
    direction: 'outgoing',
    remoteUri: 'sip:bob@example.com',
    remoteDisplayName: 'Bob',
    state: 'calling',
    muted: false,
    startedAt: 1_700_000_000_000,
    connectedAt: null,
    end: null,
    ...over,
  };
}

/** A complete call as a UA behind a proxy sees it (RFC 3665 §3.2 shape), 12 ms apart. */
export function traceOfCall(callId = 'abc@127.0.0.1', remote = '127.0.0.1:5060', t0 = 1_700_000_000_000): SipTraceEntry[] {
  const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
  const msg = (start: string, cseq: string, body = ''): string =>
    `${start}\r\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1\r\nCall-ID: ${callId}\r\nCSeq: ${cseq}\r\n` +
    (body ? `Content-Type: application/sdp\r\nContent-Length: ${body.length}\r\n\r\n${body}` : 'Content-Length: 0\r\n\r\n');
  const rows: [SipTraceEntry['direction'], string, string][] = [
    ['out', 'INVITE', msg('INVITE sip:bob@example.com SIP/2.0', '1 INVITE', sdp)],
    ['in', '100 Trying', msg('SIP/2.0 100 Trying', '1 INVITE')],
    ['in', '180 Ringing', msg('SIP/2.0 180 Ringing', '1 INVITE')],
    ['in', '200 OK', msg('SIP/2.0 200 OK', '1 INVITE', sdp)],
    ['out', 'ACK', msg('ACK sip:bob@127.0.0.1:5064 SIP/2.0', '1 ACK')],
    ['in', 'BYE', msg('BYE sip:alice@127.0.0.1:5062 SIP/2.0', '1 BYE')],
    ['out', '200 OK', msg('SIP/2.0 200 OK', '1 BYE')],
  ];
  return rows.map(([direction, summary, raw], i) => ({ direction, time: t0 + i * 12, remote, callId, summary, raw }));
}
