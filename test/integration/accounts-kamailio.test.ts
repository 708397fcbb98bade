// Issue 11 (several accounts): the app core with two accounts (alice, the default, and bob) registered at
// one real Kamailio with digest auth, checked on the wire (tshark on loopback): each REGISTER carries
// its own account's credentials from its own socket; a call from carol to bob is tagged with bob's
// account; a call dialled via bob's account carries bob's From and bob's Proxy-Authorization only.
// Signalling only (null audio), calls of about a second.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asSoftphoneApi, createAppCore, type AppCore } from '../../src-main/app-core/app-core';
import type { AccountForm, AccountsView, CallSnapshot } from '../../src-main/ipc/contract';
import { createMediaSession } from '../../src-main/rtp/media-session.node';
import { createPlainSecretBox } from '../../src-main/settings/secret-box';
import { createMemoryStore } from '../../src-main/settings/settings-store';
import type { Call } from '../../src-main/sip/user-agent-api';
import { createUserAgent } from '../../src-main/sip/user-agent.node';
import { startCapture, type Capture } from '../support/capture';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startKamailio, type KamailioServer } from '../support/kamailio';
import { waitEvent as waitEventWithin } from '../support/wait-event';

const run = promisify(execFile);

/** The shared bounded event wait, with this file's time limit. */
function waitEvent<T>(subscribe: (listener: (p: T) => void) => () => void, match: (p: T) => boolean, what: string, ms = 15_000): Promise<T> {
  return waitEventWithin(subscribe, match, what, ms);
}

interface SipPacket {
  transport: string;
  srcPort: number;
  dstPort: number;
  method: string;
  fromUser: string;
  authUsers: string[];
}

/** The SIP requests in a capture, with the From user and every digest username they carry. */
async function sipRequests(file: string, sipPort: number): Promise<SipPacket[]> {
  // A file still being written may end inside a packet: tshark then exits non-zero but prints the rest.
  const { stdout } = await run(
    'tshark',
    // TCP too: RFC 3261 §18.1.1 sends a request over 1300 bytes (an INVITE with its SDP) by TCP.
    ['-r', file, '-d', `udp.port==${sipPort},sip`, '-d', `tcp.port==${sipPort},sip`, '-Y', 'sip.Method', '-T', 'fields', '-E', 'separator=\t',
      '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'sip.Method', '-e', 'sip.from.user', '-e', 'sip.auth.username'],
    { maxBuffer: 64 * 1024 * 1024 },
  ).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const [usrc, udst, tsrc, tdst, method, fromUser, auth] = line.split('\t');
      return { srcPort: Number(usrc || tsrc), dstPort: Number(udst || tdst), transport: usrc ? 'udp' : 'tcp', method: method ?? '', fromUser: fromUser ?? '', authUsers: (auth ?? '').split(',').map((u) => u.replace(/"/g, '')).filter(Boolean) };
    });
}

let kam: KamailioServer;
beforeAll(async () => {
  kam = await startKamailio();
});
afterAll(async () => {
  await kam?.stop();
});

describe('two accounts at one Kamailio', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  });

  const form = (user: string, name: string): AccountForm => ({
    accountName: name,
    userId: user,
    domain: kam.domain,
    password: kam.users[user] ?? '',
    displayName: `${name} ${user}`,
    authorizationName: '',
    registerWithDomain: true,
    sendOutboundVia: 'domain',
    proxyAddress: '',
    dialPlan: '',
    registerExpires: 300,
  });

  it('registers both with their own credentials, tags a call to bob with bob, dials via bob as bob only', async () => {
    const capture: Capture = await startCapture(`port ${kam.port}`);
    let captured: string | null = null;
    cleanups.push(async () => captured ?? capture.stop());

    const rtp = await freePortRange(20);
    const core: AppCore = createAppCore({
      store: createMemoryStore(),
      secretBox: createPlainSecretBox(),
      createUserAgent,
      createMedia: createMediaSession,
      listAudioDevices: () => [],
      audioOverride: { kind: 'null' },
      sipPortOverride: await freeUdpPort(),
      bindAddress: '127.0.0.1',
      version: 'test',
    });
    await core.start();
    cleanups.push(() => core.shutdown());
    const api = asSoftphoneApi(core);
    const prefs = await api.request('preferences.get', {});
    if (!prefs.ok) throw new Error(prefs.error.message);
    await api.request('preferences.save', { ...prefs.value, rtpPortMin: rtp.min, rtpPortMax: rtp.min + 9 });

    const bothRegistered = waitEvent<AccountsView>(
      (l) => core.on('accounts.changed', l),
      (v) => v.accounts.length === 2 && v.accounts.every((a) => a.registration.state === 'registered'),
      'both accounts registered',
    );
    const savedAlice = await api.request('account.save', form('alice', 'Office'));
    expect(savedAlice.ok).toBe(true);
    const savedBob = await api.request('accounts.save', form('bob', 'Home'));
    if (!savedBob.ok) throw new Error(savedBob.error.message);
    const bobId = savedBob.value.id;
    const registered = await bothRegistered;
    expect(registered.accounts.map((a) => [a.account.userId, a.isDefault, a.registration.state])).toEqual([
      ['alice', true, 'registered'],
      ['bob', false, 'registered'],
    ]);

    // Carol, a separate user agent registered at the same Kamailio, calls bob.
    const carolRtp = { min: rtp.min + 10, max: rtp.min + 19 };
    const carolCalls: Call[] = [];
    const carol = createUserAgent({
      account: { ...form('carol', 'Carol'), password: kam.users.carol ?? '' },
      port: 0,
      bindAddress: '127.0.0.1',
      userAgentName: 'carol',
      createMedia: () => createMediaSession({ audio: { kind: 'null' }, bindAddress: '127.0.0.1', portMin: carolRtp.min, portMax: carolRtp.max }),
    });
    await carol.start();
    cleanups.push(() => carol.shutdown());
    carol.on('incoming', (c) => carolCalls.push(c));
    const carolRegistered = await carol.register();
    expect(carolRegistered.state).toBe('registered');

    const ringing = waitEvent<CallSnapshot>((l) => core.on('call.changed', l), (c) => c.direction === 'incoming' && c.state === 'ringing', 'incoming call');
    const toBob = carol.call(`sip:bob@${kam.domain}`);
    const incoming = await ringing;
    expect(incoming.account).toEqual({ id: bobId, name: 'Home' });
    expect(incoming.remoteUri).toContain('carol');
    const endedIn = waitEvent<CallSnapshot>((l) => core.on('call.changed', l), (c) => c.id === incoming.id && c.state === 'ended', 'end of the incoming call');
    await api.request('call.reject', { callId: incoming.id, status: 486 });
    await endedIn;
    // Carol hears the 486 through Kamailio.
    const carolEnd = toBob.state === 'ended' ? null : await waitEvent<import('../../src-main/sip/user-agent-api').CallEndInfo>((l) => toBob.on('ended', l), () => true, 'the end of carol\'s call');
    expect(toBob.state).toBe('ended');
    if (carolEnd) expect(carolEnd.status).toBe(486);

    // Dial carol via bob's account.
    const carolRings = new Promise<Call>((resolve) => carol.on('incoming', resolve));
    const dialed = await api.request('call.dial', { target: `sip:carol@${kam.domain}`, accountId: bobId });
    if (!dialed.ok) throw new Error(dialed.error.message);
    expect(dialed.value.account).toEqual({ id: bobId, name: 'Home' });
    const atCarol = await Promise.race([carolRings, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('carol never rang')), 15_000))]);
    expect(atCarol.remoteUri).toContain('sip:bob@');
    const endedOut = waitEvent<CallSnapshot>((l) => core.on('call.changed', l), (c) => c.id === dialed.value.id && c.state === 'ended', 'end of the outgoing call');
    atCarol.reject(486);
    await endedOut;

    // The capture file trails the wire: wait (bounded) until bob's last INVITE is in it, then stop.
    const deadline = Date.now() + 15_000;
    const invitesIn = async () => (await sipRequests(capture.file, kam.port)).filter((r) => r.method === 'INVITE' && r.fromUser === 'bob' && r.authUsers.length > 0);
    while ((await invitesIn()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    captured = await capture.stop();
    const requests = await sipRequests(captured, kam.port);
    const toKam = requests.filter((r) => r.dstPort === kam.port);
    const registers = toKam.filter((r) => r.method === 'REGISTER' && r.authUsers.length > 0);
    // Each account's sockets (a save restarts the user agents, so an account may have had two).
    const socketsOf = (user: string) => new Set(registers.filter((r) => r.fromUser === user).map((r) => `${r.transport}:${r.srcPort}`));
    const aliceSockets = socketsOf('alice');
    const bobSockets = socketsOf('bob');
    expect(aliceSockets.size, JSON.stringify(toKam)).toBeGreaterThan(0);
    expect(bobSockets.size, JSON.stringify(toKam)).toBeGreaterThan(0);
    expect([...aliceSockets].filter((p) => bobSockets.has(p))).toEqual([]);
    const from = (sockets: Set<string>) => toKam.filter((p) => sockets.has(`${p.transport}:${p.srcPort}`));
    // Each socket speaks for its own account only: From and every digest username.
    for (const r of from(aliceSockets)) {
      expect(r.fromUser, JSON.stringify(r)).toBe('alice');
      expect(r.authUsers.every((u) => u === 'alice'), JSON.stringify(r)).toBe(true);
    }
    for (const r of from(bobSockets)) {
      expect(r.authUsers.every((u) => u === 'bob'), JSON.stringify(r)).toBe(true);
    }
    // Nothing anywhere carries one account's credentials with the other's From.
    for (const r of toKam.filter((p) => p.authUsers.length > 0)) expect(r.authUsers, JSON.stringify(r)).toEqual([r.fromUser]);
    // The dialled call: INVITE from bob's socket, From bob, answered 407 then re-sent with bob's credentials.
    const invites = toKam.filter((r) => r.method === 'INVITE' && r.fromUser !== 'carol');
    expect(invites.length, JSON.stringify(toKam)).toBeGreaterThanOrEqual(2);
    expect(invites.every((r) => r.fromUser === 'bob'), JSON.stringify(invites)).toBe(true);
    expect(invites.some((r) => r.authUsers.length === 0)).toBe(true);
    expect(invites.some((r) => r.authUsers.length === 1 && r.authUsers[0] === 'bob')).toBe(true);
    expect(from(aliceSockets).some((r) => r.method === 'INVITE')).toBe(false);
  });
});
