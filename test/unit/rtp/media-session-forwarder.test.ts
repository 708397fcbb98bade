// The one MediaSession decorator: forwards every method, keeps optional features optional, applies overrides.
import { describe, expect, it } from 'vitest';
import type { MediaSession, RtpStats } from '../../../src-main/rtp/media-session';
import { forwardMediaSession } from '../../../src-main/rtp/media-session-forwarder';

function innerSession(withOptional: boolean, log: string[]): MediaSession {
  const stats = { packetsSent: 7 } as unknown as RtpStats;
  const base: MediaSession = {
    bindAddress: '192.0.2.10',
    open: async () => {
      log.push('open');
      return { address: '192.0.2.10', port: 4000 } as never;
    },
    start: async () => void log.push('start'),
    update: async () => void log.push('update'),
    sendDtmf: (d) => void log.push(`dtmf ${d}`),
    setMuted: (m) => void log.push(`mute ${m}`),
    stats: async () => stats,
    close: async () => {
      log.push('close');
      return stats;
    },
    on: () => () => undefined,
  };
  if (!withOptional) return base;
  return {
    ...base,
    record: async (p) => void log.push(`record ${p}`),
    setGain: (i, o) => void log.push(`gain ${i} ${o}`),
    mixWith: () => {
      log.push('mix');
      return true;
    },
  };
}

describe('forwardMediaSession', () => {
  it('passes every call, optional features included, to the engine session', async () => {
    const log: string[] = [];
    const s = forwardMediaSession(innerSession(true, log));
    expect(s.bindAddress).toBe('192.0.2.10');
    await s.open();
    await s.start({} as never);
    await s.update({} as never);
    s.sendDtmf('5#');
    s.setMuted(true);
    await s.record!('/tmp/x.wav');
    s.setGain!(0.5, 2);
    expect(s.mixWith!(null)).toBe(true);
    expect((await s.close()) as unknown).toEqual({ packetsSent: 7 });
    expect(log).toEqual(['open', 'start', 'update', 'dtmf 5#', 'mute true', 'record /tmp/x.wav', 'gain 0.5 2', 'mix', 'close']);
  });

  it('does not claim recording, volume or mixing the engine lacks', () => {
    const s = forwardMediaSession(innerSession(false, []));
    expect(s.record).toBeUndefined();
    expect(s.setGain).toBeUndefined();
    expect(s.mixWith).toBeUndefined();
  });

  it('lets the decorator replace a method and forwards the rest', async () => {
    const log: string[] = [];
    const s = forwardMediaSession(innerSession(true, log), {
      close: async () => {
        log.push('released slot');
        return { packetsSent: 0 } as unknown as RtpStats;
      },
    });
    s.setMuted(false);
    expect(((await s.close()) as unknown as { packetsSent: number }).packetsSent).toBe(0);
    expect(log).toEqual(['mute false', 'released slot']);
  });
});
