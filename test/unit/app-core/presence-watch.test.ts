// Presence/BLF for watched contacts (issue 11): subscribes presence and dialog for each watched contact once
// registered, turns PIDF and dialog-info (full and partial, versions) into a status per contact, reports
// refusals, and un-SUBSCRIBEs contacts that are unwatched, deleted or readdressed.
import { describe, expect, it } from 'vitest';
import type { Contact } from '../../../src-main/contacts/contact-schema';
import type { ContactPresence } from '../../../src-main/ipc/contract';
import { PresenceWatch } from '../../../src-main/app-core/presence-watch';
import type { SubscribeRequest, UserAgent } from '../../../src-main/sip/user-agent-api';

const bob: Contact = { id: 'b', name: 'Bob', sipUri: 'sip:bob@pbx.test', numbers: [], favorite: false, watch: true };
const desk: Contact = { id: 'd', name: 'Desk', sipUri: '', numbers: [{ type: 'work', number: '2001' }], favorite: false, watch: true };
const carol: Contact = { id: 'c', name: 'Carol', sipUri: 'sip:carol@pbx.test', numbers: [], favorite: false };

function setup() {
  const asked: SubscribeRequest[] = [];
  const ended: string[] = [];
  const agent = {
    subscribe: (r: SubscribeRequest) => (asked.push(r), { id: `s${asked.length}` }),
    unsubscribe: async (id: string) => void ended.push(id),
  } as unknown as UserAgent;
  const seen: Array<Record<string, ContactPresence>> = [];
  const watch = new PresenceWatch((s) => seen.push(s));
  watch.reset(agent);
  return { watch, asked, ended, seen };
}

const pidf = (basic: string, activity = '') =>
  `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:bob@pbx.test"><tuple id="t"><status><basic>${basic}</basic></status></tuple>${activity ? `<person><rpid:activities><rpid:${activity}/></rpid:activities></person>` : ''}</presence>`;
const dialogInfo = (version: number, state: 'full' | 'partial', dialogs: string) => `<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="${version}" state="${state}" entity="sip:bob@pbx.test">${dialogs}</dialog-info>`;

describe('PresenceWatch', () => {
  it('subscribes presence and dialog for watched contacts once registered (address, else number)', () => {
    const { watch, asked } = setup();
    watch.contacts([bob, desk, carol]);
    expect(asked).toEqual([]);
    watch.registration({ state: 'registered' } as never);
    expect(asked).toEqual([
      { target: 'sip:bob@pbx.test', event: 'presence' },
      { target: 'sip:bob@pbx.test', event: 'dialog' },
      { target: '2001', event: 'presence' },
      { target: '2001', event: 'dialog' },
    ]);
    expect(watch.current).toEqual({ b: { availability: 'unknown', line: 'unknown' }, d: { availability: 'unknown', line: 'unknown' } });
  });

  it('PIDF and dialog-info NOTIFYs become availability and line state; old versions are ignored', () => {
    const { watch } = setup();
    watch.contacts([bob]);
    watch.registration({ state: 'registered' } as never);
    const n = (id: string, event: 'presence' | 'dialog', text: string) => watch.update({ id, resource: 'sip:bob@pbx.test', event, state: 'active', body: { contentType: '', text } });
    n('s1', 'presence', pidf('open', 'on-the-phone'));
    n('s2', 'dialog', dialogInfo(0, 'full', '<dialog id="x" direction="recipient"><state>early</state></dialog>'));
    expect(watch.current.b).toEqual({ availability: 'busy', line: 'ringing' });
    n('s2', 'dialog', dialogInfo(1, 'partial', '<dialog id="x"><state>confirmed</state></dialog>'));
    expect(watch.current.b?.line).toBe('busy');
    n('s2', 'dialog', dialogInfo(1, 'partial', '<dialog id="x"><state>terminated</state></dialog>'));
    expect(watch.current.b?.line).toBe('busy');
    n('s2', 'dialog', dialogInfo(2, 'partial', '<dialog id="x"><state>terminated</state></dialog>'));
    expect(watch.current.b?.line).toBe('idle');
    n('s1', 'presence', pidf('closed'));
    expect(watch.current.b?.availability).toBe('offline');
    watch.update({ id: 's1', resource: 'x', event: 'presence', state: 'failed', reason: '403 Forbidden' });
    expect(watch.current.b).toMatchObject({ problem: '403 Forbidden' });
  });

  it('un-SUBSCRIBEs a contact that is unwatched, and one whose address changed is subscribed anew', () => {
    const { watch, asked, ended } = setup();
    watch.contacts([bob, desk]);
    watch.registration({ state: 'registered' } as never);
    watch.contacts([{ ...bob, watch: false }, { ...desk, numbers: [{ type: 'work', number: '2002' }] }]);
    expect(ended).toEqual(['s1', 's2', 's3', 's4']);
    expect(asked.slice(4)).toEqual([
      { target: '2002', event: 'presence' },
      { target: '2002', event: 'dialog' },
    ]);
    expect(Object.keys(watch.current)).toEqual(['d']);
  });
});
