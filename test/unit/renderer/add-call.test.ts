// Issue 11 "Add call": the Add call button (or +) holds the connected call with the Hold button's request
// and opens the dial field with "Adding a call … Cancel"; dialling places a second call while the first
// stays held; Cancel (or Esc in an empty field) resumes it. The fake core answers as the real one does.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../../../src-renderer/App.svelte';
import { Api } from '../../../src-renderer/lib/api';
import { hotkeyFor } from '../../../src-renderer/lib/hotkeys';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { Softphone } from '../../../src-renderer/state/softphone.svelte';
import type { CallSnapshot } from '../../../src-main/ipc/contract';
import { FakeApi, callSnapshot } from './fake-api';

let phone: Softphone | null = null;

afterEach(() => {
  phone?.dispose();
  phone = null;
  i18n.preference = 'en';
});

const alice = callSnapshot({ id: 'a', state: 'connected', remoteDisplayName: 'Alice', remoteUri: 'sip:alice@example.com', connectedAt: Date.now() - 30_000, hold: { local: false, remote: false } });

/** A fake core keeping the calls: hold and dial change them and report call.changed like the core. */
async function withCall(): Promise<{ fake: FakeApi; calls: Map<string, CallSnapshot> }> {
  const fake = new FakeApi();
  const calls = new Map<string, CallSnapshot>([[alice.id, alice]]);
  const set = (c: CallSnapshot) => {
    calls.set(c.id, c);
    fake.emit('call.changed', c);
    return c;
  };
  fake.respond('call.hold', ({ callId, hold }) => ({ ok: true, value: set({ ...calls.get(callId)!, hold: { local: hold, remote: false } }) }));
  fake.respond('call.dial', ({ target }) => ({ ok: true, value: set(callSnapshot({ id: 'b', state: 'calling', remoteDisplayName: 'Bob', remoteUri: target })) }));
  fake.respond('call.conference', ({ callIds }) => ({ ok: true, value: callIds.map((id) => calls.get(id)!) }));
  fake.respond('call.hangup', ({ callId }) => ({ ok: true, value: set({ ...calls.get(callId)!, state: 'ended', end: { reason: 'hung up', by: 'local', durationSeconds: 30 } }) }));
  phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
  render(App, { props: { phone } });
  await phone.start();
  fake.emit('call.changed', alice);
  await screen.findByTestId('call-card');
  return { fake, calls };
}

const field = () => screen.queryByLabelText('Number or SIP address') as HTMLInputElement | null;
const hint = () => screen.queryByTestId('adding-call');
const stateOf = (i: number) => (within(screen.getAllByTestId('call-card')[i] as HTMLElement).getByTestId('call-state').textContent ?? '').replace(/\d\d:\d\d$/, 'mm:ss');

describe('Add call in the window', () => {
  it('holds the call, focuses the dial field with the hint; dialling keeps the first call held; then Conference', async () => {
    const { fake } = await withCall();
    expect(field()).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Add call' }));
    await vi.waitFor(() => expect(hint()?.textContent).toContain('Adding a call: Alice is on hold'));
    expect(fake.sent('call.hold')).toEqual([{ callId: 'a', hold: true }]);
    expect(stateOf(0)).toBe('On hold mm:ss');
    await vi.waitFor(() => expect(document.activeElement).toBe(field()));
    // The keypad types the second number, it sends no DTMF into the held call; no Add call while adding.
    await fireEvent.click(screen.getByRole('button', { name: '5' }));
    expect(field()?.value).toBe('5');
    expect(fake.sent('call.dtmf')).toEqual([]);
    expect(screen.queryByRole('button', { name: 'Add call' })).toBeNull();
    // Enter on an empty field does not redial (the last number is most likely the held call's).
    await fireEvent.input(field()!, { target: { value: '' } });
    await fireEvent.submit(field()!.form!);
    expect(fake.sent('call.dial')).toEqual([]);

    await fireEvent.input(field()!, { target: { value: 'sip:bob@example.com' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Call' }));
    await vi.waitFor(() => expect(fake.sent('call.dial')).toEqual([{ target: 'sip:bob@example.com' }]));
    await vi.waitFor(() => expect(hint()).toBeNull());
    expect(field()).toBeNull();
    expect(fake.sent('call.hold')).toEqual([{ callId: 'a', hold: true }]);
    expect(screen.getAllByTestId('call-card')).toHaveLength(2);
    expect(stateOf(0)).toBe('On hold mm:ss');

    // B answers: the two calls can be joined (or transferred) from either card.
    fake.emit('call.changed', callSnapshot({ id: 'b', state: 'connected', connectedAt: Date.now(), remoteDisplayName: 'Bob', remoteUri: 'sip:bob@example.com', hold: { local: false, remote: false } }));
    await vi.waitFor(() => expect(screen.getAllByRole('button', { name: 'Conference' })).toHaveLength(2));
    await fireEvent.click(screen.getAllByRole('button', { name: 'Conference' })[0]!);
    await vi.waitFor(() => expect(fake.sent('call.conference')).toEqual([{ callIds: ['a', 'b'] }]));
  });

  it('an added call refused at once keeps its card, with the reason, next to the held call until closed', async () => {
    const { fake } = await withCall();
    await fireEvent.click(screen.getByRole('button', { name: 'Add call' }));
    await vi.waitFor(() => expect(hint()?.textContent).toContain('Adding a call: Alice is on hold'));
    await fireEvent.input(field()!, { target: { value: 'sip:nobody@example.com' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Call' }));
    await vi.waitFor(() => expect(fake.sent('call.dial')).toHaveLength(1));
    fake.emit('call.changed', callSnapshot({ id: 'b', remoteDisplayName: 'Bob', remoteUri: 'sip:nobody@example.com', state: 'ended', end: { reason: '404 Not Found', status: 404, by: 'remote', durationSeconds: 0 } }));
    await vi.waitFor(() => expect(screen.getAllByTestId('call-card')).toHaveLength(2));
    expect(stateOf(0)).toBe('On hold mm:ss');
    expect(screen.getAllByTestId('call-card')[1]?.textContent).toMatch(/not found|404/i);
    // Closed by the user: only the held call is left.
    await fireEvent.click(within(screen.getAllByTestId('call-card')[1] as HTMLElement).getByRole('button', { name: /close|dismiss/i }));
    await vi.waitFor(() => expect(screen.getAllByTestId('call-card')).toHaveLength(1));
    expect(stateOf(0)).toBe('On hold mm:ss');
  });

  it('Cancel leaves "Add call" and resumes the held call', async () => {
    const { fake } = await withCall();
    await fireEvent.click(screen.getByRole('button', { name: 'Add call' }));
    const cancel = await within(await screen.findByTestId('adding-call')).findByRole('button', { name: 'Cancel' });
    await fireEvent.click(cancel);
    await vi.waitFor(() => expect(fake.sent('call.hold')).toEqual([{ callId: 'a', hold: true }, { callId: 'a', hold: false }]));
    await vi.waitFor(() => expect(stateOf(0)).toBe('Connected mm:ss'));
    expect(hint()).toBeNull();
    expect(field()).toBeNull();
    expect(fake.sent('call.dial')).toEqual([]);
  });

  it('+ adds a call; Esc clears what is typed, then cancels (it never hangs up the held call)', async () => {
    const { fake } = await withCall();
    await fireEvent.keyDown(document.body, { key: '+' });
    await vi.waitFor(() => expect(hint()).not.toBeNull());
    expect(fake.sent('call.hold')).toEqual([{ callId: 'a', hold: true }]);
    await fireEvent.input(field()!, { target: { value: '2001' } });
    await fireEvent.keyDown(field()!, { key: 'Escape' });
    await vi.waitFor(() => expect(field()?.value).toBe(''));
    expect(hint()).not.toBeNull();
    await fireEvent.keyDown(field()!, { key: 'Escape' });
    await vi.waitFor(() => expect(fake.sent('call.hold')).toEqual([{ callId: 'a', hold: true }, { callId: 'a', hold: false }]));
    await vi.waitFor(() => expect(hint()).toBeNull());
    expect(fake.sent('call.hangup')).toEqual([]);
    // Back to one live call: Esc hangs it up as before.
    await fireEvent.keyDown(document.body, { key: 'Escape' });
    await vi.waitFor(() => expect(fake.sent('call.hangup')).toEqual([{ callId: 'a' }]));
  });

  it('Resume on the held card, or the held call ending, leaves "Add call"', async () => {
    const { fake, calls } = await withCall();
    await fireEvent.click(screen.getByRole('button', { name: 'Add call' }));
    await vi.waitFor(() => expect(hint()).not.toBeNull());
    await fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
    await vi.waitFor(() => expect(hint()).toBeNull());
    expect(field()).toBeNull();

    await fireEvent.click(screen.getByRole('button', { name: 'Add call' }));
    await vi.waitFor(() => expect(hint()).not.toBeNull());
    fake.emit('call.changed', { ...calls.get('a')!, state: 'ended', end: { reason: 'BYE', by: 'remote', durationSeconds: 40 } });
    await vi.waitFor(() => expect(hint()).toBeNull());
    // No call in progress: the dial field is the ordinary one again.
    expect(field()).not.toBeNull();
  });

  it('speaks Korean, and lists + in the shortcuts', async () => {
    await withCall();
    i18n.preference = 'ko';
    await fireEvent.click(await screen.findByRole('button', { name: '통화 추가' }));
    await vi.waitFor(() => expect(hint()?.textContent).toContain('통화 추가 중: Alice 님은 보류 중입니다'));
    expect(within(hint()!).getByRole('button', { name: '취소' })).toBeTruthy();
    await fireEvent.keyDown(document.body, { key: 'F1' });
    expect((await screen.findByRole('dialog', { name: '단축키' })).textContent).toContain('통화 추가 (현재 통화는 보류)');
  });
});

describe('hotkeyFor and Add call', () => {
  const press = (key: string, target: EventTarget | null) => ({ key, target, ctrlKey: false, metaKey: false, altKey: false });
  const inCall = { ringing: false, active: true, endedShown: false };

  it('+ adds a call only on the page, with a connected call and nothing being added', () => {
    const dial = document.createElement('input');
    dial.id = 'dial-target';
    const other = document.createElement('input');
    expect(hotkeyFor(press('+', document.body), { ...inCall, canAddCall: true })).toBe('addCall');
    expect(hotkeyFor(press('+', document.body), inCall)).toBeNull();
    expect(hotkeyFor(press('+', dial), { ...inCall, canAddCall: true })).toBeNull();
    expect(hotkeyFor(press('+', other), { ...inCall, canAddCall: true })).toBeNull();
    expect(hotkeyFor({ ...press('+', document.body), ctrlKey: true }, { ...inCall, canAddCall: true })).toBeNull();
  });

  it('Esc while adding clears the field, then cancels; a ringing call is still declined first', () => {
    const dial = document.createElement('input');
    dial.id = 'dial-target';
    expect(hotkeyFor(press('Escape', dial), { ...inCall, adding: true, dialEmpty: false })).toBe('clearDial');
    expect(hotkeyFor(press('Escape', dial), { ...inCall, adding: true, dialEmpty: true })).toBe('cancelAdd');
    expect(hotkeyFor(press('Escape', dial), { ...inCall, ringing: true, adding: true, dialEmpty: true })).toBe('decline');
    expect(hotkeyFor(press('Escape', document.body), inCall)).toBe('hangup');
  });
});
