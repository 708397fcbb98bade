// Entry of the media worker thread (bundled to dist/media-worker.js): one per process, it hosts every
// call's RTP sockets, audio devices, codecs and jitter buffers on its own 20 ms clock, so real-time audio
// never waits for the main thread's event loop.

import { randomUUID, getRandomValues } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { AudioConfig } from '../audio/audio-config';
import { FRAME_SAMPLES, type AudioInput, type AudioOutput, type DeviceBufferStats } from '../audio/audio-device';
import { FileInput, FileOutput } from '../audio/file-device.node';
import { ringTick, startRecording, startRinging, stopRecording, stopRinging, type WorkerCallExtras } from './media-worker-extras.node';
import { NullInput, NullOutput } from '../audio/null-device';
import { MediaClock, raiseThreadPriority } from './media-clock.node';
import type { MediaEndpoint, MediaNatOptions, MediaStartParams, RtpStats } from './media-session';
import type { IceCandidate } from '../nat/ice-candidate';
import { MediaStream, type MediaTransport } from './media-stream';
import type { IceMediaTransport } from '../nat/ice-media-transport';
import { setUpMediaNat } from './media-nat.node';
import { checkToWorker, emptyStats, type FromWorker, type LogLevelName, type ToWorker, type WorkerOpenOptions } from './media-worker-protocol';
import { RtpSocketPair } from './rtp-socket.node';
import { warmUpMediaPath } from './media-warm-up';
import { registerOpus } from '../codec/opus-codec.node';

const port = parentPort;
if (!port) throw new Error('media-worker.js must be started as a worker thread');

interface Session {
  id: number;
  options: WorkerOpenOptions;
  sockets: RtpSocketPair;
  stream: MediaStream | null;
  muted: boolean;
  closing: boolean;
  /** Datagrams that arrived before start() (no stream to judge them yet). */
  early: number;
  /** STUN/TURN/ICE of this session (opened with nat options); it sees every datagram first. */
  nat: IceMediaTransport | null;
  /** ICE carries the media: the stream sends through it and is fed validated datagrams only. */
  iceActive: boolean;
  /** What the SDP said (the stream's notion of the peer while ICE picks the real path). */
  signalled: { address: string; rtpPort: number; rtcpPort: number } | null;
  /**
   * The audio devices, opened while the call is being set up (ringing) so that start() finds them
   * ready and the first packet goes out at once; never rejects (a failed device becomes silence).
   */
  devices: Promise<Devices> | null;
  /** Post 'level' messages (somebody shows meters); off by default: a headless call has no meters. */
  levels: boolean;
  /** The conference partner whose heard audio we add to what we send (0: none). */
  mixWith: number;
  /** The call recording (issue 11): a stereo WAV fed by the stream's tap, written asynchronously. */
  recording: WorkerCallExtras['recording'];
  /** Ringing (issue 11): the tone and the output it goes to, from when the devices are open until start(). */
  ring: WorkerCallExtras['ring'];
}

interface Devices {
  input: AudioInput;
  output: AudioOutput;
}

const sessions = new Map<number, Session>();
/** Per-session chains: one session's messages are handled in order, sessions do not wait for each other. */
const chains = new Map<number, Promise<void>>();
const SNAPSHOT_TICKS = 25; // stats to the main thread every 500 ms
let ticks = 0;
/** The packet path has been run once (see media-warm-up.ts). */
let warmedUp = false;
let lastTickAt = 0;

const now = (): number => performance.now();
const random = (): number => (getRandomValues(new Uint32Array(1))[0] as number) / 0x100000000;

const clock = new MediaClock({
  periodMs: 20,
  onTick: ({ skipped, lateMs }) => {
    if (skipped > 0) log('warn', 'media clock stalled; ticks skipped', { skipped });
    else if (lateMs > 10) log('debug', 'media tick late', { lateMs: Math.round(lateMs * 10) / 10, sinceLastTickMs: Math.round((now() - lastTickAt) * 10) / 10 });
    lastTickAt = now();
    // Everybody's packets first, then playout: the send instant is what the far end hears as jitter.
    const t = now();
    // A conference partner's last heard frame goes out mixed with our microphone (issue 11).
    for (const s of sessions.values()) guard(s, () => s.stream?.sendTick(t, s.mixWith !== 0 ? (sessions.get(s.mixWith)?.stream?.heardFrame ?? null) : null));
    const t2 = now();
    for (const s of sessions.values()) guard(s, () => s.stream?.playTick(t2));
    for (const s of sessions.values()) if (s.ring?.output && !s.stream) guard(s, () => ringTick(s));
    if (++ticks % SNAPSHOT_TICKS === 0) {
      for (const s of sessions.values()) if (s.stream) post({ type: 'snapshot', session: s.id, stats: statsOf(s) });
    }
  },
});

// Issue 13: Opus through the addon's libopus, when it has it (the main thread offers it only then).
registerOpus();
const scheduling = raiseThreadPriority();
queueMicrotask(() => log('debug', 'media thread started', { scheduling }));

function post(msg: FromWorker): void {
  port?.postMessage(msg);
}

function log(level: LogLevelName, msg: string, data?: Record<string, unknown>): void {
  post({ type: 'log', level, scope: 'media-worker', msg, ...(data ? { data } : {}) });
}

/** A failing tick of one session must not stop the others (or the clock). */
function guard(s: Session, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    log('error', 'media tick failed', { session: s.id, error: (err as Error).stack ?? String(err) });
  }
}

port.on('message', (raw: unknown) => {
  const checked = checkToWorker(raw);
  if (!checked.ok) {
    log('warn', 'invalid message from main thread', { error: checked.error });
    const req = (raw as { req?: unknown } | null)?.req;
    if (typeof req === 'number') post({ type: 'failed', req, message: checked.error });
    return;
  }
  const msg = checked.value;
  const prev = chains.get(msg.session) ?? Promise.resolve();
  const next = prev.then(() => handle(msg)).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    if ('req' in msg) post({ type: 'failed', req: msg.req, message });
    else log('warn', `${msg.type} failed`, { session: msg.session, error: message });
  });
  chains.set(msg.session, next);
  // Forget finished chains so the map does not grow with every call.
  void next.then(() => {
    if (chains.get(msg.session) === next) chains.delete(msg.session);
  });
});

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'open') return open(msg.session, msg.req, msg.options);
  if (msg.type === 'devices') {
    const pa = await import('../audio/portaudio-device.node');
    post({ type: 'devices', req: msg.req, devices: pa.listAudioDevicesInThisThread() });
    return;
  }
  const s = sessions.get(msg.session);
  if (!s) {
    if (msg.type === 'close' || msg.type === 'stats') post({ type: 'stats', req: msg.req, stats: emptyStats() });
    else if ('req' in msg) post({ type: 'failed', req: msg.req, message: `no media session ${msg.session} (not opened, or closed)` });
    return;
  }
  switch (msg.type) {
    case 'start':
    case 'update':
      // ICE keeps its pair over a re-INVITE (no ICE restart); the stream's own checks stay relaxed then.
      if (s.stream) s.stream.update(s.iceActive ? { ...msg.params, symmetric: false } : msg.params, now());
      else await start(s, msg.params);
      post({ type: 'done', req: msg.req });
      return;
    case 'dtmf':
      if (!s.stream || !s.stream.sendDtmf(msg.digits, msg.durationMs, msg.inband ? 'inband' : 'rfc4733')) {
        log('info', 'DTMF not sent: no telephone-event negotiated or media not started', { session: s.id });
      }
      return;
    case 'mute':
      s.muted = msg.muted;
      s.stream?.setMuted(msg.muted);
      return;
    case 'levels':
      s.levels = msg.enabled;
      return;
    case 'mix':
      s.mixWith = msg.with === s.id ? 0 : msg.with;
      return;
    case 'gain':
      s.options = { ...s.options, gain: { input: msg.input, output: msg.output } };
      s.stream?.setGain(msg.input, msg.output);
      return;
    case 'record':
      await stopRecording(s, post);
      if (msg.path !== null) await startRecording(s, msg.path, post);
      post({ type: 'done', req: msg.req });
      return;
    case 'stats':
      post({ type: 'stats', req: msg.req, stats: statsOf(s) });
      return;
    case 'close':
      post({ type: 'stats', req: msg.req, stats: await close(s) });
      return;
  }
}

async function open(id: number, req: number, options: WorkerOpenOptions): Promise<void> {
  if (sessions.has(id)) throw new Error(`media session ${id} is already open`);
  const sockets = await RtpSocketPair.create({ bindAddress: options.bindAddress, portMin: options.portMin, portMax: options.portMax, random });
  const s: Session = { id, options, sockets, stream: null, muted: false, closing: false, early: 0, nat: null, iceActive: false, signalled: null, devices: null, levels: false, mixWith: 0, recording: null, ring: null };
  sockets.on('rtp', ({ data, address, port: p }) => {
    if (s.nat) s.nat.receive(1, data, { address, port: p });
    else if (s.stream) s.stream.receiveRtp(data, { address, port: p }, now());
    else s.early++;
  });
  sockets.on('rtcp', ({ data, address, port: p }) => {
    if (s.nat) s.nat.receive(2, data, { address, port: p });
    else if (s.stream) s.stream.receiveRtcp(data, { address, port: p }, now());
    else s.early++;
  });
  let socketErrors = 0;
  sockets.on('error', (e) => {
    // Rate-limited: a dead peer can make every send fail.
    if (socketErrors++ % 250 === 0) log('warn', 'RTP socket error', { session: id, error: e.message, count: socketErrors });
  });
  sessions.set(id, s);
  const endpoint: MediaEndpoint = { address: sockets.address, rtpPort: sockets.rtpPort, rtcpPort: sockets.rtcpPort };
  if (options.nat) {
    try {
      await openNat(s, options.nat, endpoint);
    } catch (err) {
      sessions.delete(id);
      await sockets.close();
      throw err;
    }
  }
  post({ type: 'opened', req, endpoint });
  // After the answer, so opening a sound card does not delay the INVITE or the 200 OK. A sound card
  // already held by another call is left alone until this one starts (a hardware device may be exclusive).
  const cardBusy = options.audio.kind === 'portaudio' && [...sessions.values()].some((x) => x !== s && x.devices && x.options.audio.kind === 'portaudio');
  if (!cardBusy) s.devices = openDevices(s, options.audio);
  if (options.ringtone && s.devices) {
    startRinging(
      s,
      s.devices.then((d) => d.output),
      () => {
        if (!clock.isRunning) clock.start({ immediate: true });
      },
      post,
    );
  }
  if (!warmedUp) {
    warmedUp = true;
    // While the call is being set up: compile the packet path before the first packet needs it.
    setImmediate(() => {
      try {
        warmUpMediaPath(now(), random);
      } catch (err) {
        log('debug', 'media warm-up failed', { error: (err as Error).message });
      }
    });
  }
}

/** Gathers candidates for the SDP (ICE) or learns the public mapping (STUN only), and routes their events. */
async function openNat(s: Session, nat: MediaNatOptions, endpoint: MediaEndpoint): Promise<void> {
  const setup = await setUpMediaNat(nat, s.sockets, (level, msg, data) => log(level, msg, { session: s.id, ...data }));
  const t = setup.transport;
  s.nat = t;
  t.on('media', ({ component, data, from }) => {
    const stream = s.stream;
    if (!stream) {
      s.early++;
      return;
    }
    // ICE has checked the source already; the stream is told it came from the signalled address so its
    // own (latching, RTCP source) checks agree. Without ICE it sees the real source and latches as usual.
    const signalled = s.iceActive ? s.signalled : null;
    const src = signalled ? { address: signalled.address, port: component === 1 ? signalled.rtpPort : signalled.rtcpPort } : from;
    if (component === 1) stream.receiveRtp(data, src, now());
    else stream.receiveRtcp(data, src, now());
  });
  const gathered = await setup.gather();
  for (const message of setup.problems) post({ type: 'error', session: s.id, message });
  t.on('problem', ({ message }) => post({ type: 'error', session: s.id, message }));
  if (nat.ice) endpoint.ice = { ufrag: gathered.credentials.ufrag, pwd: gathered.credentials.pwd, candidates: gathered.candidates.map(forSdp) };
  const rtp = gathered.mapped[0];
  if (rtp) {
    const rtcp = gathered.mapped[1];
    endpoint.mapped = { address: rtp.address, rtpPort: rtp.port, rtcpPort: rtcp && rtcp.address === rtp.address ? rtcp.port : rtp.port + 1 };
  }
  // STUN without ICE: the mapping is all we wanted; from now on the sockets carry plain RTP.
  if (!nat.ice) t.start(null);
}

/** A candidate as it goes into SDP: without the local base (ours only). */
function forSdp(c: IceCandidate): IceCandidate {
  const out: IceCandidate = { foundation: c.foundation, component: c.component, transport: c.transport, priority: c.priority, address: c.address, port: c.port, type: c.type };
  if (c.relatedAddress !== undefined) out.relatedAddress = c.relatedAddress;
  if (c.relatedPort !== undefined) out.relatedPort = c.relatedPort;
  return out;
}

async function start(s: Session, params: MediaStartParams): Promise<void> {
  stopRinging(s); // answered: the ringtone stops
  s.devices ??= openDevices(s, s.options.audio);
  const devices = await s.devices;
  if (s.closing) return; // close() releases the devices

  let transport: MediaTransport = s.sockets;
  let streamParams = params;
  if (s.nat) {
    const t = s.nat;
    if (params.ice) {
      t.start({ ufrag: params.ice.ufrag, pwd: params.ice.pwd, candidates: params.ice.candidates, role: params.ice.role });
      s.iceActive = true;
      s.signalled = { address: params.remoteAddress, rtpPort: params.remotePort, rtcpPort: params.remoteRtcpPort ?? params.remotePort + 1 };
      // RFC 8445 §12: media goes on the pair ICE selected, not to c=/m=; the stream's address is ignored.
      transport = { sendRtp: (data, length) => void t.send(1, data.subarray(0, length)), sendRtcp: (data, length) => void t.send(2, data.subarray(0, length)) };
      streamParams = { ...params, symmetric: false };
    } else {
      t.start(null);
    }
  }
  const stream = new MediaStream(
    { transport, input: devices.input, output: devices.output, random, wallClockMs: Date.now, cname: `${randomUUID()}@softphone`, ...(s.options.jitterAdapt ? { jitterAdapt: s.options.jitterAdapt } : {}) },
    streamParams,
    now(),
  );
  stream.setMuted(s.muted);
  if (s.options.gain) stream.setGain(s.options.gain.input, s.options.gain.output);
  if (s.recording) stream.setTap(s.recording.tap);
  stream.on('latched', ({ address, port: p }) => post({ type: 'latched', session: s.id, address, port: p }));
  stream.on('level', ({ input, output }) => {
    if (s.levels) post({ type: 'level', session: s.id, input, output });
  });
  stream.on('error', ({ message }) => post({ type: 'error', session: s.id, message }));
  stream.on('dtmf', ({ digit }) => post({ type: 'dtmf', session: s.id, digit }));
  s.stream = stream;
  // The first packet leaves now rather than a period later (call setup); a clock already running for
  // another call takes the new stream on its next tick.
  if (!clock.isRunning) clock.start({ immediate: true });
}

/** Opens the configured devices; one that fails is reported and replaced by silence (RTP still runs). */
async function openDevices(s: Session, audio: AudioConfig): Promise<Devices> {
  let input: AudioInput = new NullInput();
  let output: AudioOutput = new NullOutput();
  try {
    if (audio.kind === 'file') {
      // At the file's own rate: a 16 kHz WAV feeds a G.722 call untouched (the stream resamples the rest).
      if (audio.play) input = new FileInput(audio.play, audio.loop ?? false, { keepRate: true });
      if (audio.record) output = new FileOutput(audio.record);
    } else if (audio.kind === 'portaudio') {
      // Loaded on first use: file and null sessions never touch the native module.
      const pa = await import('../audio/portaudio-device.node');
      input = new pa.PortAudioInput(audio.inputDevice);
      output = new pa.PortAudioOutput(audio.outputDevice);
      if (audio.echoCancellation !== false) ({ input, output } = await cancelEcho(s, input, output));
    }
  } catch (err) {
    post({ type: 'error', session: s.id, message: `audio devices unavailable: ${(err as Error).message}` });
  }
  const [inResult, outResult] = await Promise.allSettled([input.start(), output.start()]);
  if (inResult.status === 'rejected') {
    post({ type: 'error', session: s.id, message: (inResult.reason as Error).message });
    void input.close().catch(() => {});
    input = new NullInput();
  }
  if (outResult.status === 'rejected') {
    post({ type: 'error', session: s.id, message: (outResult.reason as Error).message });
    void output.close().catch(() => {});
    output = new NullOutput();
  }
  return { input, output };
}

/** Issue 13: the speaker's sound picked up by the microphone is removed before it is sent (speexdsp). */
async function cancelEcho(s: Session, input: AudioInput, output: AudioOutput): Promise<Devices> {
  const { createNativeEchoCanceller } = await import('../audio/native-echo-canceller.node');
  const { withEchoCancellation } = await import('../audio/echo-cancelled-devices');
  const canceller = createNativeEchoCanceller(FRAME_SAMPLES, 8000);
  if ('error' in canceller) {
    log('warn', `echo cancellation off: ${canceller.error}`, { session: s.id });
    return { input, output };
  }
  log('debug', 'echo cancellation on (speexdsp, 250 ms tail after the measured delay, noise suppression)', { session: s.id });
  // A wideband call (issue 13) switches the card to 16 kHz: a canceller for that rate takes over.
  const atRate = (rate: number) => {
    const c = createNativeEchoCanceller(rate / 50, rate);
    if ('error' in c) log('warn', `echo cancellation off at ${rate} Hz: ${c.error}`, { session: s.id });
    return 'error' in c ? null : c;
  };
  return withEchoCancellation(input, output, canceller, atRate);
}

async function closeDevices(s: Session, devices: Devices): Promise<void> {
  // Sound cards report how often their buffers ran dry or over: the first thing to look at for choppy audio.
  for (const d of [devices.input, devices.output]) {
    const stats = (d as Partial<{ bufferStats: DeviceBufferStats }>).bufferStats;
    if (stats) log(stats.underflows > 0 ? 'info' : 'debug', 'audio device buffers', { session: s.id, device: d.name, ...stats });
  }
  const results = await Promise.allSettled([devices.input.close(), devices.output.close()]);
  for (const r of results) {
    if (r.status === 'rejected') post({ type: 'error', session: s.id, message: (r.reason as Error).message });
  }
}

function statsOf(s: Session): RtpStats {
  const stats = s.stream ? s.stream.stats() : { ...emptyStats(), discarded: s.early };
  if (s.nat) {
    const ice = s.nat.stats();
    stats.discarded = (stats.discarded ?? 0) + s.nat.discarded;
    if (s.options.nat?.ice) stats.ice = ice;
    const r = ice.selectedPair?.remote;
    if (s.iceActive && r) stats.remote = r.address.includes(':') ? `[${r.address}]:${r.port}` : `${r.address}:${r.port}`;
  }
  return stats;
}

async function close(s: Session): Promise<RtpStats> {
  s.closing = true;
  stopRinging(s);
  const stream = s.stream;
  stream?.close(now()); // RTCP BYE while the socket is still open
  const stats = statsOf(s);
  const natClosed = s.nat?.close(); // TURN allocations are deleted while the sockets are still open
  const recordingClosed = stopRecording(s, post);
  sessions.delete(s.id);
  if (![...sessions.values()].some((x) => x.stream || x.ring?.output)) clock.stop();
  // The stream's devices (a failed one already swapped for silence), or those opened for a call that never started.
  const devices = stream ? stream.devices : s.devices ? await s.devices : null;
  if (devices) await closeDevices(s, devices);
  await recordingClosed;
  await natClosed;
  await s.sockets.close();
  return stats;
}
