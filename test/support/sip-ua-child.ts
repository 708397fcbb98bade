// A UserAgent (the product's createUserAgent) in its own process, so a test can run it inside a network
// namespace (`ip netns exec NS node sip-ua-child.cjs CONFIG`). Events go out as JSON lines on stdout;
// commands come in as JSON lines on stdin. Media is a stand-in that binds nothing: these tests are
// about signalling. Not product code.
import { createInterface } from 'node:readline';
import { createUserAgent } from '../../src-main/sip/user-agent.node';
import type { Call, UserAgentConfig } from '../../src-main/sip/user-agent-api';
import type { MediaSession, MediaSessionEvents, RtpStats } from '../../src-main/rtp/media-session';
import { Emitter } from '../../src-main/util/emitter';
import { setLogSink } from '../../src-main/util/logger';

export type ChildConfig = Omit<UserAgentConfig, 'createMedia'> & { register: boolean };
export type ChildCommand = { cmd: 'call'; target: string } | { cmd: 'reject'; status: 486 | 603 } | { cmd: 'quit' };

const STATS: RtpStats = { codec: null, packetsSent: 0, octetsSent: 0, packetsReceived: 0, octetsReceived: 0, packetsLost: 0, duplicates: 0, late: 0, jitterMs: 0, remote: null, maxSendGapMs: 0 };

/** Signalling-only media: an SDP port, nothing sent. */
class SilentMedia implements MediaSession {
  private readonly events = new Emitter<MediaSessionEvents>();
  async open() {
    return { address: '0.0.0.0', rtpPort: 40000, rtcpPort: 40001 };
  }
  async start() {}
  async update() {}
  sendDtmf() {}
  setMuted() {}
  async stats() {
    return STATS;
  }
  async close() {
    return STATS;
  }
  on<K extends keyof MediaSessionEvents>(event: K, listener: (p: MediaSessionEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }
}

function emit(event: string, data: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, time: Date.now(), ...data })}\n`);
}

async function main(): Promise<void> {
  // The product's logs on stderr (the test prints them when it fails); stdout stays one event per line.
  setLogSink((level, scope, msg, data) => process.stderr.write(`${level} ${scope}: ${msg}${data ? ` ${JSON.stringify(data)}` : ''}\n`), 'info');
  const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
  const ua = createUserAgent({ ...config, createMedia: () => new SilentMedia() });
  const incoming: Call[] = [];
  ua.on('registration', (s) => emit('registration', { ...s }));
  ua.on('publicAddress', (p) => emit('publicAddress', { ...p }));
  ua.on('warning', (w) => emit('warning', { ...w }));
  ua.on('trace', (t) => emit('trace', { direction: t.direction, summary: t.summary, remote: t.remote, raw: t.raw }));
  ua.on('incoming', (call) => {
    incoming.push(call);
    emit('incoming', { id: call.id, from: call.remoteUri });
  });
  const bound = await ua.start();
  emit('started', { ...bound });
  if (config.register) void ua.register();

  const quit = async (): Promise<void> => {
    await ua.shutdown();
    emit('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void quit());
  createInterface({ input: process.stdin }).on('line', (line) => {
    let c: ChildCommand;
    try {
      c = JSON.parse(line) as ChildCommand;
    } catch {
      emit('error', { message: `bad command: ${line}` });
      return;
    }
    if (c.cmd === 'call') {
      const call = ua.call(c.target);
      call.on('state', (state) => emit('call-state', { id: call.id, state }));
      call.on('ended', (info) => emit('call-ended', { id: call.id, reason: info.reason, status: info.status ?? null }));
    } else if (c.cmd === 'reject') {
      incoming.shift()?.reject(c.status);
    } else if (c.cmd === 'quit') {
      void quit();
    }
  });
}

main().catch((err: unknown) => {
  emit('error', { message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
