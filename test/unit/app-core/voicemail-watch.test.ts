// Message-waiting in the app core (issue 11): subscribes once registered when the account asks for it
// (to the mailbox or the AOR), turns NOTIFY bodies into counts, ignores other subscriptions' NOTIFYs,
// takes unsolicited ones, and says why a subscription failed.
import { describe, expect, it } from 'vitest';
import type { VoicemailStatus } from '../../../src-main/ipc/contract';
import { VoicemailWatch } from '../../../src-main/app-core/voicemail-watch';
import type { AccountSettings, SubscribeRequest, UserAgent } from '../../../src-main/sip/user-agent-api';

const account: AccountSettings & { mwiSubscribe?: boolean; mailboxUri?: string } = {
  accountName: '',
  userId: 'alice',
  domain: 'pbx.test',
  password: '',
  displayName: '',
  authorizationName: '',
  registerWithDomain: true,
  sendOutboundVia: 'domain',
  proxyAddress: '',
  dialPlan: '',
  registerExpires: 600,
  mwiSubscribe: true,
};

function setup() {
  const asked: SubscribeRequest[] = [];
  const agent = { subscribe: (r: SubscribeRequest) => (asked.push(r), { id: `sub-${asked.length}` }) } as unknown as UserAgent;
  const seen: VoicemailStatus[] = [];
  const watch = new VoicemailWatch({ changed: (s) => seen.push(s), now: () => 42 });
  watch.reset(agent);
  return { watch, asked, seen };
}

describe('VoicemailWatch', () => {
  it('subscribes once registered, to the AOR by default, once per user agent', () => {
    const { watch, asked } = setup();
    watch.registration({ state: 'registering' }, account);
    expect(asked).toEqual([]);
    watch.registration({ state: 'registered', expires: 600, contact: '' } as never, account);
    watch.registration({ state: 'registered', expires: 600, contact: '' } as never, account);
    expect(asked).toEqual([{ target: 'sip:alice@pbx.test', event: 'message-summary' }]);
    expect(watch.current.subscription).toBe('pending');
  });

  it('uses the mailbox address when set, and nothing when MWI is off', () => {
    const a = setup();
    a.watch.registration({ state: 'registered' } as never, { ...account, mailboxUri: 'sip:vm-alice@vm.pbx.test' });
    expect(a.asked[0]?.target).toBe('sip:vm-alice@vm.pbx.test');
    const b = setup();
    b.watch.registration({ state: 'registered' } as never, { ...account, mwiSubscribe: false });
    expect(b.asked).toEqual([]);
  });

  it('counts from its own NOTIFYs and unsolicited ones, not from others', () => {
    const { watch } = setup();
    watch.registration({ state: 'registered' } as never, account);
    watch.update({ id: 'sub-9', resource: 'x', event: 'message-summary', state: 'active', body: { contentType: '', text: 'Messages-Waiting: yes\r\nVoice-Message: 9/9\r\n' } });
    expect(watch.current.waiting).toBeNull();
    watch.update({ id: 'sub-1', resource: 'x', event: 'message-summary', state: 'active', body: { contentType: '', text: 'Messages-Waiting: yes\r\nVoice-Message: 2/8 (0/2)\r\n' } });
    expect(watch.current).toEqual({ subscription: 'active', waiting: true, newMessages: 2, oldMessages: 8, urgentNew: 0, urgentOld: 2, updatedAt: 42 });
    watch.update({ id: '', resource: 'x', event: 'message-summary', state: 'active', unsolicited: true, body: { contentType: '', text: 'Messages-Waiting: no\r\n' } });
    expect(watch.current).toMatchObject({ subscription: 'active', waiting: false, newMessages: 0 });
  });

  it('a failure says why', () => {
    const { watch } = setup();
    watch.registration({ state: 'registered' } as never, account);
    watch.update({ id: 'sub-1', resource: 'x', event: 'message-summary', state: 'failed', reason: '489 Bad Event' });
    expect(watch.current).toMatchObject({ subscription: 'failed', reason: '489 Bad Event', waiting: null });
  });
});
