// Issue 11 in the window: the call card's Transfer panel (blind to a typed target, or to the other call),
// the transfer's progress from the core, the Conference button with two calls, the other side's transfer
// request (Accept / Decline on the card; a Replaces INVITE on the incoming banner), the account's
// three-way transfer setting, and declined / refused calls in the history, in English and Korean.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../../src-renderer/App.svelte';
import { Api } from '../../../src-renderer/lib/api';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { Softphone } from '../../../src-renderer/state/softphone.svelte';
import type { CallSnapshot, HistoryEntry } from '../../../src-main/ipc/contract';
import { FakeApi, callSnapshot } from './fake-api';

let phone: Softphone | null = null;
beforeEach(() => {
  i18n.preference = 'en';
  localStorage.clear();
});
afterEach(() => {
  phone?.dispose();
  phone = null;
  i18n.preference = 'en';
});

const bob = callSnapshot({ id: 'b', state: 'connected', remoteDisplayName: 'Bob', remoteUri: 'sip:bob@example.com', connectedAt: Date.now() - 5000, hold: { local: false, remote: false } });
const carol = callSnapshot({ id: 'c', state: 'connected', remoteDisplayName: 'Carol', remoteUri: 'sip:carol@example.com', connectedAt: Date.now() - 3000, hold: { local: true, remote: false } });

async function start(fake: FakeApi, calls: CallSnapshot[]): Promise<void> {
  phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
  render(App, { props: { phone } });
  await phone.start();
  for (const c of calls) fake.emit('call.changed', c);
}

const card = (name: string): HTMLElement => screen.getAllByTestId('call-card').find((c) => c.querySelector('.name')?.textContent === name) as HTMLElement;

describe('Transfer on the call card', () => {
  it('blind: the panel sends call.transfer with the typed target (a contact name dials its address); progress shows on the card', async () => {
    const fake = new FakeApi();
    fake.answer('contacts.list', [{ id: 'k1', name: 'Dave Kim', sipUri: 'sip:dave@example.com', numbers: [], favorite: false }]);
    fake.respond('call.transfer', (p) => ({ ok: true, value: { ...bob, transfer: { status: 'requested', reason: 'REFER sent', target: 'target' in p ? p.target : '', attended: false } } }));
    await start(fake, [bob]);
    expect(screen.queryByRole('button', { name: 'Conference' })).toBeNull();
    await fireEvent.click(within(card('Bob')).getByRole('button', { name: 'Transfer…' }));
    const panel = await screen.findByTestId('transfer-panel');
    const input = within(panel).getByLabelText('Transfer to (number, name or address)');
    await fireEvent.input(input, { target: { value: 'Dave Kim' } });
    await fireEvent.click(within(panel).getByRole('button', { name: 'Transfer' }));
    await vi.waitFor(() => expect(fake.sent('call.transfer')).toEqual([{ callId: 'b', target: 'sip:dave@example.com' }]));
    await vi.waitFor(() => expect(screen.queryByTestId('transfer-panel')).toBeNull());
    expect(within(card('Bob')).getByTestId('transfer-status').textContent?.trim()).toBe('Transferring to sip:dave@example.com…');
    fake.emit('call.changed', { ...bob, transfer: { status: 'ringing', code: 180, reason: '180 Ringing', target: 'sip:dave@example.com', attended: false } });
    await vi.waitFor(() => expect(within(card('Bob')).getByTestId('transfer-status').textContent?.trim()).toBe('Transfer to sip:dave@example.com: ringing…'));
    fake.emit('call.changed', { ...bob, transfer: { status: 'failed', code: 486, reason: '486 Busy Here', target: 'sip:dave@example.com', attended: false } });
    await vi.waitFor(() => expect(within(card('Bob')).getByTestId('transfer-status').textContent?.trim()).toBe('Transfer to sip:dave@example.com failed: 486 Busy Here'));
  });

  it("the core's refusal stays in the panel; with two calls the panel offers the other call (attended) and Conference joins them", async () => {
    const fake = new FakeApi();
    let first = true;
    fake.respond('call.transfer', () => {
      if (first) {
        first = false;
        return { ok: false, error: { code: 'failed', message: 'invalid target: no domain' } };
      }
      return { ok: true, value: bob };
    });
    fake.respond('call.conference', () => ({ ok: true, value: [{ ...bob, conference: 'c' }, { ...carol, conference: 'b', hold: { local: false, remote: false } }] }));
    await start(fake, [bob, carol]);
    await fireEvent.click(within(card('Bob')).getByRole('button', { name: 'Transfer…' }));
    const panel = await screen.findByTestId('transfer-panel');
    await fireEvent.input(within(panel).getByRole('combobox'), { target: { value: 'x y' } });
    await fireEvent.click(within(panel).getByRole('button', { name: 'Transfer' }));
    expect((await within(panel).findByRole('alert')).textContent).toBe('invalid target: no domain');
    await fireEvent.click(within(panel).getByRole('button', { name: /^To Carol/ }));
    await vi.waitFor(() => expect(fake.sent('call.transfer').at(-1)).toEqual({ callId: 'b', replacesCallId: 'c' }));

    await fireEvent.click(within(card('Bob')).getByRole('button', { name: 'Conference' }));
    await vi.waitFor(() => expect(fake.sent('call.conference')).toEqual([{ callIds: ['b', 'c'] }]));
    await vi.waitFor(() => expect(within(card('Bob')).getByTestId('conference').textContent).toBe('In conference with Carol'));
    expect(within(card('Carol')).getByTestId('conference').textContent).toBe('In conference with Bob');
    expect(screen.queryByRole('button', { name: 'Conference' })).toBeNull();
  });
});

describe('after a transfer', () => {
  it('the transferred call is the card left on screen, whichever call ended last', async () => {
    const fake = new FakeApi();
    await start(fake, [bob, carol]);
    const end = { reason: 'hung up', by: 'local' as const, durationSeconds: 9 };
    fake.emit('call.changed', { ...bob, state: 'ended', end, transfer: { status: 'succeeded', code: 200, reason: '200 OK', target: 'sip:carol@example.com', attended: true } });
    fake.emit('call.changed', { ...carol, state: 'ended', end: { reason: 'hung up by remote', by: 'remote', durationSeconds: 5 } });
    await vi.waitFor(() => expect(screen.getAllByTestId('call-card')).toHaveLength(1));
    expect(screen.getByTestId('transfer-status').textContent?.trim()).toBe('Transferred to sip:carol@example.com');
  });
});

describe('the other side asks to transfer us', () => {
  it('REFER: Accept / Decline on the card with the target; Decline answers call.transferReply accept false', async () => {
    const fake = new FakeApi();
    fake.respond('call.transferReply', () => ({ ok: true, value: { ...bob, transferRequest: null } }));
    await start(fake, [bob]);
    const request = { requestId: 'tr1', kind: 'refer' as const, callId: 'b', target: 'sip:carol@example.com', referredBy: '<sip:bob@example.com>', expiresAt: Date.now() + 30_000 };
    fake.emit('call.changed', { ...bob, transferRequest: request });
    fake.emit('call.transferRequest', request);
    const ask = await screen.findByTestId('transfer-request');
    expect(ask.textContent).toContain('The other side asks to transfer you to sip:carol@example.com');
    expect(ask.textContent).toContain('Asked by <sip:bob@example.com>');
    await vi.waitFor(() => expect(phone?.announcement).toBe('Bob asks to transfer you to sip:carol@example.com'));
    await fireEvent.click(within(ask).getByRole('button', { name: 'Decline' }));
    await vi.waitFor(() => expect(fake.sent('call.transferReply')).toEqual([{ requestId: 'tr1', accept: false }]));
    await vi.waitFor(() => expect(screen.queryByTestId('transfer-request')).toBeNull());
  });

  it('Replaces: the incoming banner says whose call it takes over; Accept transfer answers accept true', async () => {
    const fake = new FakeApi();
    await start(fake, [bob]);
    const ringing = callSnapshot({ id: 'r', direction: 'incoming', state: 'ringing', remoteDisplayName: '', remoteUri: 'sip:carol@example.com',
      transferRequest: { requestId: 'tr2', kind: 'replaces', callId: 'r', target: 'sip:carol@example.com', replacesCallId: 'b', expiresAt: Date.now() + 30_000 } });
    fake.emit('call.changed', ringing);
    const banner = await screen.findByTestId('incoming-call');
    expect(within(banner).getByTestId('replaces-request').textContent).toBe('Takes over your call with Bob');
    expect(within(banner).getAllByRole('button').map((b) => b.textContent?.trim())).toEqual(['Accept transfer', 'Decline']);
    await fireEvent.click(within(banner).getByRole('button', { name: 'Accept transfer' }));
    await vi.waitFor(() => expect(fake.sent('call.transferReply')).toEqual([{ requestId: 'tr2', accept: true }]));
  });

  it('in Korean too', async () => {
    const fake = new FakeApi();
    await start(fake, [bob]);
    i18n.preference = 'ko';
    fake.emit('call.changed', { ...bob, transferRequest: { requestId: 'tr3', kind: 'refer', callId: 'b', target: 'sip:carol@example.com', expiresAt: Date.now() + 30_000 } });
    const ask = await screen.findByTestId('transfer-request');
    expect(ask.textContent).toContain('상대방이 sip:carol@example.com(으)로 전환하려고 합니다');
    expect(within(ask).getAllByRole('button').map((b) => b.textContent?.trim())).toEqual(['전환 수락', '거절']);
    expect(within(card('Bob')).getByRole('button', { name: '전환…' })).toBeTruthy();
  });
});

describe('declined and refused calls in the history', () => {
  it('show as Declined / Refused with why, not as Missed', async () => {
    const AT = Date.UTC(2026, 2, 14, 9, 30);
    const entries: HistoryEntry[] = [
      { id: 'h1', direction: 'incoming', missed: true, outcome: 'refused', remoteUri: 'sip:dave@example.com', remoteDisplayName: 'Dave', startedAt: AT, durationSeconds: 0, endReason: '480 Temporarily Unavailable (do not disturb)' },
      { id: 'h2', direction: 'incoming', missed: true, outcome: 'declined', remoteUri: 'sip:erin@example.com', remoteDisplayName: 'Erin', startedAt: AT, durationSeconds: 0, endReason: '486 Busy Here' },
      { id: 'h3', direction: 'incoming', missed: true, outcome: 'missed', remoteUri: 'sip:fay@example.com', remoteDisplayName: 'Fay', startedAt: AT, durationSeconds: 0, endReason: 'cancelled by caller' },
    ];
    const fake = new FakeApi().answer('history.list', entries);
    await start(fake, []);
    await fireEvent.click(screen.getByRole('tab', { name: 'History' }));
    const rows = await screen.findAllByTestId('history-row');
    const text = rows.map((r) => [r.querySelector('.kind')?.textContent, r.querySelector('.length')?.textContent]);
    expect(text).toEqual([
      ['Refused', 'not connected: do not disturb'],
      ['Declined', 'not connected: declined'],
      ['Missed', 'not connected: the caller hung up'],
    ]);
  });
});
