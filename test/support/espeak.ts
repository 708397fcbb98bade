// Recorded-voice test material: espeak-ng speaks a sentence, resampled to the rate a test needs.
import { spawnSync } from 'node:child_process';
import { parseWav } from '../../src-main/audio/wav';
import { Resampler } from '../../src-main/codec/resampler';

/** Why espeak-ng cannot be used here, or null. */
export function espeakMissing(): string | null {
  const r = spawnSync('espeak-ng', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'espeak-ng is not installed';
}

export const SENTENCE =
  'The quick brown fox jumps over the lazy dog. Please call me back on my mobile phone when you have a moment, thank you very much.';

/** The sentence as mono PCM at `rate` (espeak-ng speaks at 22050 Hz). */
export function speak(text = SENTENCE, rate = 8000): Int16Array {
  const r = spawnSync('espeak-ng', ['-v', 'en', '-s', '150', '--stdout', text], { maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`espeak-ng failed: ${String(r.stderr)}`);
  const wav = parseWav(new Uint8Array(r.stdout));
  return new Resampler(wav.sampleRate, rate).process(wav.samples);
}
