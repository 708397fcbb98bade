// A child process that runs one MediaSession (bundled by media-child-runner.ts, run without vitest) and
// takes orders over the IPC channel: open, start, block its own main thread, list devices, close.
import { createMediaSession } from '../../src-main/rtp/media-session.node';
import type { MediaSession, MediaSessionOptions, MediaStartParams } from '../../src-main/rtp/media-session';

export type ChildCommand =
  | { cmd: 'open'; options: MediaSessionOptions }
  | { cmd: 'start'; params: MediaStartParams }
  | { cmd: 'block'; ms: number }
  | { cmd: 'stats' }
  | { cmd: 'devices' }
  | { cmd: 'close' };

export type ChildReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
export type ChildEvent = { event: 'error' | 'latched' | 'level'; payload: unknown };

let session: MediaSession | null = null;

async function run(c: ChildCommand): Promise<unknown> {
  switch (c.cmd) {
    case 'open': {
      session = createMediaSession(c.options);
      session.on('error', (payload) => process.send?.({ event: 'error', payload }));
      session.on('latched', (payload) => process.send?.({ event: 'latched', payload }));
      return session.open();
    }
    case 'start':
      return session?.start(c.params);
    case 'block': {
      // Busy main thread (a heavy UI render, a sync file read): the media thread must not notice.
      const start = performance.timeOrigin + performance.now();
      const until = performance.now() + c.ms;
      let spins = 0;
      while (performance.now() < until) spins++;
      return { startMs: start, endMs: performance.timeOrigin + performance.now(), spins };
    }
    case 'stats':
      return session?.stats();
    case 'devices': {
      const { listAudioDevices } = await import('../../src-main/audio/portaudio-device.node');
      return listAudioDevices();
    }
    case 'close': {
      const stats = await session?.close();
      setImmediate(() => process.disconnect?.());
      return stats;
    }
  }
}

process.on('message', (m: { id: number } & ChildCommand) => {
  run(m).then(
    (result) => process.send?.({ id: m.id, ok: true, result: result ?? null }),
    (err: unknown) => process.send?.({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
