// The app core's Network view side over real sockets: registered with Kamailio, the registrar's view of
// the SIP socket arrives as 'network.changed'; "Test NAT" against Debian's coturn on loopback probes a port
// of the RTP range and finds the public mapping equal to the local address (no NAT: endpoint-independent);
// a STUN server that never answers is reported in plain words.
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSoftphoneApi, createAppCore, type AppCore } from '../../src-main/app-core/app-core';
import { probeNat } from '../../src-main/app-core/nat-probe.node';
import type { NetworkStatus, SoftphoneApi } from '../../src-main/ipc/contract';
import { createMediaSession } from '../../src-main/rtp/media-session.node';
import { createPlainSecretBox } from '../../src-main/settings/secret-box';
import { createMemoryStore } from '../../src-main/settings/settings-store';
import { createUserAgent } from '../../src-main/sip/user-agent.node';
import { startCoturn, type CoturnServer } from '../support/coturn';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startKamailio, type KamailioServer } from '../support/kamailio';
import { printOnFailure } from '../support/on-failure';

async function ok<T>(p: Promise<{ ok: true; value: T } | { ok: false; error: unknown }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
}

/** The first network status matching `match`, now or later (bounded). */
function networkWhere(core: AppCore, match: (s: NetworkStatus) => boolean, ms = 10_000): Promise<NetworkStatus> {
  const now = core.snapshot().network;
  if (match(now)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching network.changed within ${ms} ms; last ${JSON.stringify(core.snapshot().network)}`));
    }, ms);
    const off = core.on('network.changed', (s) => {
      if (!match(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    });
  });
}

describe('Network view over real SIP and STUN', () => {
  let turn: CoturnServer;
  let kam: KamailioServer;
  let core: AppCore;
  let api: SoftphoneApi;
  let sipPort: number;
  let silent: Socket;

  beforeAll(async () => {
    [turn, kam] = await Promise.all([startCoturn(), startKamailio()]);
    sipPort = await freeUdpPort();
    core = createAppCore({
      store: createMemoryStore(),
      secretBox: createPlainSecretBox(),
      createUserAgent,
      createMedia: createMediaSession,
      listAudioDevices: () => [],
      audioOverride: { kind: 'null' },
      sipPortOverride: sipPort,
      bindAddress: '127.0.0.1',
      probeNat,
      version: 'test',
    });
    api = asSoftphoneApi(core);
    await core.start();
    // A "STUN server" that swallows everything.
    silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
  });

  afterAll(async () => {
    await core?.shutdown();
    silent?.close();
    await Promise.all([turn?.stop(), kam?.stop()]);
  });

  it('shows the registrar view of the SIP socket, then tests NAT from the RTP range against coturn', async () => {
    printOnFailure(kam, turn);
    expect(core.snapshot().network).toEqual({ sipLocal: { address: '127.0.0.1', port: sipPort }, publicAddress: null, unreachableWarning: null });

    await ok(
      api.request('account.save', {
        accountName: 'Alice',
        userId: 'alice',
        domain: kam.domain,
        password: 'alicepw',
        displayName: '',
        authorizationName: '',
        registerWithDomain: true,
        sendOutboundVia: 'domain',
        proxyAddress: '',
        dialPlan: '',
        registerExpires: 600,
      }),
    );
    // Kamailio's force_rport: the 200 OK's Via carries received/rport (RFC 3581), our own address here.
    const seen = await networkWhere(core, (s) => s.publicAddress !== null);
    expect(seen.publicAddress).toEqual({ address: '127.0.0.1', port: sipPort, local: { address: '127.0.0.1', port: sipPort }, behindNat: false });

    const rtp = await freePortRange(20);
    const prefs = await ok(api.request('preferences.get', {}));
    await ok(api.request('preferences.save', { ...prefs, stunServer: `${turn.address}:${turn.port}`, rtpPortMin: rtp.min, rtpPortMax: rtp.max }));

    const report = await ok(api.request('network.check', {}));
    expect(report.server).toBe(`127.0.0.1:${turn.port}`);
    expect(report.serverAddress).toEqual({ address: '127.0.0.1', port: turn.port });
    // The probe used an even port of the RTP range, and coturn saw exactly that address: no NAT on loopback.
    expect(report.rtp.local.address).toBe('127.0.0.1');
    expect(report.rtp.local.port % 2).toBe(0);
    expect(report.rtp.local.port).toBeGreaterThanOrEqual(rtp.min);
    expect(report.rtp.local.port).toBeLessThan(rtp.max);
    expect(report.rtp.mapped).toEqual(report.rtp.local);
    expect(report.rtp.source).toBe('stun');
    expect(report.behavior).toBe('no-nat');
    expect(report.endpointIndependent).toBe(true);
    expect(report.summary).toMatch(/endpoint-independent/);
    expect(report.sip).toEqual({ local: { address: '127.0.0.1', port: sipPort }, mapped: { address: '127.0.0.1', port: sipPort }, source: 'registrar' });
  });

  it('says so in plain words when the STUN server does not answer', async () => {
    const prefs = await ok(api.request('preferences.get', {}));
    const silentPort = silent.address().port;
    await ok(api.request('preferences.save', { ...prefs, stunServer: `127.0.0.1:${silentPort}` }));
    const report = await ok(api.request('network.check', {}));
    expect(report.behavior).toBe('unknown');
    expect(report.endpointIndependent).toBeNull();
    expect(report.rtp.mapped).toBeNull();
    expect(report.rtp.error).toBe('timeout');
    expect(report.summary).toContain(`The STUN server 127.0.0.1:${silentPort} did not answer (timeout)`);
  });
});
