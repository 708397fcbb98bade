// Issue 11, point 1 in the window: a second call while one is connected is a waiting call with Hold &
// Answer, End & Answer and Decline; each call then has its own card with its own name and state, and
// Resume on the held card swaps the calls. The fake core answers as the real one does (call-switch.ts).
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../../../src-renderer/App.svelte';
import { Api } from '../../../src-renderer/lib/api';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { Softphone } from '../../../src-renderer/state/softphone.svelte';
import { CallsState } from '../../../src-renderer/state/calls.svelte';
import type { CallSnapshot } from '../../../src-main/ipc/contract';
import { FakeApi, callSnapshot } from './fake-api';

let phone: Softphone | null = null;

afterEach(() => {
  phone?.dispose();
  phone = null;
  i18n.preference = 'en';
});

const alice = callSnapshot({ id: 'a', direction: 'incoming', state: 'connected', remoteDisplayName: 'Alice', remoteUri: 'sip:alice@example.com', connectedAt: Date.now() - 30_000, hold: { local: false, remote: false } });
const bob = callSnapshot({ id: 'b', direction: 'incoming', state: 'ringing', remoteDisplayName: 'Bob', remoteUri: 'sip:bob@example.com' });

/** A fake core keeping the calls: hold/answer/hangup change them and report call.changed like the core. */
function fakeCore(): { fake: FakeApi; calls: Map<string, CallSnapshot> } {
  const fake = new FakeApi();
  const calls = new Map<string, CallSnapshot>();
  const set = (c: CallSnapshot) => {
    calls.set(c.id, c);
    fake.emit('call.changed', c);
    return c;
  };
  fake.respond('call.hold', ({ callId, hold }) => ({ ok: true, value: set({ ...calls.get(callId)!, hold: { local: hold, remote: false } }) }));
  fake.respond('call.answer', ({ callId }) => ({ ok: true, value: set({ ...calls.get(callId)!, state: 'connected', connectedAt: Date.now(), hold: { local: false, remote: false } }) }));
  fake.respond('call.hangup', ({ callId }) => ({ ok: true, value: set({ ...calls.get(callId)!, state: 'ended', end: { reason: 'hung up', by: 'local', durationSeconds: 30 } }) }));
  fake.respond('call.reject', ({ callId, status }) => ({ ok: true, value: set({ ...calls.get(callId)!, state: 'ended', end: { reason: `${status ?? 486} Busy Here`, status: status ?? 486, by: 'local', durationSeconds: 0 } }) }));
  for (const c of [alice, bob]) calls.set(c.id, c);
  return { fake, calls };
}

async function withWaitingCall(): Promise<{ fake: FakeApi; banner: HTMLElement }> {
  const { fake } = fakeCore();
  phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
  render(App, { props: { phone } });
  await phone.start();
  fake.emit('call.changed', alice);
  fake.emit('call.changed', bob);
  const banner = await screen.findByTestId('waiting-call');
  return { fake, banner };
}

function cardStates(): Array<[string, string]> {
  return screen.getAllByTestId('call-card').map((card) => [card.querySelector('.name')?.textContent ?? '', (within(card).getByTestId('call-state').textContent ?? '').replace(/\d\d:\d\d$/, 'mm:ss')]);
}

describe('call waiting in the window', () => {
  it('offers Hold & Answer, End & Answer and Decline, names the waiting caller, and keeps the connected card', async () => {
    const { banner } = await withWaitingCall();
    expect(within(banner).getByText('Call waiting')).toBeTruthy();
    expect(within(banner).getByText('Bob')).toBeTruthy();
    expect(within(banner).getAllByRole('button').map((b) => b.textContent?.trim())).toEqual(['Hold & Answer', 'End & Answer', 'Decline']);
    expect(within(banner).queryByRole('button', { name: 'Answer' })).toBeNull();
    expect(cardStates()).toEqual([['Alice', 'Connected mm:ss']]);
  });

  it('Hold & Answer holds the first call, then answers; each card keeps its own name; Resume swaps', async () => {
    const { fake, banner } = await withWaitingCall();
    await fireEvent.click(within(banner).getByRole('button', { name: 'Hold & Answer' }));
    await vi.waitFor(() => expect(fake.requests.map((r) => r.channel).filter((c) => c.startsWith('call.'))).toEqual(['call.hold', 'call.answer']));
    expect(fake.sent('call.hold')).toEqual([{ callId: 'a', hold: true }]);
    expect(fake.sent('call.answer')).toEqual([{ callId: 'b' }]);
    await vi.waitFor(() => expect(screen.queryByTestId('waiting-call')).toBeNull());
    await vi.waitFor(() => expect(cardStates()).toEqual([['Alice', 'On hold mm:ss'], ['Bob', 'Connected mm:ss']]));
    const [aliceCard, bobCard] = screen.getAllByTestId('call-card') as [HTMLElement, HTMLElement];
    expect(within(aliceCard).getByRole('button', { name: 'Resume' }).getAttribute('aria-pressed')).toBe('true');
    expect(within(bobCard).getByRole('button', { name: 'Hold' }).getAttribute('aria-pressed')).toBe('false');
    // Resume on Alice: one request; the core holds Bob (its call.changed moves Bob's card).
    await fireEvent.click(within(aliceCard).getByRole('button', { name: 'Resume' }));
    await vi.waitFor(() => expect(fake.sent('call.hold')).toEqual([{ callId: 'a', hold: true }, { callId: 'a', hold: false }]));
    fake.emit('call.changed', { ...bob, state: 'connected', connectedAt: Date.now(), hold: { local: true, remote: false } });
    await vi.waitFor(() => expect(cardStates()).toEqual([['Alice', 'Connected mm:ss'], ['Bob', 'On hold mm:ss']]));
    // Hanging up Alice leaves Bob's card with Bob's name (the bug of issue 11).
    await fireEvent.click(within(screen.getAllByTestId('call-card')[0] as HTMLElement).getByRole('button', { name: 'Hang up' }));
    await vi.waitFor(() => expect(fake.sent('call.hangup')).toEqual([{ callId: 'a' }]));
    await vi.waitFor(() => expect(cardStates()).toEqual([['Bob', 'On hold mm:ss']]));
  });

  it('End & Answer hangs up the connected call, then answers', async () => {
    const { fake, banner } = await withWaitingCall();
    await fireEvent.click(within(banner).getByRole('button', { name: 'End & Answer' }));
    await vi.waitFor(() => expect(fake.requests.map((r) => r.channel).filter((c) => c.startsWith('call.'))).toEqual(['call.hangup', 'call.answer']));
    expect(fake.sent('call.hangup')).toEqual([{ callId: 'a' }]);
    await vi.waitFor(() => expect(cardStates()[0]).toEqual(['Bob', 'Connected mm:ss']));
  });

  it('Decline sends 486 for the waiting call and leaves the connected one alone', async () => {
    const { fake, banner } = await withWaitingCall();
    await fireEvent.click(within(banner).getByRole('button', { name: 'Decline' }));
    await vi.waitFor(() => expect(fake.sent('call.reject')).toEqual([{ callId: 'b' }]));
    expect(fake.sent('call.hold')).toEqual([]);
    await vi.waitFor(() => expect(screen.queryByTestId('waiting-call')).toBeNull());
    expect(cardStates()[0]).toEqual(['Alice', 'Connected mm:ss']);
  });

  it('speaks Korean', async () => {
    const { banner } = await withWaitingCall();
    i18n.preference = 'ko';
    await vi.waitFor(() => expect(within(banner).getAllByRole('button').map((b) => b.textContent?.trim())).toEqual(['보류 후 받기', '끊고 받기', '거절']));
  });
});

describe('CallsState with several calls', () => {
  it('the active call is the newest one not held by us; cards list every call in progress', () => {
    const s = new CallsState(null);
    s.load([
      { ...alice, hold: { local: true, remote: false } },
      { ...bob, state: 'connected', connectedAt: 1, hold: { local: false, remote: false } },
      callSnapshot({ id: 'c', direction: 'incoming', state: 'ringing' }),
    ]);
    expect(s.active?.id).toBe('b');
    expect(s.live.map((c) => c.id)).toEqual(['a', 'b']);
    expect(s.waiting).toBe(true);
    expect(s.cards.map((c) => c.id)).toEqual(['a', 'b']);
    s.apply({ ...bob, state: 'connected', connectedAt: 1, hold: { local: true, remote: false } });
    // All held: the newest is still what the keypad is about.
    expect(s.active?.id).toBe('b');
    s.apply({ ...alice, hold: { local: false, remote: false } });
    expect(s.active?.id).toBe('a');
    s.dispose();
  });
});
