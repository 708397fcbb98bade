// Audio devices to choose from (audio.devices), the chosen ones (kept in preferences), and the live
// microphone/speaker levels of the current call (audio.level events, <= 10 Hz).
import type { Api, AudioDeviceInfo } from '../lib/api';
import type { PreferencesState } from './preferences.svelte';

export class AudioState {
  devices = $state.raw<AudioDeviceInfo[]>([]);
  input = $state(0);
  output = $state(0);
  error = $state('');
  loading = $state(false);

  constructor(
    private readonly api: Api | null,
    private readonly preferences: PreferencesState,
  ) {}

  get inputs(): AudioDeviceInfo[] {
    return this.devices.filter((d) => d.maxInputChannels > 0);
  }

  get outputs(): AudioDeviceInfo[] {
    return this.devices.filter((d) => d.maxOutputChannels > 0);
  }

  get inputDevice(): number | null {
    return this.preferences.value.inputDevice;
  }

  get outputDevice(): number | null {
    return this.preferences.value.outputDevice;
  }

  get echoCancellation(): boolean {
    return this.preferences.value.echoCancellation;
  }

  /** Echo cancellation and noise suppression on the microphone; applies from the next call. */
  async setEchoCancellation(on: boolean): Promise<void> {
    const r = await this.preferences.update({ echoCancellation: on });
    this.error = r.ok ? '' : r.message;
  }

  get comfortNoise(): boolean {
    return this.preferences.value.comfortNoise === true;
  }

  /** RFC 3389 comfort noise: offered in calls, and silence sent as comfort noise; from the next call. */
  async setComfortNoise(on: boolean): Promise<void> {
    const r = await this.preferences.update({ comfortNoise: on });
    this.error = r.ok ? '' : r.message;
  }

  async refresh(): Promise<void> {
    if (!this.api) return;
    this.loading = true;
    const r = await this.api.request('audio.devices', {});
    this.loading = false;
    if (r.ok) {
      this.devices = Array.isArray(r.value) ? r.value.filter((d) => d && typeof d.id === 'number') : [];
      this.error = '';
    } else this.error = r.error.message;
  }

  /** null = the system default device. */
  async choose(kind: 'input' | 'output', id: number | null): Promise<void> {
    const r = await this.preferences.update(kind === 'input' ? { inputDevice: id } : { outputDevice: id });
    this.error = r.ok ? '' : r.message;
  }

  setLevels(input: number | undefined, output: number | undefined): void {
    const clamp = (v: number | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);
    this.input = clamp(input);
    this.output = clamp(output);
  }

  /** No call, no sound: the meters drop to zero instead of freezing at the last level. */
  resetLevels(): void {
    this.setLevels(0, 0);
  }
}
