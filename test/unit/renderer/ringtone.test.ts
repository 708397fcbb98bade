// Issue 11, the ringtone in the Audio view: a built-in one is saved at once; "A WAV file…" asks for a path
// that the core checks (its refusal shows next to the field, verbatim); Preview asks the core to ring the
// shown choice without saving it.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../../../src-renderer/App.svelte';
import { Api } from '../../../src-renderer/lib/api';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { Softphone } from '../../../src-renderer/state/softphone.svelte';
import type { PreferencesForm } from '../../../src-main/ipc/contract';
import { FakeApi } from './fake-api';

let phone: Softphone | null = null;
afterEach(() => {
  phone?.dispose();
  phone = null;
  i18n.preference = 'en';
});

/** The window on its Audio view over `fake` (Preview answered); the Ringtone list. */
async function openAudio(fake: FakeApi): Promise<{ phone: Softphone; select: HTMLSelectElement }> {
  fake.answer('audio.ringtonePreview', { seconds: 4 });
  const p = new Softphone({ api: new Api(() => fake), mode: 'web' });
  render(App, { props: { phone: p } });
  await p.start();
  await fireEvent.click(screen.getByRole('tab', { name: 'Audio' }));
  return { phone: p, select: screen.getByLabelText('Ringtone') as HTMLSelectElement };
}

describe('ringtone in the Audio view', () => {
  it('saves a built-in ringtone; a WAV path the core refuses shows why; Preview rings the shown choice', async () => {
    const fake = new FakeApi();
    fake.respond('preferences.save', (p: PreferencesForm) =>
      p.ringtoneFile === '/tmp/notes.txt'
        ? { ok: false, error: { code: 'invalid-request', message: 'invalid preferences', fields: { ringtoneFile: 'cannot play /tmp/notes.txt: not a WAV file: missing RIFF/WAVE header' } } }
        : { ok: true, value: { ...p, hasTurnPassword: false } },
    );
    const { phone: p, select } = await openAudio(fake);
    phone = p;
    expect(Array.from(select.querySelectorAll("option"), (o) => o.textContent)).toEqual(['Classic double ring', 'Long ring', 'Trill', 'Chime', 'A WAV file…']);
    await fireEvent.change(select, { target: { value: 'trill' } });
    await vi.waitFor(() => expect(fake.sent('preferences.save').at(-1)).toMatchObject({ ringtone: 'trill' }));

    await fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    await vi.waitFor(() => expect(fake.sent('audio.ringtonePreview')).toEqual([{ ringtone: 'trill' }]));

    await fireEvent.change(select, { target: { value: 'file' } });
    const path = await screen.findByLabelText('WAV file (its path on this computer)');
    await fireEvent.input(path, { target: { value: '/tmp/notes.txt' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Use this file' }));
    expect((await screen.findByTestId('ringtone-error')).textContent).toBe('cannot play /tmp/notes.txt: not a WAV file: missing RIFF/WAVE header');
    // Refused: the saved ringtone is still trill.
    expect(phone.preferences.value.ringtone).toBe('trill');

    await fireEvent.input(path, { target: { value: '/home/me/ring.wav' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Use this file' }));
    await vi.waitFor(() => expect(phone?.preferences.value).toMatchObject({ ringtone: 'file', ringtoneFile: '/home/me/ring.wav' }));
    expect(screen.queryByTestId('ringtone-error')).toBeNull();
  });

  it('Preview right after choosing rings the chosen ringtone while the core is still saving it', async () => {
    const fake = new FakeApi();
    let release = (): void => {};
    // The core's save is slow (a busy machine): it answers only when released.
    fake.respond('preferences.save', (p: PreferencesForm) =>
      new Promise((resolve) => {
        release = () => resolve({ ok: true, value: { ...p, hasTurnPassword: false } });
      }),
    );
    const { phone: p, select } = await openAudio(fake);
    phone = p;
    await fireEvent.change(select, { target: { value: 'trill' } });
    await vi.waitFor(() => expect(fake.sent('preferences.save').at(-1)).toMatchObject({ ringtone: 'trill' }));
    expect(phone.preferences.value.ringtone ?? 'classic').toBe('classic');
    await fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    await vi.waitFor(() => expect(fake.sent('audio.ringtonePreview')).toEqual([{ ringtone: 'trill' }]));
    release();
    await vi.waitFor(() => expect(phone?.preferences.value.ringtone).toBe('trill'));
    expect(select.value).toBe('trill');
  });
});
