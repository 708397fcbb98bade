// Issue 11: "history has no date, search or delete, and a single click dials". Rows show date and time
// in the UI language, duration or why it never connected, direction; search filters; one entry can
// be deleted and the list cleared (both ask first); a single click only selects.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../../src-renderer/App.svelte';
import type { HistoryEntry } from '../../../src-renderer/lib/api';
import { Api } from '../../../src-renderer/lib/api';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { Softphone } from '../../../src-renderer/state/softphone.svelte';
import { FakeApi, SNAPSHOT } from './fake-api';

const AT = Date.UTC(2026, 2, 14, 9, 30); // 14 March 2026
const ENTRIES: HistoryEntry[] = [
  { id: 'h1', direction: 'incoming', missed: true, remoteUri: 'sip:carol@example.com', remoteDisplayName: 'Carol', startedAt: AT, durationSeconds: 0, endReason: 'cancelled by caller' },
  { id: 'h2', direction: 'outgoing', missed: false, remoteUri: 'sip:2001@example.com', remoteDisplayName: 'Dave Kim', startedAt: AT - 86_400_000, durationSeconds: 75, endReason: 'hung up' },
  { id: 'h3', direction: 'outgoing', missed: false, remoteUri: 'sip:erin@example.com', remoteDisplayName: '', startedAt: AT - 2 * 86_400_000, durationSeconds: 0, endReason: '486 Busy Here' },
];

let phone: Softphone | null = null;

async function openHistory(fake: FakeApi): Promise<Softphone> {
  phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
  render(App, { props: { phone } });
  await phone.start();
  await fireEvent.click(screen.getByRole('tab', { name: i18n.language === 'ko' ? '통화 기록' : 'History' }));
  return phone;
}

function rows(): HTMLElement[] {
  return screen.queryAllByTestId('history-row');
}

describe('call history', () => {
  beforeEach(() => {
    i18n.preference = 'en';
    localStorage.clear();
  });
  afterEach(() => {
    phone?.dispose();
    phone = null;
  });

  it('shows date and time, duration or the reason in words, and the direction', async () => {
    await openHistory(new FakeApi().answer('history.list', ENTRIES));
    const [missed, out, busy] = rows();
    const date = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(AT));
    expect(missed?.textContent).toContain(date);
    expect(missed?.textContent).toContain('Mar 14, 2026');
    expect(missed?.textContent).toContain('Missed');
    expect(out?.textContent).toContain('Outgoing');
    expect(out?.textContent).toContain('01:15');
    expect(busy?.textContent).toContain('not connected: busy');
    expect(within(busy as HTMLElement).getByTitle('486 Busy Here')).toBeTruthy();
  });

  it('a single click only selects; a double click or the call button calls back', async () => {
    const fake = new FakeApi().answer('history.list', ENTRIES);
    const p = await openHistory(fake);
    const select = within(rows()[1] as HTMLElement).getByRole('button', { name: /^Dave Kim, Outgoing/ });
    await fireEvent.click(select);
    expect(select.getAttribute('aria-pressed')).toBe('true');
    expect(fake.sent('call.dial')).toEqual([]);
    expect(p.view).toBe('history');
    await fireEvent.dblClick(select);
    await vi.waitFor(() => expect(fake.sent('call.dial')).toEqual([{ target: 'sip:2001@example.com' }]));
  });

  it('the search box filters by name and by number', async () => {
    await openHistory(new FakeApi().answer('history.list', ENTRIES));
    const search = screen.getByRole('searchbox', { name: 'Search by name or number' });
    await fireEvent.input(search, { target: { value: 'dave' } });
    expect(rows().map((r) => r.textContent)).toEqual([expect.stringContaining('Dave Kim')]);
    await fireEvent.input(search, { target: { value: '2001' } });
    expect(rows()).toHaveLength(1);
    await fireEvent.input(search, { target: { value: 'nobody' } });
    expect(rows()).toHaveLength(0);
    expect(screen.getByText('No calls match.')).toBeTruthy();
  });

  it('deletes one entry in the core after a confirming second click; the list the core sends back stays without it', async () => {
    const fake = new FakeApi().answer('history.list', ENTRIES).answer('history.delete', null);
    await openHistory(fake);
    await fireEvent.click(screen.getByRole('button', { name: 'Delete the call with Carol' }));
    expect(rows()).toHaveLength(3);
    expect(fake.sent('history.delete')).toEqual([]);
    await fireEvent.click(screen.getByRole('button', { name: 'Delete?' }));
    await vi.waitFor(() => expect(rows()).toHaveLength(2));
    expect(fake.sent('history.delete')).toEqual([{ id: 'h1' }]);
    expect(screen.queryByText('Carol')).toBeNull();
    // Every window hears the core's new list (history.changed) and shows the same.
    fake.emit('history.changed', ENTRIES.filter((e) => e.id !== 'h1'));
    await vi.waitFor(() => expect(rows()).toHaveLength(2));
  });

  it('in Korean: dates, kinds and reasons', async () => {
    i18n.preference = 'ko';
    await openHistory(
      new FakeApi().answer('app.snapshot', { ...SNAPSHOT, preferences: { ...SNAPSHOT.preferences, language: 'ko' } }).answer('history.list', ENTRIES),
    );
    const busy = rows()[2];
    expect(busy?.textContent).toContain('연결 안 됨: 통화 중');
    expect(busy?.textContent).toContain(new Intl.DateTimeFormat('ko', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ENTRIES[2]!.startedAt)));
    expect(rows()[0]?.textContent).toContain('부재중');
  });
});
