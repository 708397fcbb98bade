// A private PulseAudio daemon for tests: its own runtime dir, null sinks as "sound cards" (paced in real
// time, unlike ALSA's file/null plugins), the ALSA->pulse routing for PortAudio children, and helpers to
// play a WAV into a sink (the microphone hears it) and to record a sink's monitor (what was played).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PulseHarness {
  /** Unix socket path of the daemon (PULSE_SERVER=unix:<this>). */
  readonly socket: string;
  readonly sinks: readonly string[];
  /** Environment for a child using PortAudio/ALSA: its default playback is `sink`, its default capture `source`. */
  env(opts?: { sink?: string; source?: string; base?: NodeJS.ProcessEnv }): NodeJS.ProcessEnv;
  /** Plays a WAV into `sink` at low latency; resolves when paplay has started. */
  play(wavPath: string, sink: string): Promise<{ stop(): Promise<void>; done: Promise<number | null> }>;
  /** Records `source` (e.g. 'spk.monitor') as 8 kHz mono PCM16 until stop(), which returns the samples. */
  record(source: string): Promise<{ stop(): Promise<Int16Array> }>;
  /** pactl against this daemon (stdout), e.g. ['list', 'short', 'sinks']. */
  pactl(args: string[]): string;
  /** Kills the daemon as a crash would (tests of a sound server dying mid-call). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** False when the pulseaudio binary is missing (then tests skip, loudly). */
export function pulseAudioAvailable(): boolean {
  const r = spawnSync('pulseaudio', ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

/**
 * Starts the daemon with one null sink per name (default: 'spk' = speaker, 'micfeed' = microphone feed).
 * `alsaDevices`: these sinks also become ALSA devices of their own name (`pcm.NAME { type pulse device
 * NAME }`), so PortAudio lists them as separate output devices, as a desktop lists two sound cards.
 * Without them PortAudio sees only "pulse" and "default" (one device, whose sink PULSE_SINK picks for
 * the whole process), which cannot tell a ring device from the speaker.
 */
export async function startPulseAudio(opts: { sinks?: string[]; alsaDevices?: string[] } = {}): Promise<PulseHarness> {
  const sinks = opts.sinks ?? ['spk', 'micfeed'];
  const root = mkdtempSync(join(tmpdir(), 'pulse-'));
  const runtime = join(root, 'run');
  const home = join(root, 'home');
  const socket = join(runtime, 'native');
  for (const d of [runtime, home]) spawnSync('mkdir', ['-p', '-m', '700', d]);
  // A private ALSA configuration: only the pulse plugin, so PortAudio finds "pulse"/"default" at once
  // and never probes hardware, JACK or OSS (and /root/.asoundrc is never touched).
  const alsaConf = join(root, 'asound.conf');
  const perSink = (opts.alsaDevices ?? []).map((name) => `pcm.${name} { type pulse device ${name} hint { show on description "${name}" } }\n`).join('');
  writeFileSync(alsaConf, 'pcm.!default { type pulse }\nctl.!default { type pulse }\npcm.pulse { type pulse }\nctl.pulse { type pulse }\n' + perSink);
  const daemonEnv: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: join(home, '.config') };
  delete daemonEnv.PULSE_SERVER;
  const args = [
    '--daemonize=no', '--exit-idle-time=-1', '--system=false', '-n', '--log-target=stderr', '--log-level=warning',
    // The socket lives in our private directory, so anonymous access is no wider than the directory.
    `--load=module-native-protocol-unix socket=${socket} auth-anonymous=1`,
    ...sinks.map((s) => `--load=module-null-sink sink_name=${s} rate=48000`),
    '--load=module-always-sink',
  ];
  // Real-time priority, as a desktop's PulseAudio gets through rtkit (realtime-scheduling, priority 5):
  // at normal priority a loaded machine starves the sound server itself, and the gaps it leaves would
  // be blamed on the phone. Only where we may (root, chrt present); otherwise as before.
  const rt = process.getuid?.() === 0 && spawnSync('chrt', ['--version'], { stdio: 'ignore' }).status === 0;
  const daemon: ChildProcess = rt
    ? spawn('chrt', ['--rr', '5', 'pulseaudio', ...args], { env: daemonEnv, stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn('pulseaudio', args, { env: daemonEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  daemon.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  let exited = false;
  const exit = new Promise<void>((r) => daemon.on('exit', () => ((exited = true), r())));
  const clientEnv = (base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv => ({
    ...base,
    PULSE_SERVER: `unix:${socket}`,
    PULSE_RUNTIME_PATH: runtime,
    ALSA_CONFIG_PATH: alsaConf,
  });
  const pactl = (a: string[]): string => {
    const r = spawnSync('pactl', a, { env: clientEnv(), encoding: 'utf8', timeout: 15_000 });
    if (r.status !== 0) throw new Error(`pactl ${a.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited) throw new Error(`pulseaudio exited at start:\n${log}`);
    try {
      if (pactl(['info']).includes('Server Name')) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      daemon.kill('SIGKILL');
      throw new Error(`pulseaudio did not come up in 15 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const children = new Set<ChildProcess>();
  const stopChild = async (c: ChildProcess): Promise<void> => {
    if (c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  };

  const harness: PulseHarness = {
    socket,
    sinks,
    env: (o = {}) => ({
      ...clientEnv(o.base),
      PULSE_SINK: o.sink ?? sinks[0],
      PULSE_SOURCE: o.source ?? `${sinks[1] ?? sinks[0]}.monitor`,
      // Small client buffers: a null sink renders in blocks of its clients' latency (else up to 2 s).
      PULSE_LATENCY_MSEC: '30',
    }),
    pactl,
    async play(wavPath, sink) {
      const before = count(pactl(['list', 'short', 'sink-inputs']));
      const p = spawn('paplay', ['--latency-msec=200', `--device=${sink}`, wavPath], { env: clientEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
      children.add(p);
      let err = '';
      p.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      const done = new Promise<number | null>((r) => p.on('exit', (code) => (children.delete(p), r(code))));
      // paplay shows up as a sink input once it plays.
      await waitUntil(() => p.exitCode !== null || count(pactl(['list', 'short', 'sink-inputs'])) > before, 15_000);
      if (p.exitCode !== null && p.exitCode !== 0) throw new Error(`paplay failed: ${err}`);
      return { stop: () => stopChild(p), done };
    },
    async record(source) {
      const before = count(pactl(['list', 'short', 'source-outputs']));
      const p = spawn('parec', ['--raw', '--latency-msec=200', `--device=${source}`, '--rate=8000', '--channels=1', '--format=s16le'], {
        env: clientEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(p);
      const chunks: Buffer[] = [];
      p.stdout?.on('data', (d: Buffer) => chunks.push(d));
      p.on('exit', () => children.delete(p));
      await waitUntil(() => p.exitCode !== null || count(pactl(['list', 'short', 'source-outputs'])) > before, 15_000);
      if (p.exitCode !== null) throw new Error(`parec could not record ${source}`);
      return {
        async stop() {
          await stopChild(p);
          const all = Buffer.concat(chunks);
          const samples = new Int16Array(Math.floor(all.length / 2));
          for (let i = 0; i < samples.length; i++) samples[i] = all.readInt16LE(i * 2);
          return samples;
        },
      };
    },
    async kill() {
      if (!exited) daemon.kill('SIGKILL');
      await exit;
    },
    async stop() {
      await Promise.all([...children].map(stopChild));
      if (!exited) {
        daemon.kill('SIGTERM');
        const timer = setTimeout(() => daemon.kill('SIGKILL'), 3000);
        await exit;
        clearTimeout(timer);
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
  return harness;
}

function count(listing: string): number {
  return listing.split('\n').filter((l) => l.trim().length > 0).length;
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
