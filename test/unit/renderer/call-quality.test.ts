// Issue 13 in the UI: the call card shows the running G.107 score (MOS and R) of a connected call, and
// a history row shows the MOS the call ended with.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../../../src-renderer/App.svelte';
import { Api, type HistoryEntry } from '../../../src-renderer/lib/api';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { Softphone } from '../../../src-renderer/state/softphone.svelte';
import { FakeApi, callSnapshot } from './fake-api';

let phone: Softphone | null = null;

afterEach(() => {
  phone?.dispose();
  phone = null;
  i18n.preference = 'en';
});

describe('call quality in the UI', () => {
  it('shows the score on the card while connected and follows it as it changes', async () => {
    i18n.preference = 'en';
    const fake = new FakeApi();
    phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
    render(App, { props: { phone } });
    await phone.start();
    const call = callSnapshot({ id: 'out-1', state: 'connected', connectedAt: Date.now() - 6000 });
    fake.emit('call.changed', call);
    await vi.waitFor(() => expect(screen.getByTestId('call-state').textContent).toMatch(/^Connected/));
    expect(screen.queryByTestId('call-quality')).toBeNull(); // no audio yet, no score
    fake.emit('call.changed', { ...call, quality: { r: 92.1, mos: 4.38 } });
    await vi.waitFor(() => expect(screen.getByTestId('call-quality').textContent?.trim()).toBe('Quality: MOS 4.4 (R 92)'));
    fake.emit('call.changed', { ...call, quality: { r: 64.6, mos: 3.34 } });
    await vi.waitFor(() => expect(screen.getByTestId('call-quality').textContent?.trim()).toBe('Quality: MOS 3.3 (R 65)'));
    expect(screen.getByTestId('call-quality').getAttribute('title')).toMatch(/G\.107/);
  });

  it('shows the MOS a call ended with in its history row', async () => {
    const entries: HistoryEntry[] = [
      { id: 'h1', direction: 'outgoing', missed: false, remoteUri: 'sip:2001@example.com', remoteDisplayName: 'Dave', startedAt: Date.UTC(2026, 2, 14), durationSeconds: 75, endReason: 'hung up', quality: { r: 88.4, mos: 4.27 } },
      { id: 'h2', direction: 'incoming', missed: true, remoteUri: 'sip:carol@example.com', remoteDisplayName: 'Carol', startedAt: Date.UTC(2026, 2, 13), durationSeconds: 0, endReason: 'cancelled by caller' },
    ];
    const fake = new FakeApi().answer('history.list', entries);
    phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
    render(App, { props: { phone } });
    await phone.start();
    await fireEvent.click(screen.getByRole('tab', { name: 'History' }));
    await vi.waitFor(() => expect(screen.getAllByTestId('history-row')).toHaveLength(2));
    const scores = screen.getAllByTestId('history-quality');
    expect(scores).toHaveLength(1);
    expect(scores[0]?.textContent?.trim()).toBe('MOS 4.3');
  });
});
