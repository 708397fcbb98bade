// The CLI's small pure helpers: event lines, account and audio settings, retry policy, media tracking.
import { describe, expect, it, vi } from 'vitest';
import { formatEvent, parseEventLine } from '../../../src-main/cli/cli-events';
import { accountSettingsFrom, audioConfigFor, numberedPath } from '../../../src-main/cli/cli-config';
import { isPermanentFailure, retryDelaySeconds } from '../../../src-main/cli/registration-report';
import { MediaTracker } from '../../../src-main/cli/media-tracker';
import type { MediaSession, MediaStartParams, RtpStats } from '../../../src-main/rtp/media-session';

describe('event lines', () => {
  it('puts event first and time last, drops undefined fields, and parses back', () => {
    const line = formatEvent(
      { event: 'registration_failed', reason: '403 Forbidden', status: 403, retryInSeconds: undefined },
      new Date('2025-01-02T03:04:05.678Z'),
    );
    expect(line).toBe('{"event":"registration_failed","reason":"403 Forbidden","status":403,"time":"2025-01-02T03:04:05.678Z"}');
    expect(line).not.toContain('\n');
    expect(parseEventLine(line)).toMatchObject({ event: 'registration_failed', status: 403 });
    expect(parseEventLine('not json')).toBeNull();
    expect(parseEventLine('[1,2]')).toBeNull();
    expect(parseEventLine('{"event":"x"}')).toBeNull();
  });
});

describe('settings from flags', () => {
  it('builds X-Lite account settings, proxy or domain', () => {
    expect(accountSettingsFrom({ register: true, expires: 600 })).toBeUndefined();
    const a = accountSettingsFrom({ user: 'alice', domain: 'pbx:5070', password: 'pw', proxy: '10.0.0.1', register: false, expires: 300 });
    expect(a).toEqual({
      accountName: 'alice', userId: 'alice', domain: 'pbx:5070', password: 'pw', displayName: '', authorizationName: '',
      registerWithDomain: false, sendOutboundVia: 'proxy', proxyAddress: '10.0.0.1', dialPlan: '', registerExpires: 300,
    });
    expect(accountSettingsFrom({ user: 'b', domain: 'd', register: true, expires: 600 })?.sendOutboundVia).toBe('domain');
  });

  it('numbers recordings per call', () => {
    expect(numberedPath('out.wav', 1)).toBe('out.wav');
    expect(numberedPath('out.wav', 3)).toBe('out-3.wav');
    expect(numberedPath('/tmp/a.b/rec', 2)).toBe('/tmp/a.b/rec-2');
    expect(numberedPath('C:\\x\\call.wav', 2)).toBe('C:\\x\\call-2.wav');
  });

  it('uses the sound card unless a file is given, then the file device', () => {
    expect(audioConfigFor({ loop: false, echoCancellation: true }, 1)).toEqual({ kind: 'portaudio', echoCancellation: true });
    expect(audioConfigFor({ loop: false, echoCancellation: false }, 1)).toEqual({ kind: 'portaudio', echoCancellation: false });
    expect(audioConfigFor({ play: 'in.wav', loop: true, echoCancellation: true }, 2)).toEqual({ kind: 'file', play: 'in.wav', loop: true });
    expect(audioConfigFor({ record: 'o.wav', loop: false, echoCancellation: true }, 2)).toEqual({ kind: 'file', record: 'o-2.wav' });
  });
});

describe('registration retry policy', () => {
  it('gives up on rejections, retries timeouts and server trouble with back-off', () => {
    expect(isPermanentFailure({ state: 'failed', reason: '403 Forbidden', status: 403 })).toBe(true);
    expect(isPermanentFailure({ state: 'failed', reason: '401 Unauthorized', status: 401 })).toBe(true);
    expect(isPermanentFailure({ state: 'failed', reason: '603 Decline', status: 603 })).toBe(true);
    expect(isPermanentFailure({ state: 'failed', reason: 'timeout' })).toBe(false);
    expect(isPermanentFailure({ state: 'failed', reason: '408', status: 408 })).toBe(false);
    expect(isPermanentFailure({ state: 'failed', reason: '503', status: 503 })).toBe(false);
    expect([1, 2, 3, 4, 6, 7, 20].map(retryDelaySeconds)).toEqual([5, 10, 20, 40, 160, 300, 300]);
  });
});

function fakeSession(): MediaSession & { closes: number } {
  const stats: RtpStats = {
    codec: null, packetsSent: 0, octetsSent: 0, packetsReceived: 0, octetsReceived: 0, packetsLost: 0, duplicates: 0,
    late: 0, jitterMs: 0, remote: null, maxSendGapMs: 0,
  };
  return {
    closes: 0,
    open: async () => ({ address: '0.0.0.0', rtpPort: 10000, rtcpPort: 10001 }),
    start: async () => {},
    update: async () => {},
    sendDtmf: () => {},
    setMuted: () => {},
    stats: async () => stats,
    async close() {
      this.closes++;
      return stats;
    },
    on: () => () => {},
  };
}

describe('MediaTracker', () => {
  const params: MediaStartParams = { remoteAddress: '127.0.0.1', remotePort: 4000, codec: 'PCMA', payloadType: 8, ptime: 20 };

  it('numbers sessions, learns the codec at start, and closes what the UA left open', async () => {
    vi.useFakeTimers();
    const made: Array<ReturnType<typeof fakeSession>> = [];
    const indexes: number[] = [];
    const tracker = new MediaTracker((i) => {
      indexes.push(i);
      const s = fakeSession();
      made.push(s);
      return s;
    });
    const a = tracker.create();
    tracker.create();
    expect(indexes).toEqual([1, 2]);
    const soon = tracker.codecSoon(1000);
    await a.start(params);
    expect(await soon).toBe('PCMA');
    expect(await tracker.codecSoon(1000)).toBe('PCMA');
    await a.close();
    const none = tracker.codecSoon(1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await none).toBeNull();
    await tracker.closeAll(100);
    expect(made.map((s) => s.closes)).toEqual([1, 1]);
    vi.useRealTimers();
  });
});
