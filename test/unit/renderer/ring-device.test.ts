// Issue 11, "Ring on" in the Audio view: the outputs by name (each name once), saved at once; a saved ring
// device that is not in the list (unplugged) is shown as such, not as "Same as the speaker".
import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../../../src-renderer/App.svelte';
import { Api } from '../../../src-renderer/lib/api';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { Softphone } from '../../../src-renderer/state/softphone.svelte';
import type { AudioDeviceInfo } from '../../../src-main/audio/audio-config';
import { FakeApi, SNAPSHOT } from './fake-api';

let phone: Softphone | null = null;
afterEach(() => {
  phone?.dispose();
  phone = null;
  i18n.preference = 'en';
});

const dev = (id: number, name: string, hostApi: string, out: number, inp = 0): AudioDeviceInfo => ({ id, name, hostApi, maxInputChannels: inp, maxOutputChannels: out, defaultSampleRate: 48000 });

describe('Ring on in the Audio view', () => {
  it('lists each output once by name, saves the choice, and marks a saved device that is missing', async () => {
    const fake = new FakeApi();
    fake.answer('audio.devices', [dev(0, 'Speakers', 'MME', 2), dev(1, 'Headset', 'MME', 2, 1), dev(2, 'Webcam', 'MME', 0, 1), dev(7, 'Headset', 'Windows WASAPI', 2, 1)]);
    phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
    render(App, { props: { phone } });
    await phone.start();
    await fireEvent.click(screen.getByRole('tab', { name: 'Audio' }));
    const ringOn = screen.getByLabelText('Ring on') as HTMLSelectElement;
    await vi.waitFor(() => expect(Array.from(ringOn.options, (o) => o.textContent)).toEqual(['Same as the speaker', 'Speakers (MME)', 'Headset (MME)']));
    expect(ringOn.value).toBe('');
    await fireEvent.change(ringOn, { target: { value: 'Headset' } });
    await vi.waitFor(() => expect(fake.sent('preferences.save').at(-1)).toMatchObject({ ringDevice: 'Headset' }));
    await fireEvent.change(ringOn, { target: { value: '' } });
    await vi.waitFor(() => expect(fake.sent('preferences.save').at(-1)).toMatchObject({ ringDevice: '' }));
  });

  it('a saved ring device that is not connected stays chosen, marked as ringing on the speaker', async () => {
    const fake = new FakeApi();
    fake.answer('app.snapshot', { ...SNAPSHOT, preferences: { ...SNAPSHOT.preferences, ringDevice: 'USB headset' } });
    fake.answer('audio.devices', [dev(0, 'Speakers', 'ALSA', 2)]);
    phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
    render(App, { props: { phone } });
    await phone.start();
    await fireEvent.click(screen.getByRole('tab', { name: 'Audio' }));
    const ringOn = screen.getByLabelText('Ring on') as HTMLSelectElement;
    await vi.waitFor(() => expect(ringOn.selectedOptions[0]?.textContent).toBe('USB headset (not connected: rings on the speaker)'));
  });
});
