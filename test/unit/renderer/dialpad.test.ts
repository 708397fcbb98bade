// The dialpad: clicks and keyboard keys append digits to the dial field; during a connected call the
// same keys send DTMF through the calls state; Enter dials.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import DialField from '../../../src-renderer/components/dialpad/DialField.svelte';
import Dialpad from '../../../src-renderer/components/dialpad/Dialpad.svelte';
import { Api } from '../../../src-renderer/lib/api';
import { CallsState } from '../../../src-renderer/state/calls.svelte';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { FakeApi, callSnapshot } from './fake-api';

function setup(recent: string[] = []) {
  const fake = new FakeApi();
  const calls = new CallsState(new Api(() => fake), () => recent);
  render(DialField, { props: { calls, recent } });
  render(Dialpad, { props: { calls } });
  const field = screen.getByLabelText('Number or SIP address') as HTMLInputElement;
  return { fake, calls, field };
}

describe('Dialpad', () => {
  beforeEach(() => {
    i18n.preference = 'en';
  });

  it('has 12 labelled keys in phone order, with letters', () => {
    setup();
    const keys = screen.getAllByRole('button').filter((b) => b.classList.contains('key'));
    expect(keys.map((k) => k.getAttribute('aria-label'))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#']);
    expect(keys[1]?.textContent).toContain('ABC');
    expect(keys[8]?.textContent).toContain('WXYZ');
  });

  it('clicks append digits to the dial field', async () => {
    const { calls, field, fake } = setup();
    for (const k of ['5', '5', '0', '*', '#']) await fireEvent.click(screen.getByRole('button', { name: k }));
    expect(calls.dialTarget).toBe('550*#');
    expect(field.value).toBe('550*#');
    expect(fake.sent('call.dtmf')).toHaveLength(0);
  });

  it('keyboard keys append digits; keys typed into the field are not doubled', async () => {
    const { calls, field } = setup();
    await fireEvent.keyDown(document.body, { key: '1' });
    await fireEvent.keyDown(document.body, { key: '0' });
    await fireEvent.keyDown(document.body, { key: '#' });
    await fireEvent.keyDown(document.body, { key: 'a' });
    expect(field.value).toBe('10#');
    // A key event aimed at the text field is the field's own business.
    await fireEvent.keyDown(field, { key: '7' });
    expect(calls.dialTarget).toBe('10#');
    // Modifier chords (copy, reload…) never dial.
    await fireEvent.keyDown(document.body, { key: '9', ctrlKey: true });
    expect(calls.dialTarget).toBe('10#');
    await fireEvent.keyDown(document.body, { key: 'Backspace' });
    expect(field.value).toBe('10');
  });

  it('Enter dials the number in the field', async () => {
    const { fake } = setup();
    await fireEvent.click(screen.getByRole('button', { name: '2' }));
    await fireEvent.click(screen.getByRole('button', { name: '0' }));
    await fireEvent.keyDown(document.body, { key: 'Enter' });
    await vi.waitFor(() => expect(fake.sent('call.dial')).toEqual([{ target: '20' }]));
  });

  it('an empty field redials the most recent number', async () => {
    const { fake } = setup(['sip:carol@example.com', 'sip:dave@example.com']);
    await fireEvent.submit(document.getElementById('dial-form') as HTMLFormElement);
    await vi.waitFor(() => expect(fake.sent('call.dial')).toEqual([{ target: 'sip:carol@example.com' }]));
  });

  it('during a connected call, clicks and keys send DTMF through the state', async () => {
    const { calls, fake } = setup();
    calls.apply(callSnapshot({ id: 'c7', state: 'connected', connectedAt: Date.now() }));
    await fireEvent.click(screen.getByRole('button', { name: '7' }));
    await fireEvent.keyDown(document.body, { key: '#' });
    await vi.waitFor(() => expect(fake.sent('call.dtmf')).toEqual([
      { callId: 'c7', digits: '7' },
      { callId: 'c7', digits: '#' },
    ]));
    expect(calls.dialTarget).toBe('');
    expect(calls.dtmf.c7).toBe('7#');
    expect(screen.getByRole('group').getAttribute('aria-label')).toBe('Dial pad (sends DTMF tones)');
    calls.dispose();
  });

  it('while a call is still ringing, keys neither dial nor send DTMF', async () => {
    const { calls, fake } = setup();
    calls.apply(callSnapshot({ state: 'ringing' }));
    await fireEvent.click(screen.getByRole('button', { name: '3' }));
    await fireEvent.keyDown(document.body, { key: '4' });
    expect(calls.dialTarget).toBe('');
    expect(fake.sent('call.dtmf')).toHaveLength(0);
  });
});
