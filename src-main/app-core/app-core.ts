// The one implementation of the UI<->core contract (src-main/ipc/contract.ts), shared by Electron's
// ipcMain and the 127.0.0.1 WebSocket server. It lives in app-core/ rather than ipc/handlers because it
// owns state (the user agent, calls, history, SIP traces, preferences, network status), not transport. Pure: the user
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
  type RequestChannel,
  type RequestPayload,
  type ResponseMap,
  type SoftphoneApi,
} from '../ipc/contract';
import type { MediaSessionFactory } from '../rtp/media-session';
import { addHistoryEntry } from '../settings/history';
import { decodePlainBlob, isPlainBlob, type SecretBox } from '../settings/secret-box';
import { DEFAULT_PREFERENCES, type SettingsFile, type StoredAccount } from '../settings/settings-schema';
import type { SettingsStore } from '../settings/settings-store';
import type { UserAgent, UserAgentConfig } from '../sip/user-agent-api';
import { Emitter } from '../util/emitter';
import { createLogger, type Logger } from '../util/logger';
import { accountFieldProblems, secretsIntoKeychain, toAccountSettings, toAccountView, toStoredAccount } from './account-mapping';
import { ApiFailure, toApiError } from './api-error';
import { CallTracker } from './call-tracker';
import { createContactBook } from './contact-requests';
import { EventWatches } from './event-watches';
import { createCallRequestHandlers, HANGUP_WAIT_MS } from './call-requests';
import { createChatBook } from './chat-requests';
import { DEFAULT_PUBLISHER, OwnPresenceAccounts } from './own-presence-accounts';
import { resolveDialTarget } from '../sip/dial-target';
import { unreadTotal } from '../messages/chat-log';
import { FlowTraces } from './flow-trace';
import type { NatProber } from './nat-check-report';
import { keepAliveConfig, mediaNatOptions } from './network-preferences';
import { NetworkAccounts } from './network-accounts';
import { autoAnswerDelayMs, dndStatus, scheduleAutoAnswer, volumeGains } from './incoming-policy';
import { recordingFileName } from '../audio/call-recording';
import { createPreferenceHandlers, preferencesView } from './preference-handlers';
import { UserAgentHost, withTimeout, type UserAgentHostDeps } from './user-agent-host';
import { createMediaWithOwnRecording } from './media-recording';
import { RecordSlots } from '../audio/record-slots';
import { wireTransfers } from './transfer-requests';
import { createRingtonePreview, ringtoneChoiceOf, ringtoneProblems, type RingtoneFileCheck } from './ringtone-choice';
import { findAccount, listAccounts } from '../settings/account-list';
import { sipPasswordSlot } from '../settings/secret-box';
import { createAccountsCore } from './accounts-core';
import type { CallAccount, TransferRequest } from '../ipc/contract';
import type { Call } from '../sip/user-agent-api';
import type { ReceivedMessage } from '../sip/pager';

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
  /** STUN probes for the Network view's "Test NAT" (app-core.node.ts: real sockets). */
  probeNat?: NatProber;
  /** Issue 11: the folder call recordings go to (created when asked); absent = no call recording. */
  recordingsDir?: () => Promise<string>;
  /** Issue 11: why a WAV cannot be the ringtone (null: it can); absent = not checked. */
  checkRingtoneFile?: RingtoneFileCheck;
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


export function createAppCore(deps: AppCoreDeps): AppCore {
  const log = deps.logger ?? createLogger('app-core');
  const now = deps.now ?? Date.now;
  const events = new Emitter<EventMap>();
  const traces = new FlowTraces();
  const problems: string[] = [];

  let settings: SettingsFile | null = null;
  let history: HistoryEntry[] = [];
  let uaOp: Promise<void> = Promise.resolve();
  let restartPending = false;
  let stopping = false;
  let dialPrefill: string | null = null;

  const report = (message: string) => {
    problems.push(message);
    if (problems.length > 50) problems.splice(0, problems.length - 50);
    log.warn('problem', { message });
    events.emit('app.problem', { message });
  };

  const tracker = new CallTracker({
    now,
    changed: (snapshot) => events.emit('call.changed', snapshot),
    transfer: (callId, progress) => events.emit('call.transfer', { callId, ...progress }),
    ended: (_snapshot, entry) => {
      host.forgetCall(entry.id);
      accounts.agents.forgetCall(entry.id);
      remember(entry);
      if (tracker.size === 0 && restartPending) void scheduleRestart();
    },
  });
  const remember = (entry: HistoryEntry) => {
    history = addHistoryEntry(history, entry);
    events.emit('history.changed', history);
    deps.store.saveHistory(history).catch((err: Error) => report(`call history could not be saved: ${err.message}`));
  };

  const current = (): SettingsFile => {
    if (!settings) throw new ApiFailure('failed', 'the core is not started');
    return settings;
  };
  const prefs = () => current().preferences;
  // Issue 11: the default host's network status, with each other account's own socket under `accounts`.
  const networks = new NetworkAccounts(
    (status) => events.emit('network.changed', status),
    () => (settings ? listAccounts(settings).map((a) => a.id) : []),
  );
  const network = networks.main;

  // Several calls at once (issue 11): with a recording WAV (headless, tests) each open call has its own file.
  const recordSlots = new RecordSlots();
  const createMedia: MediaSessionFactory = (options) => createMediaWithOwnRecording(deps.createMedia, options, recordSlots);
  const callAudio = () => {
    const p = prefs();
    const audio: AudioConfig = deps.audioOverride ?? {
      kind: 'portaudio',
      inputDevice: p.inputDevice ?? undefined,
      outputDevice: p.outputDevice ?? undefined,
      echoCancellation: p.echoCancellation,
      // Issue 11: "Ring on" (the worker rings there, or on the speaker with a warning when it is missing).
      ...(p.ringDevice ? { ringDevice: p.ringDevice } : {}),
    };
    const gain = volumeGains(p);
    return { audio, portMin: p.rtpPortMin, portMax: p.rtpPortMax, ...(gain ? { gain } : {}) };
  };
  const hostDeps: UserAgentHostDeps = {
    createUserAgent: deps.createUserAgent,
    createMedia,
    bindAddress: deps.bindAddress,
    userAgentName: deps.userAgentName ?? `Softphone/${deps.version}`,
    media: () => {
      const nat = mediaNatOptions(prefs(), passwordOf(current().turnPasswordBlob, 'TURN password', 'Topology tab'));
      return { ...callAudio(), ...(nat ? { nat } : {}), ringtoneSound: ringtoneChoiceOf(prefs()) };
    },
    keepAlive: () => keepAliveConfig(prefs()),
    doNotDisturb: () => (settings ? dndStatus(settings.preferences) : undefined),
    comfortNoise: () => settings?.preferences.comfortNoise === true,
    fallbackCallId: () => tracker.latestConnectedId(),
    report,
    log,
    now,
  };
  const host = new UserAgentHost(hostDeps);
  // Issue 11: message-waiting per account, listed in the settings' order (the default first).
  const watches = new EventWatches((event, payload) => events.emit(event, payload), now, () => (settings ? listAccounts(settings).map((a) => a.id) : []));
  // Issue 11: our status is published by every registered account (own-presence-accounts.ts).
  const ownPresence = new OwnPresenceAccounts((status) => events.emit('presence.own', status));
  host.events.on('registration', (state) => {
    network.registration(state);
    events.emit('registration.changed', state);
    watches.registration(state, settings?.account);
    ownPresence.registration(DEFAULT_PUBLISHER, state);
    accounts.changed();
  });
  host.events.on('publication', (u) => ownPresence.update(DEFAULT_PUBLISHER, u));
  host.events.on('subscription', (u) => watches.subscription(u));
  // Issue 11: calls transfers bring, the "ask" policy's questions, calls do-not-disturb refused.
  const transferWiring = { tracker, now, requested: (r: TransferRequest) => events.emit('call.transferRequest', r), refused: remember };
  wireTransfers(host.events, transferWiring);
  host.events.on('incoming', (call) => incoming(call, accounts.defaultTag()));
  // Issue 11: a call on any account is tracked, tagged with its account, and auto-answered alike.
  function incoming(call: Call, account: CallAccount | undefined): void {
    tracker.track(call, account);
    const delay = settings ? autoAnswerDelayMs(settings.preferences) : undefined;
    if (delay !== undefined) scheduleAutoAnswer(call, delay, { setTimer: (fn, ms) => setTimeout(fn, ms), clearTimer: (id) => clearTimeout(id as ReturnType<typeof setTimeout>), answer: (c) => host.answer(c), report });
  }
  host.events.on('trace', (entry) => {
    traces.add(entry);
    network.trace(entry);
    events.emit('flow.message', entry);
  });
  host.events.on('sipBound', (local) => {
    network.sipBound(local);
    watches.agent(local ? host.agent : null, contacts.list(), accounts.defaultTag(), settings?.account?.domain ?? '');
    ownPresence.agent(DEFAULT_PUBLISHER, accounts.defaultTag()?.name ?? '', local ? host.agent : null);
  });
  host.events.on('publicAddress', (info) => network.publicAddress(info));
  host.events.on('natWarning', (message) => network.unreachable(message));
  host.events.on('rejected', (r) => network.rejected(r));
  // Issue 11: a MESSAGE to any account lands in the chat tagged with that account (replies default to it).
  function messageReceived(m: ReceivedMessage, account: CallAccount | undefined): void {
    events.emit('message.received', { ...m, time: now(), ...(account ? { account } : {}) });
    chat.received(m, account?.id);
  }
  host.events.on('message', (m) => messageReceived(m, accounts.defaultTag()));
  host.events.on('level', (level) => events.emit('audio.level', level));
  host.events.on('quality', ({ callId, r, mos }) => tracker.setQuality(callId, { r, mos }));

  // Issue 11: the other enabled accounts, each with its own user agent; the default one is `host`.
  const accounts = createAccountsCore({
    hostDeps,
    mainHost: host,
    settings: () => settings,
    password: (blob) => passwordOf(blob),
    encrypt: (text, slot) => deps.secretBox.encrypt(text, slot),
    storage: deps.secretBox.storage,
    commit: async (next) => {
      const before = settings;
      await deps.store.saveSettings(next);
      settings = next;
      // The default account unchanged: only the others' user agents follow (unchanged ones keep running).
      void (JSON.stringify(before?.account ?? null) === JSON.stringify(next.account) ? syncOtherAccounts() : scheduleRestart());
    },
    changed: (view) => events.emit('accounts.changed', view),
    incoming,
    trace: (entry) => {
      traces.add(entry);
      events.emit('flow.message', entry);
    },
    message: messageReceived,
    level: (level) => events.emit('audio.level', level),
    quality: ({ callId, r, mos }) => tracker.setQuality(callId, { r, mos }),
    wire: (other, tag) => [
      ...wireTransfers(other.events, transferWiring),
      // Issue 11: each account's own message-waiting subscription and NOTIFYs.
      // Issue 11: each account's own message-waiting, and the contacts watched through it (presence, BLF).
      other.events.on('sipBound', (local) => watches.otherAgent(tag, local ? other.agent : null, storedOf(tag.id)?.domain ?? '')),
      other.events.on('registration', (state) => watches.otherRegistration(tag.id, state, storedOf(tag.id))),
      other.events.on('subscription', (u) => watches.otherSubscription(tag.id, u)),
      other.events.on('sipBound', (local) => ownPresence.agent(tag.id, tag.name, local ? other.agent : null)),
      other.events.on('registration', (state) => ownPresence.registration(tag.id, state)),
      other.events.on('publication', (u) => ownPresence.update(tag.id, u)),
      // Issue 11: the account's own socket and the registrar's view of it, for the Network view.
      other.events.on('sipBound', (local) => networks.other(tag, local !== null)?.sipBound(local)),
      other.events.on('registration', (state) => networks.of(tag.id)?.registration(state)),
      other.events.on('publicAddress', (info) => networks.of(tag.id)?.publicAddress(info)),
      other.events.on('natWarning', (message) => networks.of(tag.id)?.unreachable(message)),
      other.events.on('rejected', (r) => networks.of(tag.id)?.rejected(r)),
      other.events.on('trace', (entry) => networks.of(tag.id)?.trace(entry)),
    ],
  });

  function storedOf(id: string): StoredAccount | undefined {
    return settings ? findAccount(settings, id)?.stored : undefined;
  }

  function passwordOf(blob: string, what = 'password', where = 'account settings'): string {
    if (blob === '') return '';
    try {
      return isPlainBlob(blob) ? decodePlainBlob(blob) : deps.secretBox.decrypt(blob);
    } catch (err) {
      report(`the stored ${what} cannot be opened (${(err as Error).message}); enter it again in the ${where}`);
      return '';
    }
  }

  async function startUserAgent(): Promise<void> {
    if (!settings || stopping) return;
    // Issue 11: a disabled default account leaves the default host in direct-IP mode on the same port.
    const stored = settings.account && settings.account.enabled !== false ? settings.account : null;
    const account = toAccountSettings(stored, stored ? passwordOf(stored.passwordBlob) : '');
    const port = deps.sipPortOverride ?? settings.preferences.sipPort;
    // An explicit --sip-port is a demand, the saved preference only a wish.
    await host.start(account, port, deps.sipPortOverride === undefined);
    if (!stopping) await accounts.agents.start(listAccounts(settings));
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
        await host.stop();
        await accounts.agents.stop();
        await startUserAgent();
      })
      .catch((err: Error) => report(`SIP restart failed: ${err.message}`));
    return uaOp;
  }

  /** Issue 11: another account was added, changed, enabled or removed; one with calls waits for them. */
  function syncOtherAccounts(): Promise<void> {
    uaOp = uaOp
      .then(async () => {
        if (!settings || stopping) return;
        const busy = (id: string) => tracker.list().some((c) => c.account?.id === id);
        if (!(await accounts.agents.sync(listAccounts(settings), busy))) restartPending = true;
      })
      .catch((err: Error) => report(`SIP restart failed: ${err.message}`));
    return uaOp;
  }

  const requireUa = (): UserAgent => {
    const agent = host.agent;
    if (!agent) throw new ApiFailure('failed', host.error ?? 'SIP is not running');
    return agent;
  };

  const contacts = createContactBook({
    store: deps.store,
    changed: (list) => {
      events.emit('contacts.changed', list);
      watches.contacts(list);
    },
  });
  // Issue 11, part 6: the chat history; a peer typed as a number or user is completed as a call would be.
  // Issue 11: a message goes out from its account's user agent (its From, credentials, outbound proxy).
  const chat = createChatBook({
    send: (to, text, accountId) => {
      const route = accounts.dialRoute(accountId);
      return (route.agent ?? requireUa()).sendMessage(to, text);
    },
    pickAccount: (requested, conversation) => {
      if (requested !== undefined) return accounts.dialRoute(requested).tag?.id;
      if (conversation !== undefined) {
        try {
          return accounts.dialRoute(conversation).tag?.id;
        } catch {
          // The conversation's account was removed, disabled or is restarting: the default one answers.
        }
      }
      return accounts.dialRoute().tag?.id;
    },
    resolve: (to, accountId) => {
      const account = accountId !== undefined && settings ? findAccount(settings, accountId)?.stored : settings?.account;
      const r = resolveDialTarget(to, { ...(account?.domain ? { domain: account.domain } : {}), ...(account?.dialPlan ? { dialPlan: account.dialPlan } : {}) });
      return 'uri' in r ? r.uri : to;
    },
    ...(deps.store.saveMessages ? { save: (list) => deps.store.saveMessages?.(list) ?? Promise.resolve() } : {}),
    changed: (event) => events.emit('messages.changed', event),
    report,
    now,
  });
  const recordingsDir = deps.recordingsDir;
  const callRequests = createCallRequestHandlers({
    tracker,
    answer: (call) => host.answer(call),
    answerTransfer: (requestId, accept) => (host.agent?.answerTransfer?.(requestId, accept) ?? false) || accounts.agents.answerTransfer(requestId, accept),
    ...(recordingsDir ? { recordingPath: async (call) => `${await recordingsDir()}/${recordingFileName(new Date(now()), call.direction, call.remoteUri)}` } : {}),
  });

  const snapshot = (): AppSnapshot => {
    const s = settings;
    const snap: AppSnapshot = {
      account: s?.account ? toAccountView(s.account, deps.secretBox.storage) : null,
      registration: host.registration(),
      calls: tracker.list(),
      preferences: s ? preferencesView(s) : { ...DEFAULT_PREFERENCES, sipPort: 0, hasTurnPassword: false },
      network: networks.current,
      problems: [...problems],
      version: deps.version,
      passwordStorage: deps.secretBox.storage,
      ...watches.snapshot(),
      messagesUnread: unreadTotal(chat.list()),
      ownPresence: ownPresence.current,
      accounts: accounts.view(),
    };
    if (dialPrefill !== null) snap.dialPrefill = dialPrefill;
    return snap;
  };

  const preferenceHandlers = createPreferenceHandlers({
    settings: current,
    replaceSettings: (next) => {
      settings = next;
      // Issue 11: a volume change is heard in the calls in progress at once.
      const gain = volumeGains(next.preferences) ?? { input: 1, output: 1 };
      host.setGain(gain.input, gain.output);
      accounts.agents.setGain(gain.input, gain.output);
    },
    store: deps.store,
    encrypt: (text) => deps.secretBox.encrypt(text, 'turn-password'),
    restartUserAgent: () => void scheduleRestart(),
    sipPortFixed: deps.sipPortOverride !== undefined,
    checkRingtone: (p) => ringtoneProblems(p, deps.checkRingtoneFile),
    network: () => networks.current,
    sipRunning: () => host.agent !== null,
    sipPort: () => deps.sipPortOverride ?? prefs().sipPort,
    bindAddress: deps.bindAddress ?? '0.0.0.0',
    ...(deps.probeNat ? { probeNat: deps.probeNat } : {}),
    log,
    now,
  });

  const handlers: Handlers = {
    'app.snapshot': async () => snapshot(),
    'account.get': async () => (settings?.account ? toAccountView(settings.account, deps.secretBox.storage) : null),
    'account.save': async (form) => {
      const fields = accountFieldProblems(form);
      if (Object.keys(fields).length > 0) throw new ApiFailure('invalid-request', 'invalid account', fields);
      const current = settings;
      if (!current) throw new ApiFailure('failed', 'the core is not started');
      const account = toStoredAccount(form, current.account, (text) => deps.secretBox.encrypt(text, sipPasswordSlot(current.account?.id)));
      const next: SettingsFile = { ...current, account };
      await deps.store.saveSettings(next).catch((err: Error) => {
        throw new ApiFailure('failed', `the account could not be saved: ${err.message}`);
      });
      settings = next;
      accounts.changed();
      void scheduleRestart();
      return toAccountView(account, deps.secretBox.storage);
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
    'call.dial': async ({ target, accountId }) => {
      // Issue 11: the chosen account, else the default one, else the first enabled one, else direct IP.
      const route = accounts.dialRoute(accountId);
      const agent = route.agent ?? requireUa();
      dialPrefill = null;
      let call;
      try {
        call = route.host.call(agent, target.trim());
      } catch (err) {
        throw new ApiFailure('failed', (err as Error).message);
      }
      return tracker.track(call, route.tag);
    },
    ...accounts.handlers,
    ...callRequests,
    ...chat.handlers,
    // Issue 11, part 6: the choice is kept (published again at each registration) and published now.
    'presence.set': async ({ status }) => {
      const before = current();
      const next: SettingsFile = { ...before, preferences: { ...before.preferences, ownPresence: status } };
      settings = next;
      deps.store.saveSettings(next).catch((err: Error) => report(`the presence status could not be saved: ${err.message}`));
      return ownPresence.choose(status);
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
    'history.delete': async ({ id }) => {
      const next = history.filter((e) => e.id !== id);
      if (next.length === history.length) return null;
      history = next;
      events.emit('history.changed', history);
      await deps.store.saveHistory(history).catch((err: Error) => {
        throw new ApiFailure('failed', `the history could not be saved: ${err.message}`);
      });
      return null;
    },
    'audio.ringtonePreview': createRingtonePreview({
      createMedia,
      media: () => ({ ...callAudio(), ...(deps.bindAddress ? { bindAddress: deps.bindAddress } : {}) }),
      ...(deps.checkRingtoneFile ? { checkFile: deps.checkRingtoneFile } : {}),
      busy: () => tracker.size > 0,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      // A ring device that is missing: the preview rings on the speaker and the user is told why.
      report: (message) => report(`audio: ${message}`),
    }),
    'audio.devices': async () => {
      try {
        return await deps.listAudioDevices();
      } catch (err) {
        throw new ApiFailure('failed', `audio devices cannot be listed: ${(err as Error).message}`);
      }
    },
    ...preferenceHandlers,
    ...contacts.handlers,
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
      contacts.load(loaded.contacts);
      chat.load(loaded.messages ?? []);
      ownPresence.load(settings.preferences.ownPresence);
      watches.contacts(contacts.list());
      for (const message of loaded.problems) report(message);
      // Passwords older headless builds kept as base64 in settings.json move into the box (keychain,
      // keyring or the 0600 secrets file) so settings.json holds no password.
      const upgraded = secretsIntoKeychain(settings, deps.secretBox);
      if (upgraded) {
        try {
          await deps.store.saveSettings(upgraded);
          settings = upgraded;
        } catch (err) {
          log.warn('passwords could not be moved out of settings.json', { error: (err as Error).message });
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
        await host.stop();
        await accounts.agents.stop();
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
