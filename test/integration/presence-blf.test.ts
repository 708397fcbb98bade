// Issue 11: presence and BLF on the wire (RFC 6665 with RFC 3856 PIDF and RFC 4235 dialog-info). The app
// core with the real user agent registers with a scripted registrar/presence server on real UDP; a contact
// marked "watch" gets a presence and a dialog SUBSCRIBE (headers checked as they arrive); NOTIFYs with
// PIDF (on the phone) and dialog-info (ringing, then confirmed) show as the contact's state; unwatching
// the contact un-SUBSCRIBEs both (Expires: 0). With two accounts on two servers, a contact of the second
// account's domain is watched through that account's user agent, at its server. Signalling only.
import { afterEach, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/app-core/app-core';
import type { ContactPresence } from '../../src-main/ipc/contract';
import { freeUdpPort } from '../support/free-port';
import { methodOf, responseTo, startScriptedPeer, type ScriptedPeer } from '../support/scripted-sip-peer';
import { accountForm, startSignallingCore } from '../support/signalling-core';

const header = (msg: string, name: string): string | undefined =>
  msg.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim();
const subscribeFor = (event: string) => (m: string) => methodOf(m) === 'SUBSCRIBE' && header(m, 'Event') === event;

function waitPresence(core: AppCore, id: string, match: (p: ContactPresence) => boolean, ms = 10_000): Promise<ContactPresence> {
  return new Promise((resolve, reject) => {
    const now = core.snapshot().presence?.[id];
    if (now && match(now)) return resolve(now);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`presence of ${id} never matched; last ${JSON.stringify(core.snapshot().presence)}`));
    }, ms);
    const off = core.on('presence.changed', (all) => {
      const p = all[id];
      if (!p || !match(p)) return;
      clearTimeout(timer);
      off();
      resolve(p);
    });
  });
}

describe('presence and BLF against a presence server on real UDP', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  });

  /** A registrar and presence server: 200 to REGISTER and SUBSCRIBE (with a To tag), 200 to the rest. */
  async function presenceServer(): Promise<ScriptedPeer> {
    let peer: ScriptedPeer | null = null;
    peer = await startScriptedPeer((req) => {
      const method = methodOf(req);
      if (method === 'REGISTER') return responseTo(req, 200, 'OK', [`Contact: ${header(req, 'Contact')};expires=600`]);
      if (method === 'SUBSCRIBE') {
        const tag = `ps-${header(req, 'Event')}`;
        const withTag = req.replace(/^(To: .*)$/m, (to) => (/;tag=/.test(to) ? to : `${to};tag=${tag}`));
        return responseTo(withTag, 200, 'OK', [`Expires: ${header(req, 'Expires')}`, `Contact: <sip:ps@127.0.0.1:${peer?.port}>`]);
      }
      return responseTo(req, 200, 'OK');
    });
    cleanups.push(() => peer?.close() ?? Promise.resolve());
    return peer;
  }

  it('SUBSCRIBEs presence and dialog for a watched contact, shows PIDF and dialog-info NOTIFYs, un-SUBSCRIBEs when unwatched', async () => {
    const peer = await presenceServer();
    const sipPort = await freeUdpPort();
    const { core, api } = await startSignallingCore(sipPort);
    cleanups.push(() => core.shutdown());
    const domain = `127.0.0.1:${peer.port}`;
    const saved = await api.request('contacts.save', { name: '김민준', sipUri: `sip:minjun@${domain}`, numbers: [], favorite: true, watch: true });
    if (!saved.ok) throw new Error(saved.error.message);
    const id = saved.value.id;
    await api.request('account.save', accountForm('Alice', 'alice', domain));

    // RFC 3856 §6 / RFC 4235 §3: Event and Accept per package, to the contact's address, with a Contact.
    const presenceSub = await peer.waitFor(subscribeFor('presence'));
    const dialogSub = await peer.waitFor(subscribeFor('dialog'));
    for (const sub of [presenceSub, dialogSub]) {
      expect(sub).toMatch(new RegExp(`^SUBSCRIBE sip:minjun@127\\.0\\.0\\.1:${peer.port} SIP/2\\.0\\r\\n`));
      expect(header(sub, 'Expires')).toBe('3600');
      expect(header(sub, 'Contact')).toBe(`<sip:alice@127.0.0.1:${sipPort}>`);
    }
    expect(header(presenceSub, 'Accept')).toBe('application/pidf+xml');
    expect(header(dialogSub, 'Accept')).toBe('application/dialog-info+xml');

    let cseq = 0;
    const notify = (sub: string, event: string, contentType: string, body: string) => notifyFrom(peer, sub, ++cseq, event, contentType, body);
    await notify(
      presenceSub,
      'presence',
      'application/pidf+xml',
      `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:minjun@${domain}"><tuple id="t1"><status><basic>open</basic></status></tuple><dm:person id="p1"><rpid:activities><rpid:on-the-phone/></rpid:activities><dm:note>회의 중</dm:note></dm:person></presence>`,
    );
    expect(await waitPresence(core, id, (p) => p.availability !== 'unknown')).toMatchObject({ availability: 'busy', note: '회의 중' });
    await notify(dialogSub, 'dialog', 'application/dialog-info+xml', `<?xml version="1.0"?><dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="0" state="full" entity="sip:minjun@${domain}"><dialog id="d1" direction="recipient"><state>early</state></dialog></dialog-info>`);
    await waitPresence(core, id, (p) => p.line === 'ringing');
    await notify(dialogSub, 'dialog', 'application/dialog-info+xml', `<?xml version="1.0"?><dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="partial" entity="sip:minjun@${domain}"><dialog id="d1"><state>confirmed</state></dialog></dialog-info>`);
    await waitPresence(core, id, (p) => p.line === 'busy');
    // Each NOTIFY was answered 200 (RFC 6665 §4.1.3).
    await peer.waitFor((m) => m.startsWith('SIP/2.0 200') && /CSeq: 3 NOTIFY\r\n/.test(m));
    expect(peer.received.filter((m) => m.startsWith('SIP/2.0 200') && / NOTIFY\r\n/.test(m))).toHaveLength(3);

    // Unwatch: both subscriptions end with Expires: 0 in their dialogs.
    await api.request('contacts.save', { ...saved.value, watch: false });
    const unsubPresence = await peer.waitFor((m) => subscribeFor('presence')(m) && header(m, 'Expires') === '0');
    const unsubDialog = await peer.waitFor((m) => subscribeFor('dialog')(m) && header(m, 'Expires') === '0');
    expect(header(unsubPresence, 'Call-ID')).toBe(header(presenceSub, 'Call-ID'));
    expect(header(unsubPresence, 'To')).toContain('tag=ps-presence');
    expect(header(unsubDialog, 'Call-ID')).toBe(header(dialogSub, 'Call-ID'));
    expect(core.snapshot().presence?.[id]).toBeUndefined();
  });

  it('with two accounts on two servers, a contact of the second domain is watched through the second account, at its server', async () => {
    const work = await presenceServer();
    const home = await presenceServer();
    const { core, api } = await startSignallingCore(await freeUdpPort());
    cleanups.push(() => core.shutdown());
    const homeDomain = `127.0.0.1:${home.port}`;
    await api.request('account.save', accountForm('Work', 'alice', `127.0.0.1:${work.port}`));
    await api.request('accounts.save', accountForm('Home', 'bob', homeDomain));
    const saved = await api.request('contacts.save', { name: 'Carol', sipUri: `sip:carol@${homeDomain}`, numbers: [], favorite: false, watch: true });
    if (!saved.ok) throw new Error(saved.error.message);

    // From the Home account's own user agent: bob's address and its own port, not the default one's.
    const fromBob = (m: string) => new RegExp(`^<sip:bob@127\\.0\\.0\\.1:${home.port}>;tag=`).test(header(m, 'From') ?? '');
    const presenceSub = await home.waitFor((m) => subscribeFor('presence')(m) && fromBob(m));
    await home.waitFor((m) => subscribeFor('dialog')(m) && fromBob(m));
    const bobPort = Number(/<sip:bob@127\.0\.0\.1:(\d+)>/.exec(header(presenceSub, 'Contact') ?? '')?.[1]);
    expect(bobPort).toBeGreaterThan(0);
    expect(work.received.filter((m) => methodOf(m) === 'SUBSCRIBE')).toEqual([]);

    await notifyFrom(home, presenceSub, 1, 'presence', 'application/pidf+xml', `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:carol@${homeDomain}"><tuple id="t1"><status><basic>open</basic></status></tuple></presence>`, 'bob', bobPort);
    expect(await waitPresence(core, saved.value.id, (p) => p.availability !== 'unknown')).toMatchObject({ availability: 'available' });
    expect(work.received.filter((m) => methodOf(m) === 'SUBSCRIBE')).toEqual([]);
  });
});

/** A NOTIFY in the subscription's dialog (RFC 6665 §4.2.2), from the server to our user agent. */
function notifyFrom(peer: ScriptedPeer, sub: string, cseq: number, event: string, contentType: string, body: string, user = 'alice', port?: number): Promise<void> {
  const contact = /<sip:[^@]+@([\d.]+):(\d+)>/.exec(header(sub, 'Contact') ?? '');
  const to = port ?? Number(contact?.[2]);
  const resource = /^SUBSCRIBE (\S+)/.exec(sub)?.[1] ?? '';
  return peer.send(
    [
      `NOTIFY sip:${user}@127.0.0.1:${to} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKps${event}${cseq}`,
      `From: <${resource}>;tag=ps-${event}`,
      `To: ${header(sub, 'From')}`,
      `Call-ID: ${header(sub, 'Call-ID')}`,
      `CSeq: ${cseq} NOTIFY`,
      `Contact: <sip:ps@127.0.0.1:${peer.port}>`,
      'Max-Forwards: 70',
      `Event: ${event}`,
      'Subscription-State: active;expires=3599',
      `Content-Type: ${contentType}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
    to,
  );
}
