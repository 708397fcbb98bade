// Issue 11: "20 Tab presses to reach Answer, 18 to reach Hang up; focus does not move to an incoming
// call". Enter answers, Esc hangs up or declines, digits type, F1 / ? lists the keys.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../../src-renderer/App.svelte';
import { Api } from '../../../src-renderer/lib/api';
import { hotkeyFor } from '../../../src-renderer/lib/hotkeys';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { Softphone } from '../../../src-renderer/state/softphone.svelte';
import { FakeApi, callSnapshot } from './fake-api';

let phone: Softphone | null = null;

async function start(fake: FakeApi): Promise<Softphone> {
  phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
  render(App, { props: { phone } });
  await phone.start();
  return phone;
}

const ringing = callSnapshot({ id: 'in-1', direction: 'incoming', state: 'ringing', remoteDisplayName: 'Carol', remoteUri: 'sip:carol@example.com' });

describe('keyboard shortcuts', () => {
  beforeEach(() => {
    i18n.preference = 'en';
  });
  afterEach(() => {
    phone?.dispose();
    phone = null;
  });

  it('moves focus to Answer when a call arrives, and Enter on the page answers it', async () => {
    const fake = new FakeApi();
    await start(fake);
    fake.emit('call.changed', ringing);
    const answer = await screen.findByRole('button', { name: 'Answer' });
    await vi.waitFor(() => expect(document.activeElement).toBe(answer));
    (document.activeElement as HTMLElement).blur();
    await fireEvent.keyDown(document.body, { key: 'Enter' });
    await vi.waitFor(() => expect(fake.sent('call.answer')).toEqual([{ callId: 'in-1' }]));
    expect(fake.sent('call.dial')).toEqual([]);
  });

  it('Enter in the dial field answers the ringing call instead of dialling', async () => {
    const fake = new FakeApi();
    await start(fake);
    fake.emit('call.changed', ringing);
    await screen.findByRole('button', { name: 'Answer' });
    const field = screen.getByLabelText('Number or SIP address');
    field.focus();
    await fireEvent.keyDown(field, { key: 'Enter' });
    await vi.waitFor(() => expect(fake.sent('call.answer')).toEqual([{ callId: 'in-1' }]));
    expect(fake.sent('call.dial')).toEqual([]);
  });

  it('Esc declines a ringing call, and hangs up a call in progress', async () => {
    const fake = new FakeApi();
    await start(fake);
    fake.emit('call.changed', ringing);
    await screen.findByRole('button', { name: 'Answer' });
    await fireEvent.keyDown(document.activeElement ?? document.body, { key: 'Escape' });
    await vi.waitFor(() => expect(fake.sent('call.reject')).toEqual([{ callId: 'in-1' }]));
    fake.emit('call.changed', { ...ringing, state: 'ended', end: { reason: '486 Busy Here', status: 486, by: 'local', durationSeconds: 0 } });

    fake.emit('call.changed', callSnapshot({ id: 'out-1', state: 'connected', connectedAt: Date.now() }));
    await vi.waitFor(() => expect(screen.getByTestId('call-state').textContent).toMatch(/^Connected/));
    await fireEvent.keyDown(document.body, { key: 'Escape' });
    await vi.waitFor(() => expect(fake.sent('call.hangup')).toEqual([{ callId: 'out-1' }]));
  });

  it('digits, * and # typed on the page go into the dial field', async () => {
    await start(new FakeApi());
    for (const key of ['1', '2', '*', '#']) await fireEvent.keyDown(document.body, { key });
    expect((screen.getByLabelText('Number or SIP address') as HTMLInputElement).value).toBe('12*#');
  });

  it('F1 opens the list of shortcuts (in Korean too); Esc closes it and gives focus back', async () => {
    await start(new FakeApi());
    await fireEvent.keyDown(document.body, { key: 'F1' });
    const dialog = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(dialog.textContent).toContain('Answer the ringing call');
    expect(dialog.textContent).toContain('Hang up, or decline a ringing call');
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    await vi.waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Keyboard shortcuts (F1)' }));
    i18n.preference = 'ko';
    await fireEvent.keyDown(document.body, { key: '?' });
    expect((await screen.findByRole('dialog', { name: '단축키' })).textContent).toContain('울리는 전화 받기');
  });
});

describe('hotkeyFor', () => {
  const ctx = { ringing: true, active: false, endedShown: false };
  const press = (key: string, target: EventTarget | null) => ({ key, target, ctrlKey: false, metaKey: false, altKey: false });

  it('leaves Enter and ? to other text fields, buttons and dialogs', () => {
    const input = document.createElement('input');
    const button = document.createElement('button');
    const dialog = document.createElement('div');
    dialog.setAttribute('role', 'dialog');
    const inDialog = document.createElement('input');
    dialog.append(inDialog);
    expect(hotkeyFor(press('Enter', input), ctx)).toBeNull();
    expect(hotkeyFor(press('Enter', button), ctx)).toBeNull();
    expect(hotkeyFor(press('Escape', inDialog), ctx)).toBeNull();
    expect(hotkeyFor(press('?', input), ctx)).toBeNull();
    expect(hotkeyFor(press('Enter', document.body), { ...ctx, ringing: false })).toBeNull();
    expect(hotkeyFor({ ...press('Enter', document.body), ctrlKey: true }, ctx)).toBeNull();
    expect(hotkeyFor(press('Escape', input), { ringing: false, active: true, endedShown: false })).toBe('hangup');
    expect(hotkeyFor(press('Escape', document.body), { ringing: false, active: false, endedShown: true })).toBe('dismiss');
  });
});
