// Issue 11 (several accounts): messages and message-waiting per account, with the app core (in-process,
// real user agents) running two accounts, alice (default, "Office") and bob ("Home"), registered at one
// real Kamailio with digest auth. Carol is our CLI `listen` registered at the same Kamailio: her MESSAGE
// to bob's address arrives in the core tagged with bob's account; the reply sent with bob's accountId
// reaches carol From bob and left from bob's socket (Kamailio's log of the source port), a reply without
// one follows the conversation's account, and alice's accountId sends From alice. Each account SUBSCRIBEs
// to its own mailbox at a scripted voicemail server on real UDP (Kamailio has no MWI server), from its own
// socket; a NOTIFY in bob's dialog changes bob's count only, then one in alice's adds to the total.
// Signalling only.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AccountForm, AccountsView, EventMap, VoicemailStatus } from '../../src-main/ipc/contract';
import { freeUdpPort } from '../support/free-port';
import { startKamailio, type KamailioServer } from '../support/kamailio';
import { waitEvent as waitEventWithin } from '../support/wait-event';
import { printOnFailure } from '../support/on-failure';
import { methodOf, responseTo, startScriptedPeer, type ScriptedPeer } from '../support/scripted-sip-peer';
import { accountForm, startSignallingCore } from '../support/signalling-core';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';

/** The shared bounded event wait, with this file's time limit. */
function waitEvent<T>(subscribe: (listener: (p: T) => void) => () => void, match: (p: T) => boolean, what: string, ms = 20_000): Promise<T> {
  return waitEventWithin(subscribe, match, what, ms);
}

const header = (msg: string, name: string): string =>
  msg.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim() ?? '';
/** The port of a SIP URI or Via sent-by (127.0.0.1:PORT). */
const portIn = (text: string): number => Number(/127\.0\.0\.1:(\d+)/.exec(text)?.[1] ?? NaN);

let kam: KamailioServer;
beforeAll(async () => {
  kam = await startKamailio();
});
afterAll(async () => {
  await kam?.stop();
});

describe('messages and message-waiting per account at one Kamailio', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    await stopAllSoftphones();
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  });

  it('a MESSAGE to bob is bob\'s, the reply leaves from bob\'s socket as bob; a NOTIFY to bob changes only bob\'s count', async () => {
    // The voicemail server: answers every request 200; each SUBSCRIBE's dialog gets the tag "vm-<user>".
    let vm: ScriptedPeer | null = null;
    vm = await startScriptedPeer((req) => {
      if (methodOf(req) !== 'SUBSCRIBE') return responseTo(req, 200, 'OK');
      const user = /^SUBSCRIBE sip:([^@]+)@/.exec(req)?.[1] ?? 'x';
      const tagged = req.replace(/^(To: .*)$/m, (to) => (/;tag=/.test(to) ? to : `${to};tag=vm-${user}`));
      return responseTo(tagged, 200, 'OK', [`Expires: ${header(req, 'Expires') === '0' ? '0' : '600'}`, `Contact: <sip:vm@127.0.0.1:${vm?.port}>`]);
    });
    const mailboxes: ScriptedPeer = vm;
    cleanups.push(() => mailboxes.close());

    const { core, api } = await startSignallingCore(await freeUdpPort());
    cleanups.push(() => core.shutdown());
    const form = (user: string, name: string): AccountForm =>
      accountForm(name, user, kam.domain, {
        password: kam.users[user] ?? '',
        displayName: `${name} ${user}`,
        registerExpires: 300,
        mwiSubscribe: true,
        mailboxUri: `sip:${user}@127.0.0.1:${mailboxes.port}`,
      });
    const bothRegistered = waitEvent<AccountsView>(
      (l) => core.on('accounts.changed', l),
      (v) => v.accounts.length === 2 && v.accounts.every((a) => a.registration.state === 'registered'),
      'both accounts registered',
    );
    expect((await api.request('account.save', form('alice', 'Office'))).ok).toBe(true);
    const savedBob = await api.request('accounts.save', form('bob', 'Home'));
    if (!savedBob.ok) throw new Error(savedBob.error.message);
    const bobId = savedBob.value.id;
    const registered = await bothRegistered;
    // Each account's own socket, from its registered Contact.
    const contactPort = (user: string) => {
      const r = registered.accounts.find((a) => a.account.userId === user)?.registration;
      return r?.state === 'registered' ? portIn(r.contact) : NaN;
    };
    const alicePort = contactPort('alice');
    const bobPort = contactPort('bob');
    expect(Number.isInteger(alicePort) && Number.isInteger(bobPort) && alicePort !== bobPort, `${alicePort} ${bobPort}`).toBe(true);

    // Carol: our CLI, registered at the same Kamailio, printing what it receives.
    const carol = startSoftphone(['listen', '--port', String(await freeUdpPort()), '--bind', '127.0.0.1', '--record', '/dev/null', '--user', 'carol', '--domain', kam.domain], {
      name: 'carol',
      control: true,
      env: { SOFTPHONE_PASSWORD: kam.users['carol'] ?? '' },
    });
    printOnFailure(carol, kam);
    await carol.waitFor('registered');

    // Carol writes to bob's address: Kamailio relays it to bob's registration, the core keeps it as bob's.
    const arrived = waitEvent<EventMap['message.received']>((l) => core.on('message.received', l), (m) => m.text === '점심 먹었어?', 'carol\'s message');
    expect(await carol.request('message.send', { to: 'bob', text: '점심 먹었어?' })).toMatchObject({ ok: true, value: { status: 200 } });
    const got = await arrived;
    expect(got).toMatchObject({ from: `sip:carol@${kam.domain}`, account: { id: bobId, name: 'Home' } });
    const peer = `sip:carol@${kam.domain}`;
    const conversation = await api.request('messages.get', { peer });
    expect(conversation.ok && conversation.value.messages.map((m) => [m.direction, m.text, m.accountId])).toEqual([['in', '점심 먹었어?', bobId]]);

    // The reply with bob's accountId: From bob at carol's end, out of bob's socket (Kamailio logs the source).
    const sent = await api.request('message.send', { to: peer, text: 'yes, from home', accountId: bobId });
    expect(sent).toMatchObject({ ok: true, value: { status: 200, peer } });
    expect(await carol.waitFor('message', (e) => e['text'] === 'yes, from home')).toMatchObject({ from: `sip:bob@${kam.domain}`, displayName: 'Home bob' });
    const messagesFrom = (port: number) => kam.log().split('\n').filter((l) => new RegExp(`MESSAGE sip:carol@\\S+ from 127\\.0\\.0\\.1:${port} `).test(l));
    expect(messagesFrom(bobPort).length, kam.log().slice(-3000)).toBeGreaterThan(0);
    expect(messagesFrom(alicePort)).toEqual([]);
    // Without an accountId the reply follows the conversation's account; alice's id sends From alice.
    expect(await api.request('message.send', { to: peer, text: 'still home' })).toMatchObject({ ok: true });
    expect(await carol.waitFor('message', (e) => e['text'] === 'still home')).toMatchObject({ from: `sip:bob@${kam.domain}` });
    expect(await api.request('message.send', { to: peer, text: 'now from the office', accountId: registered.accounts[0]?.id })).toMatchObject({ ok: true });
    expect(await carol.waitFor('message', (e) => e['text'] === 'now from the office')).toMatchObject({ from: `sip:alice@${kam.domain}`, displayName: 'Office alice' });
    expect(messagesFrom(alicePort).length).toBeGreaterThan(0);
    const after = await api.request('messages.get', { peer });
    expect(after.ok && after.value.messages.map((m) => m.accountId)).toEqual([bobId, bobId, bobId, registered.accounts[0]?.id]);

    // Message-waiting: one SUBSCRIBE per account, to its own mailbox, From that account, out of its socket.
    const subscribeOf = (user: string) => mailboxes.waitFor((m) => methodOf(m) === 'SUBSCRIBE' && m.startsWith(`SUBSCRIBE sip:${user}@`), 20_000);
    const [subAlice, subBob] = await Promise.all([subscribeOf('alice'), subscribeOf('bob')]);
    expect(header(subAlice, 'From')).toContain(`sip:alice@${kam.domain}`);
    expect(header(subBob, 'From')).toContain(`sip:bob@${kam.domain}`);
    expect(header(subBob, 'Event')).toBe('message-summary');
    expect(portIn(header(subAlice, 'Via'))).toBe(alicePort);
    expect(portIn(header(subBob, 'Via'))).toBe(bobPort);

    const notify = async (sub: string, user: string, seq: number, body: string) => {
      const contact = portIn(header(sub, 'Contact'));
      await mailboxes.send(
        [
          `NOTIFY sip:${user}@127.0.0.1:${contact} SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.1:${mailboxes.port};branch=z9hG4bKacct${user}${seq}`,
          `From: <sip:${user}@127.0.0.1:${mailboxes.port}>;tag=vm-${user}`,
          `To: ${header(sub, 'From')}`,
          `Call-ID: ${header(sub, 'Call-ID')}`,
          `CSeq: ${seq} NOTIFY`,
          `Contact: <sip:vm@127.0.0.1:${mailboxes.port}>`,
          'Max-Forwards: 70',
          'Event: message-summary',
          'Subscription-State: active;expires=600',
          'Content-Type: application/simple-message-summary',
          `Content-Length: ${Buffer.byteLength(body)}`,
          '',
          body,
        ].join('\r\n'),
        contact,
      );
    };
    const voicemail = (match: (s: VoicemailStatus) => boolean, what: string) => {
      const now = core.snapshot().voicemail;
      return now && match(now) ? Promise.resolve(now) : waitEvent<VoicemailStatus>((l) => core.on('voicemail.changed', l), match, what);
    };
    const of = (s: VoicemailStatus, user: string) => s.accounts?.find((a) => a.accountId === registered.accounts.find((e) => e.account.userId === user)?.id);

    await notify(subBob, 'bob', 1, 'Messages-Waiting: yes\r\nMessage-Account: sip:bob@vm.test\r\nVoice-Message: 3/5 (1/0)\r\n');
    const afterBob = await voicemail((s) => of(s, 'bob')?.newMessages === 3, 'bob\'s count');
    expect(of(afterBob, 'bob')).toMatchObject({ name: 'Home', subscription: 'active', waiting: true, newMessages: 3, oldMessages: 5, urgentNew: 1 });
    expect(of(afterBob, 'alice')).toMatchObject({ name: 'Office', waiting: null, newMessages: 0, oldMessages: 0 });
    expect(afterBob).toMatchObject({ waiting: true, newMessages: 3, oldMessages: 5 });
    expect(afterBob.accounts?.map((a) => a.name)).toEqual(['Office', 'Home']);

    await notify(subAlice, 'alice', 1, 'Messages-Waiting: yes\r\nVoice-Message: 1/2\r\n');
    const afterAlice = await voicemail((s) => of(s, 'alice')?.newMessages === 1, 'alice\'s count');
    expect(of(afterAlice, 'bob')).toMatchObject({ newMessages: 3, oldMessages: 5 });
    expect(afterAlice).toMatchObject({ waiting: true, newMessages: 4, oldMessages: 7 });
    // Each NOTIFY was answered by the account it was for (its Call-ID), nothing else.
    // (The count changes as the NOTIFY is handled; its 200 OK may still be on the way.)
    const oks = () => mailboxes.received.filter((m) => m.startsWith('SIP/2.0 200') && / NOTIFY$/m.test(header(m, 'CSeq')));
    await vi.waitFor(() => expect(oks().map((m) => header(m, 'Call-ID')).sort()).toEqual([header(subAlice, 'Call-ID'), header(subBob, 'Call-ID')].sort()), { timeout: 5000 });
  }, 120_000);
});
