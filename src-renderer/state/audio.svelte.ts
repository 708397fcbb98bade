// Audio devices to choose from (audio.devices), the chosen ones (kept in preferences; the "Ring on" device
// by name, issue 11), and the live
// microphone/speaker levels of the current call (audio.level events, <= 10 Hz).
import type { Api, AudioDeviceInfo } from '../lib/api';
import type { PreferencesState } from './preferences.svelte';

export type RingtoneName = 'classic' | 'long' | 'trill' | 'chime' | 'file';
export const RINGTONE_NAMES: readonly RingtoneName[] = ['classic', 'long', 'trill', 'chime', 'file'];

export class AudioState {
  devices = $state.raw<AudioDeviceInfo[]>([]);
  input = $state(0);
  output = $state(0);
  error = $state('');
  loading = $state(false);
  /** Issue 11: why the ringtone file cannot be used (next to its field), and a preview in progress. */
  ringtoneError = $state('');
  previewing = $state(false);
  /** The WAV path being typed (saved by "Use this file"). */
  ringtoneFileDraft = $state('');
  /** True while "a WAV file" is chosen in the list but no file saved yet. */
  pendingFile = $state(false);
  /**
   * A built-in ringtone just chosen, until the core has saved it: Preview pressed right after choosing
   * rings the chosen one, not the one saved before (on a busy machine the save took long enough for a
   * Preview to ring "classic" after "trill" was picked).
   */
  private choosing = $state<RingtoneName | null>(null);

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

  get ringtone(): RingtoneName {
    return this.preferences.value.ringtone ?? 'classic';
  }

  get ringtoneFile(): string {
    return this.preferences.value.ringtoneFile ?? '';
  }

  /** What the Ringtone list shows: "a WAV file" while one is being chosen, else the saved ringtone. */
  get shownRingtone(): RingtoneName {
    return this.pendingFile ? 'file' : (this.choosing ?? this.ringtone);
  }

  /**
   * A built-in ringtone is saved at once; "a WAV file" waits for a path (useRingtoneFile), which the core
   * checks: a file it cannot play is refused with the reason, and the previous ringtone stays.
   */
  async setRingtone(name: RingtoneName): Promise<void> {
    this.ringtoneError = '';
    if (name === 'file') {
      this.ringtoneFileDraft = this.ringtoneFile;
      this.pendingFile = true;
      return;
    }
    this.pendingFile = false;
    this.choosing = name;
    const r = await this.preferences.update({ ringtone: name });
    // A later choice made while this one was saving stays shown; a refused one falls back to the saved.
    if (this.choosing === name) this.choosing = null;
    this.error = r.ok ? '' : r.message;
  }

  async useRingtoneFile(path: string = this.ringtoneFileDraft): Promise<boolean> {
    const r = await this.preferences.update({ ringtone: 'file', ringtoneFile: path.trim() });
    if (!r.ok) {
      this.ringtoneError = r.fields.ringtoneFile ?? r.message;
      return false;
    }
    this.ringtoneError = '';
    this.pendingFile = false;
    return true;
  }

  /** Rings the shown ringtone a few seconds through the chosen speaker (nothing is saved). */
  async previewRingtone(): Promise<void> {
    if (!this.api) return;
    const name = this.shownRingtone;
    const file = name === 'file' ? (this.pendingFile ? this.ringtoneFileDraft : this.ringtoneFile).trim() : '';
    this.previewing = true;
    const r = await this.api.request('audio.ringtonePreview', { ringtone: name, ...(file ? { ringtoneFile: file } : {}) });
    if (!r.ok) {
      this.previewing = false;
      this.ringtoneError = r.error.fields?.ringtoneFile ?? r.error.message;
      return;
    }
    this.ringtoneError = '';
    setTimeout(() => (this.previewing = false), r.value.seconds * 1000);
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

  /** Issue 11: the "Ring on" device's name; '' = the speaker. */
  get ringDevice(): string {
    return this.preferences.value.ringDevice ?? '';
  }

  /**
   * The saved ring device is not among the listed outputs (unplugged, or the list not loaded yet): the
   * select shows it as such rather than pretend the speaker is chosen. The core rings on the speaker then.
   */
  get ringDeviceMissing(): boolean {
    return this.ringDevice !== '' && !this.outputs.some((d) => d.name === this.ringDevice);
  }

  /** The outputs as "Ring on" lists them: once per name (ring-device.ts picks among devices of one name). */
  get ringOutputs(): AudioDeviceInfo[] {
    return this.outputs.filter((d, i, all) => all.findIndex((x) => x.name === d.name) === i);
  }

  /** '' = ring on the speaker; applies from the next incoming call or Preview. */
  async chooseRingDevice(name: string): Promise<void> {
    const r = await this.preferences.update({ ringDevice: name });
    this.error = r.ok ? '' : r.message;
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
