// Issue 11, part 6: the header's "My status" selector. It shows once there is an account, sends the
// choice to the core (presence.set) and says what the server did with it (published / refused with the
// reason), from the answer and from presence.own events. In Korean too.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../../src-renderer/App.svelte';
import type { AccountView } from '../../../src-renderer/lib/api';
import { Api } from '../../../src-renderer/lib/api';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { Softphone } from '../../../src-renderer/state/softphone.svelte';
import { FakeApi, SNAPSHOT } from './fake-api';

const ACCOUNT: AccountView = {
  accountName: 'Work', userId: 'alice', domain: 'pbx.test', displayName: '', authorizationName: '', registerWithDomain: true,
  sendOutboundVia: 'domain', proxyAddress: '', dialPlan: '', registerExpires: 600, hasPassword: true,
};

let phone: Softphone | null = null;
async function open(fake: FakeApi): Promise<Softphone> {
  phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
  render(App, { props: { phone } });
  await phone.start();
  return phone;
}

describe('my status', () => {
  beforeEach(() => {
    i18n.preference = 'en';
    localStorage.clear();
  });
  afterEach(() => {
    phone?.dispose();
    phone = null;
  });

  it('is hidden without an account', async () => {
    await open(new FakeApi());
    expect(screen.queryByTestId('own-presence')).toBeNull();
  });

  it('sends the choice and shows whether the server took it', async () => {
    const fake = new FakeApi()
      .answer('app.snapshot', { ...SNAPSHOT, account: ACCOUNT, registration: { state: 'registered' } as never, ownPresence: { status: null, state: 'off' } })
      .answer('presence.set', { status: 'away', state: 'publishing' });
    await open(fake);
    const select = screen.getByLabelText('My status') as HTMLSelectElement;
    expect(Array.from(select.options, (o) => o.text)).toEqual(['Choose…', 'Available', 'Away', 'Busy', 'Appear offline']);
    await fireEvent.change(select, { target: { value: 'away' } });
    await vi.waitFor(() => expect(fake.sent('presence.set')).toEqual([{ status: 'away' }]));
    await vi.waitFor(() => expect(screen.getByTestId('own-presence-state').textContent).toBe('Publishing…'));
    fake.emit('presence.own', { status: 'away', state: 'published' });
    await vi.waitFor(() => expect(screen.getByTestId('own-presence-state').textContent).toBe('Shown to others'));
    fake.emit('presence.own', { status: 'away', state: 'failed', reason: '489 Bad Event' });
    await vi.waitFor(() => expect(screen.getByTestId('own-presence-state').textContent).toBe('Not published: 489 Bad Event'));
    expect(select.value).toBe('away');
  });

  it('speaks Korean', async () => {
    const fake = new FakeApi().answer('app.snapshot', {
      ...SNAPSHOT,
      preferences: { ...SNAPSHOT.preferences, language: 'ko' },
      account: ACCOUNT,
      ownPresence: { status: 'busy', state: 'off' },
    });
    await open(fake);
    const select = screen.getByLabelText('내 상태') as HTMLSelectElement;
    expect(select.value).toBe('busy');
    expect(screen.getByTestId('own-presence-state').textContent).toBe('등록되면 게시됩니다');
  });
});
