// Issue 11 (several accounts): message-waiting per account. Each account's user agent subscribes to its
// own mailbox; a NOTIFY on one account's user agent changes that account's counts only; the totals (the
// fields older UI parts read, the main window's badge) add the accounts up; one account alone is reported
// exactly as before; a stopped account leaves the list.
import { describe, expect, it } from 'vitest';
import type { AccountVoicemail, VoicemailStatus } from '../../../src-main/ipc/contract';
import { voicemailTotals, VoicemailAccounts } from '../../../src-main/app-core/voicemail-accounts';
import type { MwiAccount } from '../../../src-main/app-core/voicemail-watch';
import type { SubscribeRequest, UserAgent } from '../../../src-main/sip/user-agent-api';

const mwi = (userId: string, domain: string): MwiAccount => ({
  accountName: '',
  userId,
  domain,
  password: '',
  displayName: '',
  authorizationName: '',
  registerWithDomain: true,
  sendOutboundVia: 'domain',
  proxyAddress: '',
  dialPlan: '',
  registerExpires: 600,
  mwiSubscribe: true,
});

function agent() {
  const asked: SubscribeRequest[] = [];
  const ua = { subscribe: (r: SubscribeRequest) => (asked.push(r), { id: `sub-${asked.length}` }) } as unknown as UserAgent;
  return { ua, asked };
}

const registered = { state: 'registered', expires: 600, contact: '' } as never;
const notify = (id: string, text: string) => ({ id, resource: 'x', event: 'message-summary' as const, state: 'active' as const, body: { contentType: 'application/simple-message-summary', text } });

const counts = (over: Partial<AccountVoicemail> & Pick<AccountVoicemail, 'accountId' | 'name'>): AccountVoicemail => ({
  subscription: 'off',
  waiting: null,
  newMessages: 0,
  oldMessages: 0,
  urgentNew: 0,
  urgentOld: 0,
  updatedAt: null,
  ...over,
});

describe('voicemailTotals', () => {
  it('no account: nothing known (as a core with no account always said)', () => {
    expect(voicemailTotals([])).toEqual({ subscription: 'off', waiting: null, newMessages: 0, oldMessages: 0, urgentNew: 0, urgentOld: 0, updatedAt: null, accounts: [] });
  });

  it('one account: its own report', () => {
    const work = counts({ accountId: 'account-1', name: 'Work', subscription: 'active', waiting: true, newMessages: 2, oldMessages: 8, urgentNew: 1, urgentOld: 2, updatedAt: 5 });
    const { accounts, ...total } = voicemailTotals([work]);
    const { accountId: _id, name: _name, ...own } = work;
    expect(total).toEqual(own);
    expect(accounts).toEqual([work]);
  });

  it('several: counts add up, waiting when any mailbox is, the newest report time, the most useful state', () => {
    const total = voicemailTotals([
      counts({ accountId: 'a', name: 'Work', subscription: 'failed', reason: '489 Bad Event' }),
      counts({ accountId: 'b', name: 'Home', subscription: 'active', waiting: false, oldMessages: 4, updatedAt: 9 }),
      counts({ accountId: 'c', name: 'Shop', subscription: 'unsolicited', waiting: true, newMessages: 3, oldMessages: 1, urgentNew: 1, updatedAt: 7 }),
    ]);
    expect(total).toMatchObject({ subscription: 'active', waiting: true, newMessages: 3, oldMessages: 5, urgentNew: 1, urgentOld: 0, updatedAt: 9 });
    expect(total.reason).toBeUndefined();
    expect(total.accounts?.map((a) => [a.accountId, a.newMessages])).toEqual([['a', 0], ['b', 0], ['c', 3]]);
    // Nobody waiting, one told: not waiting; all refused: refused, with the reason.
    expect(voicemailTotals([counts({ accountId: 'a', name: '', waiting: false }), counts({ accountId: 'b', name: '' })]).waiting).toBe(false);
    expect(voicemailTotals([counts({ accountId: 'a', name: '', subscription: 'failed', reason: '403' })])).toMatchObject({ subscription: 'failed', reason: '403' });
  });
});

describe('VoicemailAccounts', () => {
  function setup(order: string[] = ['work', 'home']) {
    const seen: VoicemailStatus[] = [];
    const book = new VoicemailAccounts({ changed: (s) => seen.push(s), now: () => 42, order: () => order });
    return { book, seen };
  }

  it('each account subscribes to its own mailbox from its own user agent', () => {
    const { book } = setup();
    const work = agent();
    const home = agent();
    book.agent('home', 'Home', home.ua);
    book.agent('work', 'Work', work.ua);
    book.registration('work', registered, mwi('alice', 'work.test'));
    book.registration('home', registered, { ...mwi('bob', 'home.test'), mailboxUri: 'sip:vm-bob@vm.home.test' });
    expect(work.asked).toEqual([{ target: 'sip:alice@work.test', event: 'message-summary' }]);
    expect(home.asked).toEqual([{ target: 'sip:vm-bob@vm.home.test', event: 'message-summary' }]);
    // Voicemail off for an account: no SUBSCRIBE from it.
    const shop = agent();
    book.agent('shop', 'Shop', shop.ua);
    book.registration('shop', registered, { ...mwi('carol', 'shop.test'), mwiSubscribe: false });
    expect(shop.asked).toEqual([]);
    // Listed in the settings' order, unknown ids last.
    expect(book.current.accounts?.map((a) => a.accountId)).toEqual(['work', 'home', 'shop']);
  });

  it('a NOTIFY to one account changes only that account\'s counts; the total follows; a stopped account leaves', () => {
    const { book, seen } = setup();
    const work = agent();
    const home = agent();
    book.agent('work', 'Work', work.ua);
    book.agent('home', 'Home', home.ua);
    book.registration('work', registered, mwi('alice', 'work.test'));
    book.registration('home', registered, mwi('bob', 'home.test'));
    // Both user agents number their subscriptions alike ("sub-1"): the account decides whose it is.
    book.update('home', notify('sub-1', 'Messages-Waiting: yes\r\nVoice-Message: 3/5 (1/0)\r\n'));
    const byId = (id: string) => book.current.accounts?.find((a) => a.accountId === id);
    expect(byId('home')).toMatchObject({ name: 'Home', subscription: 'active', waiting: true, newMessages: 3, oldMessages: 5, urgentNew: 1, updatedAt: 42 });
    expect(byId('work')).toMatchObject({ name: 'Work', subscription: 'pending', waiting: null, newMessages: 0, updatedAt: null });
    expect(book.current).toMatchObject({ waiting: true, newMessages: 3, oldMessages: 5 });
    expect(seen.at(-1)).toBe(book.current);
    book.update('work', notify('sub-1', 'Messages-Waiting: yes\r\nVoice-Message: 1/0\r\n'));
    expect(byId('home')).toMatchObject({ newMessages: 3, oldMessages: 5 });
    expect(book.current).toMatchObject({ waiting: true, newMessages: 4, oldMessages: 5 });
    // Another subscription's NOTIFY on the home user agent is not the mailbox's.
    book.update('home', notify('sub-7', 'Messages-Waiting: yes\r\nVoice-Message: 9/9\r\n'));
    expect(byId('home')?.newMessages).toBe(3);
    book.agent('home', '', null);
    expect(book.current.accounts?.map((a) => a.accountId)).toEqual(['work']);
    expect(book.current).toMatchObject({ newMessages: 1, oldMessages: 0 });
    // A new user agent for an account starts over (its old subscription went with the old one).
    const work2 = agent();
    book.agent('work', 'Work', work2.ua);
    expect(book.current).toMatchObject({ subscription: 'off', waiting: null, newMessages: 0 });
  });
});
