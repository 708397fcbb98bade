// Issue 11, point 7: the Contacts tab. Lists the core's contacts with favourites, searches by name and
// number, adds one through the core (its field messages shown), deletes after a second click, imports
// a chosen file and exports; a contact's name typed in the dial field dials its address, and the
// history search finds calls by contact name. In Korean too.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../../src-renderer/App.svelte';
import type { AccountEntry, AccountView, Contact, HistoryEntry } from '../../../src-renderer/lib/api';
import { Api } from '../../../src-renderer/lib/api';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { Softphone } from '../../../src-renderer/state/softphone.svelte';
import { FakeApi, SNAPSHOT, callSnapshot } from './fake-api';

const CONTACTS: Contact[] = [
  { id: 'c1', name: '김민준', sipUri: 'sip:minjun@example.kr', numbers: [{ type: 'mobile', number: '+82 10-1234-5678' }], favorite: true },
  { id: 'c2', name: 'Dave Kim', sipUri: '', numbers: [{ type: 'work', number: '2001' }], favorite: false },
  { id: 'c3', name: 'Erin', sipUri: 'sip:erin@example.com', numbers: [], favorite: false },
];

let phone: Softphone | null = null;

async function open(fake: FakeApi, tab = 'Contacts'): Promise<Softphone> {
  phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
  render(App, { props: { phone } });
  await phone.start();
  await fireEvent.click(screen.getByRole('tab', { name: tab }));
  return phone;
}

const rows = () => screen.queryAllByTestId('contact-row');

describe('Contacts tab', () => {
  beforeEach(() => {
    i18n.preference = 'en';
    localStorage.clear();
  });
  afterEach(() => {
    phone?.dispose();
    phone = null;
  });

  it('lists contacts with favourites marked; the search matches names and digits of numbers', async () => {
    await open(new FakeApi().answer('contacts.list', CONTACTS));
    expect(rows().map((r) => r.textContent)).toEqual([
      expect.stringContaining('김민준'),
      expect.stringContaining('Dave Kim'),
      expect.stringContaining('Erin'),
    ]);
    expect(within(rows()[0] as HTMLElement).getByRole('button', { name: 'Favourite: 김민준' }).getAttribute('aria-pressed')).toBe('true');
    const search = screen.getByRole('searchbox', { name: 'Search by name, address or number' });
    await fireEvent.input(search, { target: { value: '민준' } });
    expect(rows()).toHaveLength(1);
    await fireEvent.input(search, { target: { value: '1012345678' } });
    expect(rows().map((r) => r.textContent)).toEqual([expect.stringContaining('김민준')]);
    await fireEvent.input(search, { target: { value: 'nobody' } });
    expect(screen.getByText('No contacts match.')).toBeTruthy();
  });

  it('the call button dials the SIP address (else the first number) and shows the phone', async () => {
    const fake = new FakeApi().answer('contacts.list', CONTACTS);
    const p = await open(fake);
    await fireEvent.click(screen.getByRole('button', { name: 'Call Dave Kim' }));
    await vi.waitFor(() => expect(fake.sent('call.dial')).toEqual([{ target: '2001' }]));
    expect(p.view).toBe('phone');
  });

  it('adds a contact through the core and shows its field messages', async () => {
    let attempt = 0;
    const fake = new FakeApi().respond('contacts.save', (payload) => {
      attempt += 1;
      if (attempt === 1) return { ok: false, error: { code: 'invalid-request', message: 'invalid request', fields: { sipUri: 'a SIP address starts with sip:' } } };
      return { ok: true, value: { id: 'new1', ...payload } as Contact };
    });
    await open(fake);
    expect(screen.getByText('No contacts yet. Add one, or import a vCard or CSV file.')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Add contact' }));
    const form = screen.getByTestId('contact-editor');
    await fireEvent.input(within(form).getByLabelText('Name'), { target: { value: ' 이서연 ' } });
    await fireEvent.input(within(form).getByLabelText('SIP address'), { target: { value: 'seoyeon@example.kr' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Add number' }));
    await fireEvent.input(within(form).getByLabelText('Number'), { target: { value: '010-9876-5432' } });
    await fireEvent.click(within(form).getByLabelText('Favourite'));
    await fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    await vi.waitFor(() => expect(within(form).getByRole('alert').textContent).toContain('a SIP address starts with sip:'));
    await fireEvent.input(within(form).getByLabelText('SIP address'), { target: { value: 'sip:seoyeon@example.kr' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    await vi.waitFor(() => expect(screen.queryByTestId('contact-editor')).toBeNull());
    expect(fake.sent('contacts.save')[1]).toEqual({ name: '이서연', sipUri: 'sip:seoyeon@example.kr', numbers: [{ type: 'mobile', number: '010-9876-5432' }], favorite: true });
    expect(rows().map((r) => r.textContent)).toEqual([expect.stringContaining('이서연')]);
  });

  it('deletes only after a confirming second click; the core list pushed later wins', async () => {
    const fake = new FakeApi().answer('contacts.list', CONTACTS);
    await open(fake);
    await fireEvent.click(screen.getByRole('button', { name: 'Delete Erin' }));
    expect(fake.sent('contacts.delete')).toEqual([]);
    await fireEvent.click(screen.getByRole('button', { name: 'Delete?' }));
    await vi.waitFor(() => expect(rows()).toHaveLength(2));
    expect(fake.sent('contacts.delete')).toEqual([{ id: 'c3' }]);
    fake.emit('contacts.changed', CONTACTS.slice(0, 1));
    await vi.waitFor(() => expect(rows()).toHaveLength(1));
  });

  it('imports the chosen file by its type and says what happened; exports as a download', async () => {
    const fake = new FakeApi().answer('contacts.list', CONTACTS).answer('contacts.import', { added: 2, duplicates: 1, skipped: 0 });
    fake.answer('contacts.export', { text: 'Name\r\n', fileName: 'contacts.csv', mimeType: 'text/csv;charset=utf-8' });
    await open(fake);
    const input = screen.getByTestId('contacts-file') as HTMLInputElement;
    const file = new File(['Name,Mobile Phone\r\n"Kim, Dave",010\r\n'], 'people.csv', { type: 'text/csv' });
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    await fireEvent.change(input);
    await vi.waitFor(() => expect(screen.getByText('Imported 2 contacts; 1 already in the list; 0 skipped.')).toBeTruthy());
    expect(fake.sent('contacts.import')).toEqual([{ format: 'csv', text: 'Name,Mobile Phone\r\n"Kim, Dave",010\r\n' }]);
    const created: Blob[] = [];
    URL.createObjectURL = (b: Blob) => (created.push(b), 'blob:x');
    URL.revokeObjectURL = () => {};
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    await fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    await vi.waitFor(() => expect(click).toHaveBeenCalled());
    expect(fake.sent('contacts.export')).toEqual([{ format: 'csv' }]);
    expect(await created[0]?.text()).toBe('Name\r\n');
    click.mockRestore();
  });

  it("a contact's name in the dial field dials its address; the history search finds calls by contact name", async () => {
    const history: HistoryEntry[] = [
      { id: 'h1', direction: 'outgoing', missed: false, remoteUri: 'sip:2001@pbx.example.com', remoteDisplayName: '', startedAt: 1_700_000_000_000, durationSeconds: 5, endReason: 'hung up' },
      { id: 'h2', direction: 'incoming', missed: true, remoteUri: 'sip:erin@example.com', remoteDisplayName: '', startedAt: 1_699_000_000_000, durationSeconds: 0, endReason: 'cancelled' },
    ];
    const fake = new FakeApi().answer('contacts.list', CONTACTS).answer('history.list', history);
    const p = await open(fake, 'Phone');
    const field = screen.getByLabelText('Number or SIP address') as HTMLInputElement;
    await fireEvent.input(field, { target: { value: 'erin' } });
    const options = Array.from(document.querySelectorAll('#dial-recent option'), (o) => (o as HTMLOptionElement).value);
    expect(options[0]).toBe('sip:erin@example.com');
    await fireEvent.submit(field.form as HTMLFormElement);
    await vi.waitFor(() => expect(fake.sent('call.dial')).toEqual([{ target: 'sip:erin@example.com' }]));
    p.view = 'history';
    await vi.waitFor(() => expect(screen.getAllByTestId('history-row')).toHaveLength(2));
    // The number's row shows the contact's name.
    expect(screen.getAllByTestId('history-row')[0]?.textContent).toContain('Dave Kim');
    await fireEvent.input(screen.getByRole('searchbox', { name: 'Search by name or number' }), { target: { value: 'dave' } });
    expect(screen.getAllByTestId('history-row').map((r) => r.textContent)).toEqual([expect.stringContaining('2001')]);
  });

  it('shows presence and BLF of watched contacts as the core reports them', async () => {
    const fake = new FakeApi()
      .answer('contacts.list', CONTACTS.map((c) => (c.id === 'c3' ? { ...c, watch: true } : c)))
      .answer('app.snapshot', { ...SNAPSHOT, presence: { c3: { availability: 'available', line: 'idle' } } });
    await open(fake);
    const erin = () => rows()[2] as HTMLElement;
    const dot = () => within(erin()).getByTestId('presence');
    expect(dot().getAttribute('aria-label')).toBe('Erin: Available · Line idle');
    expect(within(rows()[0] as HTMLElement).queryByTestId('presence')).toBeNull();
    fake.emit('presence.changed', { c3: { availability: 'busy', note: 'In a meeting', line: 'ringing' } });
    await vi.waitFor(() => expect(dot().getAttribute('data-state')).toBe('busy ringing'));
    expect(erin().textContent).toContain('Ringing · In a meeting');
    fake.emit('presence.changed', { c3: { availability: 'busy', line: 'busy' } });
    await vi.waitFor(() => expect(erin().textContent).toContain('On a call'));
    fake.emit('presence.changed', { c3: { availability: 'unknown', line: 'unknown', problem: '403 Forbidden' } });
    await vi.waitFor(() => expect(dot().getAttribute('title')).toBe('403 Forbidden'));
  });

  it('with several accounts a watched contact can be watched through a chosen account; automatic sends none', async () => {
    const view = (userId: string, accountName: string): AccountView => ({
      accountName, userId, domain: 'pbx.test', displayName: '', authorizationName: '', registerWithDomain: true, sendOutboundVia: 'domain',
      proxyAddress: '', dialPlan: '', registerExpires: 3600, hasPassword: true,
    });
    const registered = { state: 'registered', expires: 3600, contact: 'sip:x@y' } as const;
    const accounts: AccountEntry[] = [
      { id: 'account-1', enabled: true, isDefault: true, account: view('alice', 'Work'), registration: registered },
      { id: 'account-2', enabled: true, isDefault: false, account: view('bob', 'Home'), registration: registered },
    ];
    const fake = new FakeApi()
      .answer('app.snapshot', { ...SNAPSHOT, accounts: { accounts } })
      .answer('contacts.list', CONTACTS)
      .respond('contacts.save', (payload) => ({ ok: true, value: { id: payload.id ?? 'n', ...payload } as Contact }));
    await open(fake);
    await fireEvent.click(within(rows()[2] as HTMLElement).getByRole('button', { name: /Edit/ }));
    const form = screen.getByTestId('contact-editor');
    expect(within(form).queryByTestId('watch-account')).toBeNull();
    await fireEvent.click(within(form).getByLabelText('Show presence and line state (BLF)'));
    const select = within(form).getByLabelText('Watch through') as HTMLSelectElement;
    expect(Array.from(select.options).map((o) => o.text)).toEqual(['Automatic (the account of its domain, else the default)', 'Work (default)', 'Home']);
    await fireEvent.change(select, { target: { value: 'account-2' } });
    await fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    await vi.waitFor(() => expect(fake.sent('contacts.save')).toHaveLength(1));
    expect(fake.sent('contacts.save')[0]).toMatchObject({ id: 'c3', watch: true, watchAccount: 'account-2' });
    await fireEvent.click(within(rows()[2] as HTMLElement).getByRole('button', { name: /Edit/ }));
    await fireEvent.click(within(screen.getByTestId('contact-editor')).getByRole('button', { name: 'Save' }));
    await vi.waitFor(() => expect(fake.sent('contacts.save')).toHaveLength(2));
    // Unchanged, it keeps the contact's account; "watch" unticked drops both.
    expect(fake.sent('contacts.save')[1]).toMatchObject({ watch: true, watchAccount: 'account-2' });
  });

  it('in Korean', async () => {
    i18n.preference = 'ko';
    const fake = new FakeApi().answer('app.snapshot', { ...SNAPSHOT, preferences: { ...SNAPSHOT.preferences, language: 'ko' } }).answer('contacts.list', CONTACTS);
    await open(fake, '연락처');
    expect(screen.getByRole('heading', { name: '연락처' })).toBeTruthy();
    expect(screen.getByRole('button', { name: '연락처 추가' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Dave Kim에게 전화 걸기' })).toBeTruthy();
    expect(rows()[0]?.textContent).toContain('sip:minjun@example.kr · 휴대전화 +82 10-1234-5678');
    fake.emit('presence.changed', { c1: { availability: 'busy', line: 'busy' } });
    await vi.waitFor(() => expect(within(rows()[0] as HTMLElement).getByTestId('presence').getAttribute('aria-label')).toBe('김민준: 바쁨 · 통화 중'));
  });

  it('a call from a contact is announced and shown by the contact\'s name, not the caller\'s own display name', async () => {
    const fake = new FakeApi().answer('contacts.list', CONTACTS);
    await open(fake, 'Phone');
    // The number matches Dave Kim's work number; the SIP display name says something else.
    fake.emit('call.changed', callSnapshot({ id: 'x', direction: 'incoming', state: 'ringing', remoteDisplayName: 'RECEPTION', remoteUri: 'sip:2001@pbx.example.com' }));
    const banner = await screen.findByTestId('incoming-call');
    expect(banner.querySelector('.name')?.textContent).toBe('Dave Kim');
    expect(banner.querySelector('.uri')?.textContent).toBe('sip:2001@pbx.example.com');
    fake.emit('call.changed', callSnapshot({ id: 'x', direction: 'incoming', state: 'connected', remoteDisplayName: 'RECEPTION', remoteUri: 'sip:2001@pbx.example.com', connectedAt: Date.now() }));
    await vi.waitFor(() => expect(screen.getAllByTestId('call-card').map((c) => c.querySelector('.name')?.textContent)).toEqual(['Dave Kim']));
    // A caller not in the address book keeps its own display name.
    fake.emit('call.changed', callSnapshot({ id: 'y', direction: 'outgoing', state: 'calling', remoteDisplayName: 'Zed', remoteUri: 'sip:zed@example.org' }));
    await vi.waitFor(() => expect(screen.getAllByTestId('call-card').map((c) => c.querySelector('.name')?.textContent)).toEqual(['Dave Kim', 'Zed']));
  });

  it('a starred contact moves up when the core\'s sorted list arrives before the save\'s answer', async () => {
    const fake = new FakeApi().answer('contacts.list', CONTACTS);
    // The core pushes its re-sorted list first (as app-core does on every change), then answers the save.
    fake.respond('contacts.save', (payload) => {
      const saved = { ...CONTACTS[2]!, ...payload, id: 'c3' };
      fake.emit('contacts.changed', [CONTACTS[0]!, saved, CONTACTS[1]!]);
      return { ok: true, value: saved };
    });
    await open(fake);
    await fireEvent.click(screen.getByRole('button', { name: 'Favourite: Erin' }));
    await vi.waitFor(() => expect(screen.getByRole('button', { name: 'Favourite: Erin' }).getAttribute('aria-pressed')).toBe('true'));
    expect(rows().map((r) => r.querySelector('.name')?.textContent?.trim())).toEqual(['김민준', 'Erin', 'Dave Kim']);
  });
});
