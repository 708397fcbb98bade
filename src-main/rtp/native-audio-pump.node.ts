// Moves audio between the JS devices (WAV files) and the native engine's rings: one timer for every
// native call, 20 ms blocks, a few hundred ms ahead on the microphone side, so the engine's packets never
// wait for the JS event loop (a 300 ms blocked loop is still covered) and there is no JS hop per packet.

import type { AudioConfig } from '../audio/audio-config';
import { FRAME_SAMPLES, type AudioInput, type AudioOutput } from '../audio/audio-device';
import { FileInput, FileOutput } from '../audio/file-device.node';
import type { NativeMediaApi } from '../native/native-addon.node';

/** Microphone audio kept queued in the engine (its ring holds 8192 samples, ~1 s). */
export const INPUT_LEAD_SAMPLES = 4800; // 600 ms
const RING_SAMPLES = 8192;
const PUMP_MS = 100;

export interface PumpDevices {
  input: AudioInput | null;
  output: AudioOutput | null;
  close(): Promise<void>;
}

/** Opens the configured file devices; one that fails is reported and left out (the call goes on). */
export async function openPumpDevices(audio: AudioConfig, onError: (message: string) => void): Promise<PumpDevices> {
  let input: AudioInput | null = null;
  let output: AudioOutput | null = null;
  if (audio.kind === 'file') {
    if (audio.play) input = new FileInput(audio.play, audio.loop ?? false);
    if (audio.record) output = new FileOutput(audio.record);
  } else if (audio.kind === 'portaudio') {
    onError('the native media engine does not drive a sound card yet (use --media-engine worker)');
  }
  const [i, o] = await Promise.allSettled([input?.start(), output?.start()]);
  if (i.status === 'rejected') {
    onError((i.reason as Error).message);
    input = null;
  }
  if (o.status === 'rejected') {
    onError((o.reason as Error).message);
    output = null;
  }
  const devices = { input, output };
  return {
    ...devices,
    async close() {
      const results = await Promise.allSettled([devices.input?.close(), devices.output?.close()]);
      for (const r of results) if (r.status === 'rejected') onError((r.reason as Error).message);
    },
  };
}

/** Called every pump round with the peak levels (0..1) of the audio moved in it. */
export type PumpPoll = (levels: { input: number; output: number }) => void;

interface Entry {
  api: NativeMediaApi;
  devices: PumpDevices | null;
  poll: PumpPoll;
  inputDone: boolean;
  inPeak: number;
  outPeak: number;
}

export class NativeAudioPump {
  private readonly entries = new Map<number, Entry>();
  private timer: NodeJS.Timeout | null = null;
  private readonly frame = new Int16Array(FRAME_SAMPLES);

  add(id: number, api: NativeMediaApi, devices: PumpDevices | null, poll: PumpPoll): void {
    const e: Entry = { api, devices, poll, inputDone: !devices?.input, inPeak: 0, outPeak: 0 };
    this.entries.set(id, e);
    this.fill(id, e); // the first packet already carries audio
    if (!this.timer) {
      this.timer = setInterval(() => this.run(), PUMP_MS);
      this.timer.unref(); // the call's SIP dialog keeps the process alive, not this timer
    }
  }

  remove(id: number): void {
    this.entries.delete(id);
    if (this.entries.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Hands everything the engine has played to the output now (before the call closes). */
  drain(id: number): void {
    const e = this.entries.get(id);
    if (e) this.drainOne(id, e);
  }

  private run(): void {
    for (const [id, e] of this.entries) {
      this.fill(id, e);
      this.drainOne(id, e);
      e.poll({ input: e.inPeak / 32768, output: e.outPeak / 32768 });
      e.inPeak = 0;
      e.outPeak = 0;
    }
  }

  private fill(id: number, e: Entry): void {
    const input = e.devices?.input;
    if (!input || e.inputDone) return;
    let lead = RING_SAMPLES - e.api.mediaInputRoom(id);
    while (lead + FRAME_SAMPLES <= INPUT_LEAD_SAMPLES) {
      if (!input.read(this.frame)) {
        // A non-looping file at its end stops here; a streamed file not refilled yet is tried again later.
        if ((input as Partial<FileInput>).ended === true) e.inputDone = true;
        return;
      }
      if (e.api.mediaWriteInput(id, this.frame) !== FRAME_SAMPLES) return;
      e.inPeak = Math.max(e.inPeak, peak(this.frame));
      lead += FRAME_SAMPLES;
    }
  }

  /** Played audio goes to the output device (if any) and into the level meter. */
  private drainOne(id: number, e: Entry): void {
    const output = e.devices?.output;
    while (e.api.mediaReadOutput(id, this.frame) === FRAME_SAMPLES) {
      output?.write(this.frame);
      e.outPeak = Math.max(e.outPeak, peak(this.frame));
    }
  }
}

function peak(frame: Int16Array): number {
  let m = 0;
  for (let i = 0; i < frame.length; i++) {
    const v = frame[i] as number;
    const a = v < 0 ? -v : v;
    if (a > m) m = a;
  }
  return Math.min(m, 32767);
}
