// The one implementation of the UI<->core contract (src-main/ipc/contract.ts), shared by Electron's
// ipcMain and the 127.0.0.1 WebSocket server. It lives in app-core/ rather than ipc/handlers because it
// owns state (the user agent, calls, history, SIP traces, preferences), not transport. Pure: the user
// agent, media, devices and storage are injected (app-core.node.ts wires the real ones), so it is
// tested without Electron.
import type { AudioConfig, AudioDeviceInfo } from '../audio/audio-config';
import {
  validateRequest,
  type ApiResult,
  type AppSnapshot,
  type CallSnapshot,
  type EventChannel,
  type EventMap,
  type HistoryEntry,
  type Preferences,
  type RequestChannel,
  type RequestPayload,
  type ResponseMap,
  type SoftphoneApi,
} from '../ipc/contract';
import type { MediaSession, MediaSessionFactory } from '../rtp/media-session';
import { addHistoryEntry } from '../settings/history';
import { decodePlainBlob, isPlainBlob, type SecretBox } from '../settings/secret-box';
import type { SettingsFile } from '../settings/settings-schema';
import type { SettingsStore } from '../settings/settings-store';
import type { RegistrationState, UserAgent, UserAgentConfig } from '../sip/user-agent-api';
import { Emitter } from '../util/emitter';
import { createLogger, type Logger } from '../util/logger';
import { accountFieldProblems, toAccountSettings, toAccountView, toStoredAccount } from './account-mapping';
import { ApiFailure, toApiError } from './api-error';
import { CallTracker } from './call-tracker';
import { FlowTraces } from './flow-trace';

export interface AppCoreDeps {
  store: SettingsStore;
  secretBox: SecretBox;
  createUserAgent: (config: UserAgentConfig) => UserAgent;
  createMedia: MediaSessionFactory;
  listAudioDevices: () => AudioDeviceInfo[] | Promise<AudioDeviceInfo[]>;
  /** Forces every call's audio (tests, headless: WAV files or null); otherwise the chosen sound card. */
  audioOverride?: AudioConfig;
  /** This run's SIP port instead of preferences.sipPort (CLI --sip-port); not saved. */
  sipPortOverride?: number;
  /** Local address for SIP and RTP; default 0.0.0.0 (user agent's default). */
  bindAddress?: string;
  userAgentName?: string;
  version: string;
  logger?: Logger;
  now?: () => number;
}

/** Who sent a request (for logs; both transports have checked it before calling handle). */
export interface RequestSender {
  transport: 'ipc' | 'ws' | 'internal';
  id: string;
}

export interface AppCore {
  /** Loads settings and history, starts the user agent (and registers when the account says so). */
  start(): Promise<void>;
  /** Validates, then runs one request. Never throws: failures are ApiError values. */
  handle(channel: string, payload: unknown, sender: RequestSender): Promise<ApiResult<RequestChannel>>;
  on<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void;
  snapshot(): AppSnapshot;
  /** Calls not yet ended (the shell asks before closing the window). */
  activeCalls(): CallSnapshot[];
  /** A sip:/tel: link was opened: tell the UI (and remember it for a UI that starts later). */
  prefillDial(target: string): void;
  hangupAll(): Promise<void>;
  /** Hangs up, un-registers, closes sockets, finishes writes. Idempotent. */
  shutdown(): Promise<void>;
}

type Handlers = { [C in RequestChannel]: (payload: RequestPayload<C>) => Promise<ResponseMap[C]> };

const UA_STOP_TIMEOUT_MS = 5000;
const HANGUP_WAIT_MS = 5000;
const LEVEL_INTERVAL_MS = 100;

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise<T>((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}

export function createAppCore(deps: AppCoreDeps): AppCore {
  const log = deps.logger ?? createLogger('app-core');
  const now = deps.now ?? Date.now;
  const events = new Emitter<EventMap>();
  const traces = new FlowTraces();
  const problems: string[] = [];

  let settings: SettingsFile | null = null;
  let history: HistoryEntry[] = [];
  let ua: UserAgent | null = null;
  let uaUnsubscribe: Array<() => void> = [];
  let uaStartError: string | null = null;
  let uaOp: Promise<void> = Promise.resolve();
  let restartPending = false;
  let stopping = false;
  let dialPrefill: string | null = null;
  /** Media created while a call is being set up belongs to it (for level events); filled in once its id is known. */
  let mediaBinding: { callId: string | null } | null = null;
  const lastLevelAt = new Map<string, number>();

  const report = (message: string) => {
    problems.push(message);
    if (problems.length > 50) problems.splice(0, problems.length - 50);
    log.warn('problem', { message });
    events.emit('app.problem', { message });
  };

  const tracker = new CallTracker({
    now,
    changed: (snapshot) => events.emit('call.changed', snapshot),
    ended: (_snapshot, entry) => {
      lastLevelAt.delete(entry.id);
      history = addHistoryEntry(history, entry);
      events.emit('history.changed', history);
      deps.store.saveHistory(history).catch((err: Error) => report(`call history could not be saved: ${err.message}`));
      if (tracker.size === 0 && restartPending) scheduleRestart();
    },
  });

  const prefs = (): Preferences => {
    if (!settings) throw new ApiFailure('failed', 'the core is not started');
    return settings.preferences;
  };

  const audioConfig = (): AudioConfig => {
    if (deps.audioOverride) return deps.audioOverride;
    const p = prefs();
    return { kind: 'portaudio', inputDevice: p.inputDevice ?? undefined, outputDevice: p.outputDevice ?? undefined };
  };

  const makeMedia = (): MediaSession => {
    const p = prefs();
    const media = deps.createMedia({ audio: audioConfig(), bindAddress: deps.bindAddress, portMin: p.rtpPortMin, portMax: p.rtpPortMax });
    const binding = mediaBinding;
    media.on('level', ({ input, output }) => {
      const callId = binding?.callId ?? tracker.latestConnectedId();
      if (!callId) return;
      // The UI gets meters at <= 10 Hz whatever the media engine sends (ARCHITECTURE.md convention 4).
      const t = now();
      if (t - (lastLevelAt.get(callId) ?? -Infinity) < LEVEL_INTERVAL_MS) return;
      lastLevelAt.set(callId, t);
      events.emit('audio.level', { callId, input, output });
    });
    media.on('error', ({ message }) => report(`audio: ${message}`));
    return media;
  };

  const passwordOf = (blob: string): string => {
    if (blob === '') return '';
    try {
      return isPlainBlob(blob) ? decodePlainBlob(blob) : deps.secretBox.decrypt(blob);
    } catch (err) {
      report(`the stored password cannot be decrypted (${(err as Error).message}); enter it again in the account settings`);
      return '';
    }
  };

  const registrationState = (): RegistrationState => {
    if (ua) return ua.registration;
    if (uaStartError) return { state: 'failed', reason: uaStartError };
    return { state: 'unregistered' };
  };

  async function stopUserAgent(): Promise<void> {
    const old = ua;
    ua = null;
    for (const off of uaUnsubscribe) off();
    uaUnsubscribe = [];
    // shutdown() hangs up and un-registers (RFC 3261 §10.2.2); bounded so a dead registrar cannot block us.
    if (old) await withTimeout(old.shutdown(), UA_STOP_TIMEOUT_MS, undefined);
  }

  async function startUserAgent(): Promise<void> {
    if (!settings || stopping) return;
    const stored = settings.account;
    const account = toAccountSettings(stored, stored ? passwordOf(stored.passwordBlob) : '');
    const wantedPort = deps.sipPortOverride ?? settings.preferences.sipPort;
    const config = (port: number): UserAgentConfig => ({
      account,
      port,
      bindAddress: deps.bindAddress,
      userAgentName: deps.userAgentName ?? `Softphone/${deps.version}`,
      createMedia: makeMedia,
    });
    let next: UserAgent | null = null;
    uaStartError = null;
    try {
      next = deps.createUserAgent(config(wantedPort));
      await next.start();
    } catch (err) {
      await next?.shutdown().catch(() => {});
      next = null;
      if (wantedPort !== 0 && deps.sipPortOverride === undefined) {
        // Another phone already has 5060: any port still registers and calls (the Contact carries it).
        report(`SIP port ${wantedPort} is not available (${(err as Error).message}); using a free port instead`);
        try {
          next = deps.createUserAgent(config(0));
          await next.start();
        } catch (err2) {
          await next?.shutdown().catch(() => {});
          next = null;
          uaStartError = `SIP could not start: ${(err2 as Error).message}`;
        }
      } else {
        uaStartError = `SIP could not start on port ${wantedPort}: ${(err as Error).message}`;
      }
    }
    if (!next) {
      report(uaStartError ?? 'SIP could not start');
      events.emit('registration.changed', registrationState());
      return;
    }
    ua = next;
    uaUnsubscribe = [
      next.on('registration', (state) => events.emit('registration.changed', state)),
      next.on('incoming', (call) => {
        tracker.track(call);
      }),
      next.on('trace', (entry) => {
        traces.add(entry);
        events.emit('flow.message', entry);
      }),
      next.on('warning', ({ message }) => log.warn('user agent', { message })),
    ];
    events.emit('registration.changed', next.registration);
    if (account?.registerWithDomain) {
      next.register().catch((err: Error) => report(`registration: ${err.message}`));
    }
  }

  /** Re-creates the user agent (account or SIP port changed); waits for calls to end first. */
  function scheduleRestart(): Promise<void> {
    if (tracker.size > 0) {
      restartPending = true;
      return Promise.resolve();
    }
    restartPending = false;
    uaOp = uaOp
      .then(async () => {
        await stopUserAgent();
        await startUserAgent();
      })
      .catch((err: Error) => report(`SIP restart failed: ${err.message}`));
    return uaOp;
  }

  const requireUa = (): UserAgent => {
    if (!ua) throw new ApiFailure('failed', uaStartError ?? 'SIP is not running');
    return ua;
  };

  const requireCall = (callId: string) => {
    const tracked = tracker.getActive(callId);
    if (!tracked) {
      if (tracker.snapshot(callId)) throw new ApiFailure('failed', 'the call has already ended');
      throw new ApiFailure('not-found', `no call ${callId.slice(0, 80)}`);
    }
    return tracked;
  };

  const snapshot = (): AppSnapshot => {
    const s = settings;
    const snap: AppSnapshot = {
      account: s?.account ? toAccountView(s.account) : null,
      registration: registrationState(),
      calls: tracker.list(),
      preferences: s ? { ...s.preferences } : { language: 'system', inputDevice: null, outputDevice: null, sipPort: 0, rtpPortMin: 10000, rtpPortMax: 20000 },
      problems: [...problems],
      version: deps.version,
    };
    if (dialPrefill !== null) snap.dialPrefill = dialPrefill;
    return snap;
  };

  const handlers: Handlers = {
    'app.snapshot': async () => snapshot(),
    'account.get': async () => (settings?.account ? toAccountView(settings.account) : null),
    'account.save': async (form) => {
      const fields = accountFieldProblems(form);
      if (Object.keys(fields).length > 0) throw new ApiFailure('invalid-request', 'invalid account', fields);
      const current = settings;
      if (!current) throw new ApiFailure('failed', 'the core is not started');
      const account = toStoredAccount(form, current.account, (text) => deps.secretBox.encrypt(text));
      const next: SettingsFile = { ...current, account };
      await deps.store.saveSettings(next).catch((err: Error) => {
        throw new ApiFailure('failed', `the account could not be saved: ${err.message}`);
      });
      settings = next;
      void scheduleRestart();
      return toAccountView(account);
    },
    'registration.register': async () => {
      const agent = requireUa();
      if (!settings?.account || settings.account.domain.trim() === '') throw new ApiFailure('failed', 'no account to register: fill in the domain first');
      return agent.register();
    },
    'registration.unregister': async () => {
      const agent = requireUa();
      await agent.unregister();
      return agent.registration;
    },
    'call.dial': async ({ target }) => {
      const agent = requireUa();
      dialPrefill = null;
      const binding: { callId: string | null } = { callId: null };
      mediaBinding = binding;
      let call;
      try {
        call = agent.call(target.trim());
      } catch (err) {
        throw new ApiFailure('failed', (err as Error).message);
      } finally {
        mediaBinding = null;
      }
      binding.callId = call.id;
      return tracker.track(call);
    },
    'call.answer': async ({ callId }) => {
      const { call } = requireCall(callId);
      if (call.direction !== 'incoming') throw new ApiFailure('failed', 'only an incoming call can be answered');
      mediaBinding = { callId };
      let answering: Promise<void>;
      try {
        answering = call.answer();
      } finally {
        mediaBinding = null;
      }
      await answering.catch((err: Error) => {
        throw new ApiFailure('failed', `answer failed: ${err.message}`);
      });
      return tracker.snapshot(callId) ?? requireCall(callId).snapshot;
    },
    'call.reject': async ({ callId, status }) => {
      const { call } = requireCall(callId);
      if (call.direction !== 'incoming' || call.state === 'connected') throw new ApiFailure('failed', 'only a ringing incoming call can be rejected');
      call.reject(status);
      return tracker.snapshot(callId) ?? requireCall(callId).snapshot;
    },
    'call.hangup': async ({ callId }) => {
      const tracked = tracker.getActive(callId);
      if (!tracked) {
        const ended = tracker.snapshot(callId);
        if (ended) return ended;
        throw new ApiFailure('not-found', `no call ${callId.slice(0, 80)}`);
      }
      // Resolves when the call has ended (BYE answered, CANCEL done); bounded so the UI never hangs.
      await withTimeout(tracked.call.hangup().then(() => undefined), HANGUP_WAIT_MS, undefined);
      return tracker.snapshot(callId) ?? tracked.snapshot;
    },
    'call.dtmf': async ({ callId, digits }) => {
      const { call } = requireCall(callId);
      if (call.state !== 'connected') throw new ApiFailure('failed', 'DTMF needs a connected call');
      call.sendDtmf(digits);
      return null;
    },
    'call.mute': async ({ callId, muted }) => {
      const { call } = requireCall(callId);
      call.setMuted(muted);
      tracker.setMuted(callId, muted);
      return requireCall(callId).snapshot;
    },
    'history.list': async () => history,
    'history.clear': async () => {
      history = [];
      events.emit('history.changed', history);
      await deps.store.saveHistory(history).catch((err: Error) => {
        throw new ApiFailure('failed', `the history could not be saved: ${err.message}`);
      });
      return null;
    },
    'audio.devices': async () => {
      try {
        return await deps.listAudioDevices();
      } catch (err) {
        throw new ApiFailure('failed', `audio devices cannot be listed: ${(err as Error).message}`);
      }
    },
    'preferences.get': async () => ({ ...prefs() }),
    'preferences.save': async (next) => {
      if (next.rtpPortMin >= next.rtpPortMax) {
        throw new ApiFailure('invalid-request', 'invalid preferences', { rtpPortMax: 'must be above the lowest RTP port' });
      }
      const current = settings;
      if (!current) throw new ApiFailure('failed', 'the core is not started');
      const updated: SettingsFile = { ...current, preferences: { ...next } };
      await deps.store.saveSettings(updated).catch((err: Error) => {
        throw new ApiFailure('failed', `the preferences could not be saved: ${err.message}`);
      });
      settings = updated;
      // Devices and RTP ports apply to the next call; a new SIP port needs a new user agent.
      if (next.sipPort !== current.preferences.sipPort && deps.sipPortOverride === undefined) void scheduleRestart();
      return { ...updated.preferences };
    },
    'flow.get': async ({ callId }) => {
      if (callId !== undefined) {
        if (!traces.has(callId) && !tracker.snapshot(callId)) throw new ApiFailure('not-found', `no SIP messages for call ${callId.slice(0, 80)}`);
        return traces.get(callId);
      }
      const current = tracker.list()[0]?.id ?? traces.latestCallId();
      return current ? traces.get(current) : [];
    },
  };

  return {
    async start() {
      const loaded = await deps.store.load();
      settings = loaded.settings;
      history = loaded.history;
      for (const message of loaded.problems) report(message);
      // A password saved in headless mode moves into the keychain once the app has one.
      const stored = settings.account;
      if (stored && deps.secretBox.available && isPlainBlob(stored.passwordBlob)) {
        try {
          const upgraded = { ...settings, account: { ...stored, passwordBlob: deps.secretBox.encrypt(decodePlainBlob(stored.passwordBlob)) } };
          await deps.store.saveSettings(upgraded);
          settings = upgraded;
        } catch (err) {
          log.warn('password could not be moved to the keychain', { error: (err as Error).message });
        }
      }
      uaOp = uaOp.then(startUserAgent).catch((err: Error) => report(`SIP could not start: ${err.message}`));
      await uaOp;
    },

    async handle(channel, payload, sender) {
      const checked = validateRequest(channel, payload);
      if (!checked.ok) return { ok: false, error: checked.error };
      if (stopping) return { ok: false, error: { code: 'failed', message: 'the softphone is shutting down' } };
      log.debug('request', { channel: checked.channel, transport: sender.transport, sender: sender.id });
      try {
        const handler = handlers[checked.channel] as (p: unknown) => Promise<ResponseMap[RequestChannel]>;
        const value = await handler(checked.payload);
        return { ok: true, value } as ApiResult<RequestChannel>;
      } catch (err) {
        if (!(err instanceof ApiFailure)) log.warn('request failed', { channel: checked.channel, error: (err as Error)?.message });
        return { ok: false, error: toApiError(err) };
      }
    },

    on: (event, listener) => events.on(event, listener),
    snapshot,
    activeCalls: () => tracker.list(),

    prefillDial(target) {
      dialPrefill = target;
      events.emit('dial.prefill', { target });
    },

    async hangupAll() {
      await Promise.all(tracker.calls().map((call) => withTimeout(call.hangup().then(() => undefined), HANGUP_WAIT_MS, undefined)));
    },

    async shutdown() {
      if (stopping) return uaOp;
      stopping = true;
      uaOp = uaOp.then(async () => {
        await stopUserAgent();
        await deps.store.flush().catch(() => {});
      });
      return uaOp;
    },
  };
}

/** The core as a SoftphoneApi in the same process (the CLI, tests): same validation as every transport. */
export function asSoftphoneApi(core: AppCore, sender: RequestSender = { transport: 'internal', id: 'in-process' }): SoftphoneApi {
  return {
    request: (channel, payload) => core.handle(channel, payload, sender) as Promise<ApiResult<typeof channel>>,
    on: (event, listener) => core.on(event, listener),
  };
}
