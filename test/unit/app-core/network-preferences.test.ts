// Topology/Transport preferences: server syntax, even RTP ports, TURN credentials, and what the user agent
// (keep-alive) and the media (STUN/TURN/ICE) are given.
import { describe, expect, it } from 'vitest';
import {
  keepAliveConfig,
  mediaNatOptions,
  natTestServers,
  nextTurnPasswordBlob,
  parseServerAddress,
  preferenceProblems,
  toPreferences,
  userAgentSettingsChanged,
} from '../../../src-main/app-core/network-preferences';
import type { Preferences, PreferencesForm } from '../../../src-main/ipc/contract';
import { DEFAULT_PREFERENCES } from '../../../src-main/settings/settings-schema';

const prefs = (over: Partial<Preferences> = {}): Preferences => ({ ...DEFAULT_PREFERENCES, ...over });
const form = (over: Partial<PreferencesForm> = {}): PreferencesForm => ({ ...DEFAULT_PREFERENCES, ...over });

describe('parseServerAddress', () => {
  it('takes host, host:port, IPv4, [IPv6]:port and bare IPv6, with 3478 as the default port', () => {
    expect(parseServerAddress('stun.example.com')).toEqual({ host: 'stun.example.com', port: 3478 });
    expect(parseServerAddress(' stun.example.com:19302 ')).toEqual({ host: 'stun.example.com', port: 19302 });
    expect(parseServerAddress('192.0.2.7:3479')).toEqual({ host: '192.0.2.7', port: 3479 });
    expect(parseServerAddress('[2001:db8::1]:5349')).toEqual({ host: '2001:db8::1', port: 5349 });
    expect(parseServerAddress('[2001:db8::1]')).toEqual({ host: '2001:db8::1', port: 3478 });
    expect(parseServerAddress('2001:db8::1')).toEqual({ host: '2001:db8::1', port: 3478 });
  });

  it('refuses what is not a server address', () => {
    for (const bad of ['', 'stun example.com', 'stun.example.com:0', 'stun.example.com:65536', 'stun.example.com:x', 'host:1:2', '[192.0.2.1]:3478', '-bad-.com', 'a..b', '[::1', 'stun:3478:']) {
      expect(parseServerAddress(bad), bad).toBeNull();
    }
  });
});

describe('preferenceProblems', () => {
  it('accepts the defaults and a full TURN set-up', () => {
    expect(preferenceProblems(form(), false)).toEqual({});
    expect(preferenceProblems(form({ stunServer: 'stun.example.com', turnServer: 'turn.example.com:3478', turnUser: 'alice', turnPassword: 'pw', iceEnabled: true }), false)).toEqual({});
  });

  it('wants an even first RTP port and a last port above it (RFC 3550 §11)', () => {
    expect(preferenceProblems(form({ rtpPortMin: 10001, rtpPortMax: 20000 }), false)).toEqual({ rtpPortMin: expect.stringContaining('even') });
    expect(preferenceProblems(form({ rtpPortMin: 20000, rtpPortMax: 20000 }), false)).toEqual({ rtpPortMax: 'must be above the lowest RTP port' });
    expect(preferenceProblems(form({ rtpPortMin: 20000, rtpPortMax: 20001 }), false)).toEqual({});
  });

  it('names the bad server field and the missing TURN credentials', () => {
    expect(preferenceProblems(form({ stunServer: 'stun.example.com:99999' }), false)).toEqual({ stunServer: expect.stringContaining('host name') });
    expect(preferenceProblems(form({ turnServer: 'turn.example.com' }), false)).toEqual({
      turnUser: 'a user name is needed for the TURN server',
      turnPassword: 'a password is needed for the TURN server',
    });
    // A stored password is kept by an empty field, like the SIP password.
    expect(preferenceProblems(form({ turnServer: 'turn.example.com', turnUser: 'alice', turnPassword: '' }), true)).toEqual({});
  });
});

describe('turning preferences into SIP and media options', () => {
  it('keeps the password out of the stored preferences and trims the servers', () => {
    const stored = toPreferences(form({ stunServer: ' stun.example.com ', turnPassword: 'secret' }));
    expect(stored).not.toHaveProperty('turnPassword');
    expect(stored.stunServer).toBe('stun.example.com');
  });

  it('replaces the TURN password blob on a new password, keeps it on none, drops it with the TURN server', () => {
    const enc = (t: string) => `enc:${t}`;
    expect(nextTurnPasswordBlob(form({ turnServer: 't.example.com', turnPassword: 'new' }), 'enc:old', enc)).toBe('enc:new');
    expect(nextTurnPasswordBlob(form({ turnServer: 't.example.com' }), 'enc:old', enc)).toBe('enc:old');
    expect(nextTurnPasswordBlob(form({ turnServer: '', turnPassword: 'x' }), 'enc:old', enc)).toBe('');
  });

  it('gives the user agent the keep-alive method and interval', () => {
    expect(keepAliveConfig(prefs())).toEqual({ method: 'options', intervalSeconds: 25 });
    expect(keepAliveConfig(prefs({ keepAliveMethod: 'crlf', keepAliveSeconds: 90 }))).toEqual({ method: 'crlf', intervalSeconds: 90 });
  });

  it('gives the media STUN without ICE, and TURN only with ICE and credentials', () => {
    expect(mediaNatOptions(prefs(), '')).toBeUndefined();
    expect(mediaNatOptions(prefs({ stunServer: 'stun.example.com' }), '')).toEqual({ ice: false, stun: { host: 'stun.example.com', port: 3478 } });
    const turnPrefs = prefs({ stunServer: '127.0.0.1:3478', turnServer: '127.0.0.1:3479', turnUser: 'alice' });
    expect(mediaNatOptions(turnPrefs, 'pw')).toEqual({ ice: false, stun: { host: '127.0.0.1', port: 3478 } });
    expect(mediaNatOptions({ ...turnPrefs, iceEnabled: true }, 'pw')).toEqual({
      ice: true,
      stun: { host: '127.0.0.1', port: 3478 },
      turn: { host: '127.0.0.1', port: 3479, username: 'alice', password: 'pw' },
    });
    expect(mediaNatOptions({ ...turnPrefs, iceEnabled: true }, '')).toEqual({ ice: true, stun: { host: '127.0.0.1', port: 3478 } });
  });

  it('tests NAT against the STUN server, with a different TURN server as the second destination', () => {
    expect(natTestServers(prefs())).toBeNull();
    expect(natTestServers(prefs({ stunServer: 'stun.example.com' }))).toEqual({ primary: { host: 'stun.example.com', port: 3478 }, primaryText: 'stun.example.com' });
    expect(natTestServers(prefs({ stunServer: 'a.example.com', turnServer: 'b.example.com' }))?.secondary).toEqual({ host: 'b.example.com', port: 3478 });
    expect(natTestServers(prefs({ stunServer: 'a.example.com', turnServer: 'a.example.com:3478' }))?.secondary).toBeUndefined();
    expect(natTestServers(prefs({ turnServer: 'turn.example.com' }))?.primary).toEqual({ host: 'turn.example.com', port: 3478 });
  });

  it('re-creates the user agent only for the SIP port (unless fixed for the run) and keep-alives', () => {
    expect(userAgentSettingsChanged(prefs(), prefs({ stunServer: 'x.example.com', rtpPortMin: 20000, rtpPortMax: 30000 }), false)).toBe(false);
    expect(userAgentSettingsChanged(prefs(), prefs({ sipPort: 5070 }), false)).toBe(true);
    expect(userAgentSettingsChanged(prefs(), prefs({ sipPort: 5070 }), true)).toBe(false);
    expect(userAgentSettingsChanged(prefs(), prefs({ keepAliveSeconds: 60 }), true)).toBe(true);
    expect(userAgentSettingsChanged(prefs(), prefs({ keepAliveMethod: 'off' }), false)).toBe(true);
  });
});
