// The app core's issue-4 side against a scripted user agent: Topology preferences reach the user agent
// (keep-alive) and the media (STUN/TURN/ICE), the TURN password is write-only, the Network status follows
// the user agent's events, and "Test NAT" runs the injected prober.
import { describe, expect, it } from 'vitest';
import { asSoftphoneApi, createAppCore } from '../../../src-main/app-core/app-core';
import type { NatProbeRequest, NatProbeResult } from '../../../src-main/app-core/nat-check-report';
import type { NetworkStatus, PreferencesForm } from '../../../src-main/ipc/contract';
import type { MediaSessionOptions } from '../../../src-main/rtp/media-session';
import { createPlainSecretBox, type SecretBox } from '../../../src-main/settings/secret-box';
import { defaultSettings } from '../../../src-main/settings/settings-schema';
import { createMemoryStore } from '../../../src-main/settings/settings-store';
import { FakeMedia, FakeUserAgent } from './fake-user-agent';

const sender = { transport: 'internal' as const, id: 'test' };

/** A box that "encrypts" visibly, standing in for the OS keychain. */
const keychain: SecretBox = {
  available: true,
  storage: 'keychain',
  encrypt: (t) => `kc:${Buffer.from(t).toString('hex')}`,
  decrypt: (b) => Buffer.from(b.slice(3), 'hex').toString(),
};

function setup(opts: { store?: ReturnType<typeof createMemoryStore>; probe?: (r: NatProbeRequest) => Promise<NatProbeResult>; box?: SecretBox } = {}) {
  const agents: FakeUserAgent[] = [];
  const media: FakeMedia[] = [];
  const store = opts.store ?? createMemoryStore();
  const probes: NatProbeRequest[] = [];
  const core = createAppCore({
    store,
    secretBox: opts.box ?? createPlainSecretBox(),
    createUserAgent: (config) => {
      const ua = new FakeUserAgent(config);
      agents.push(ua);
      return ua;
    },
    createMedia: (options: MediaSessionOptions) => {
      const m = new FakeMedia(options);
      media.push(m);
      return m;
    },
    listAudioDevices: () => [],
    probeNat: async (request) => {
      probes.push(request);
      if (!opts.probe) throw new Error('no prober in this test');
      return opts.probe(request);
    },
    bindAddress: '127.0.0.1',
    version: '1.0.0',
  });
  const network: NetworkStatus[] = [];
  core.on('network.changed', (s) => network.push(s));
  return { core, api: asSoftphoneApi(core), agents, media, store, probes, network };
}

const ok = async <T,>(p: Promise<{ ok: true; value: T } | { ok: false; error: unknown }>): Promise<T> => {
  const r = await p;
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
};

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('app core: Topology preferences', () => {
  it('starts the user agent with the default keep-alive and re-creates it when the keep-alive changes', async () => {
    const t = setup();
    await t.core.start();
    expect(t.agents[0]?.config.keepAlive).toEqual({ method: 'options', intervalSeconds: 25 });
    const prefs = await ok(t.api.request('preferences.get', {}));
    expect(prefs).toMatchObject({ keepAliveMethod: 'options', keepAliveSeconds: 25, iceEnabled: false, stunServer: '', hasTurnPassword: false });
    await ok(t.api.request('preferences.save', { ...prefs, stunServer: 'stun.example.com' }));
    await settle();
    expect(t.agents).toHaveLength(1);
    await ok(t.api.request('preferences.save', { ...prefs, keepAliveMethod: 'crlf', keepAliveSeconds: 60 }));
    await settle();
    expect(t.agents).toHaveLength(2);
    expect(t.agents[1]?.config.keepAlive).toEqual({ method: 'crlf', intervalSeconds: 60 });
  });

  it('keeps the TURN password write-only: stored through the SecretBox, never in get, save or the snapshot', async () => {
    const t = setup({ box: keychain });
    await t.core.start();
    const prefs = await ok(t.api.request('preferences.get', {}));
    const form: PreferencesForm = { ...prefs, stunServer: '127.0.0.1:3478', turnServer: '127.0.0.1:3479', turnUser: 'alice', turnPassword: 's3cret', iceEnabled: true };
    const saved = await ok(t.api.request('preferences.save', form));
    expect(saved.hasTurnPassword).toBe(true);
    expect(JSON.stringify(saved)).not.toContain('s3cret');
    expect(JSON.stringify(t.core.snapshot())).not.toContain('s3cret');
    expect(t.store.saved.settings.turnPasswordBlob).toBe(keychain.encrypt('s3cret', 'turn-password'));
    expect(JSON.stringify(t.store.saved.settings)).not.toContain('s3cret');

    // The next call's media gets STUN, TURN with the decrypted password, and ICE.
    await ok(t.api.request('call.dial', { target: 'bob@127.0.0.1' }));
    expect(t.media.at(-1)?.options.nat).toEqual({
      ice: true,
      stun: { host: '127.0.0.1', port: 3478 },
      turn: { host: '127.0.0.1', port: 3479, username: 'alice', password: 's3cret' },
    });

    // Saving again without a password keeps it; removing the TURN server drops it.
    const { hasTurnPassword: _h, ...again } = saved;
    await ok(t.api.request('preferences.save', { ...again, turnUser: 'alice2' }));
    expect(t.store.saved.settings.turnPasswordBlob).toBe(keychain.encrypt('s3cret', 'turn-password'));
    const cleared = await ok(t.api.request('preferences.save', { ...again, turnServer: '', turnUser: '' }));
    expect(cleared.hasTurnPassword).toBe(false);
    expect(t.store.saved.settings.turnPasswordBlob).toBe('');
  });

  it('puts field messages on bad Topology and Transport values and saves nothing', async () => {
    const t = setup();
    await t.core.start();
    const prefs = await ok(t.api.request('preferences.get', {}));
    const bad = await t.core.handle('preferences.save', { ...prefs, rtpPortMin: 10001, turnServer: 'turn.example.com', stunServer: 'a b' }, sender);
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    // zod catches the space first (before any handler runs).
    expect(bad.error.fields).toEqual({ stunServer: expect.any(String) });
    const bad2 = await t.core.handle('preferences.save', { ...prefs, rtpPortMin: 10001, turnServer: 'turn.example.com' }, sender);
    expect(bad2).toEqual({
      ok: false,
      error: { code: 'invalid-request', message: 'invalid preferences', fields: { rtpPortMin: expect.stringContaining('even'), turnUser: expect.any(String), turnPassword: expect.any(String) } },
    });
    const range = await t.core.handle('preferences.save', { ...prefs, keepAliveSeconds: 301 }, sender);
    expect(range).toMatchObject({ ok: false, error: { fields: { keepAliveSeconds: 'between 10 and 300 seconds' } } });
    expect(t.store.saved.settings.preferences).toEqual(defaultSettings().preferences);
  });

  it('moves a TURN password saved in headless mode into the keychain at start', async () => {
    const plain = createPlainSecretBox();
    const store = createMemoryStore({ settings: { ...defaultSettings(), turnPasswordBlob: plain.encrypt('pw', 'turn-password') } });
    const t = setup({ store, box: keychain });
    await t.core.start();
    expect(store.saved.settings.turnPasswordBlob).toBe(keychain.encrypt('pw', 'turn-password'));
  });
});

describe('app core: network status and Test NAT', () => {
  it('reports the SIP socket, the registrar view and the NAT warning until a request arrives', async () => {
    const t = setup();
    await t.core.start();
    expect(t.core.snapshot().network).toEqual({ sipLocal: { address: '127.0.0.1', port: 5060 }, publicAddress: null, unreachableWarning: null });
    const ua = t.agents[0] as FakeUserAgent;
    const seen = { address: '203.0.113.9', port: 61000, local: { address: '192.168.1.20', port: 5060 }, behindNat: true };
    ua.events.emit('publicAddress', seen);
    ua.events.emit('warning', { message: 'bad datagram from 10.0.0.1' });
    ua.events.emit('warning', { message: 'Registered, but the server’s calls cannot reach this PC', code: 'nat-unreachable' });
    expect(t.network.at(-1)).toEqual({ sipLocal: { address: '127.0.0.1', port: 5060 }, publicAddress: seen, unreachableWarning: 'Registered, but the server’s calls cannot reach this PC' });
    expect(t.core.snapshot().network.unreachableWarning).toContain('cannot reach');
    ua.events.emit('trace', { direction: 'in', time: 0, remote: '203.0.113.1:5060', callId: 'k', summary: 'OPTIONS', raw: '' });
    expect(t.network.at(-1)?.unreachableWarning).toBeNull();
    await t.core.shutdown();
    expect(t.network.at(-1)?.sipLocal).toBeNull();
  });

  it('runs Test NAT from the RTP range against the STUN server; the SIP mapping comes from the registrar', async () => {
    const pub = { address: '203.0.113.9', port: 40000 };
    const t = setup({
      probe: async (r) => ({
        behavior: 'endpoint-independent',
        publicAddress: pub,
        portPreserved: false,
        summary: 'Endpoint-independent mapping: …',
        local: { address: '127.0.0.1', port: 'exact' in r.ports ? r.ports.exact : r.ports.min },
        server: { address: '198.51.100.1', port: 3478 },
        results: [],
      }),
    });
    await t.core.start();
    const noServer = await t.core.handle('network.check', {}, sender);
    expect(noServer).toEqual({ ok: false, error: { code: 'failed', message: expect.stringContaining('no STUN server') } });
    const prefs = await ok(t.api.request('preferences.get', {}));
    await ok(t.api.request('preferences.save', { ...prefs, stunServer: 'stun.example.com', turnServer: 'turn.example.com:3479', turnUser: 'u', turnPassword: 'p', rtpPortMin: 30000, rtpPortMax: 30010 }));
    (t.agents[0] as FakeUserAgent).events.emit('publicAddress', { address: '203.0.113.9', port: 61000, local: { address: '192.168.1.20', port: 5060 }, behindNat: true });
    // Two presses while one test runs: one set of probes.
    const [report, second] = await Promise.all([ok(t.api.request('network.check', {})), ok(t.api.request('network.check', {}))]);
    expect(second).toEqual(report);
    expect(t.probes).toEqual([
      { stun: { host: 'stun.example.com', port: 3478 }, secondary: { host: 'turn.example.com', port: 3479 }, bindAddress: '127.0.0.1', ports: { min: 30000, max: 30010 } },
    ]);
    expect(report).toMatchObject({
      server: 'stun.example.com',
      behavior: 'endpoint-independent',
      endpointIndependent: true,
      rtp: { local: { address: '127.0.0.1', port: 30000 }, mapped: pub, source: 'stun' },
      sip: { local: { address: '192.168.1.20', port: 5060 }, mapped: { address: '203.0.113.9', port: 61000 }, source: 'registrar' },
    });
  });

  it('turns a prober failure into a plain ApiError', async () => {
    const t = setup({
      probe: async () => {
        throw new Error('getaddrinfo ENOTFOUND stun.invalid');
      },
    });
    await t.core.start();
    const prefs = await ok(t.api.request('preferences.get', {}));
    await ok(t.api.request('preferences.save', { ...prefs, stunServer: 'stun.invalid' }));
    const r = await t.core.handle('network.check', {}, sender);
    expect(r).toEqual({ ok: false, error: { code: 'failed', message: 'the NAT test could not run: getaddrinfo ENOTFOUND stun.invalid' } });
  });
});
