// Tone WAVs for the far ends of a test call, and the check of a recording: which share of it holds the
// expected tone once the call's audio has started.
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav, parseWav } from '../../src-main/audio/wav';
import { generateTone, toneCoverage } from '../../src-main/audio/tone-analysis';

/** The caller's tone and the callee's: far enough apart that neither is mistaken for the other. */
export const TONE_A_HZ = 1000;
export const TONE_B_HZ = 1500;
export const TONE_RATE = 8000;

export function makeTempDir(prefix = 'softphone-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes an 8 kHz mono 16-bit tone WAV (long enough for any test call) and returns its path. */
export function writeToneWav(dir: string, freqHz: number, seconds = 30, amplitude = 0.5): string {
  const path = join(dir, `tone-${freqHz}hz.wav`);
  writeFileSync(path, encodeWav(generateTone(freqHz, seconds, TONE_RATE, amplitude), TONE_RATE));
  return path;
}

/** A recording as mono samples (the first channel if it has more). */
export function readWavMono(path: string): { sampleRate: number; samples: Int16Array } {
  const wav = parseWav(readFileSync(path));
  if (wav.channels <= 1) return { sampleRate: wav.sampleRate, samples: wav.samples };
  const frames = Math.floor(wav.samples.length / wav.channels);
  const mono = new Int16Array(frames);
  for (let i = 0; i < frames; i++) mono[i] = wav.samples[i * wav.channels] as number;
  return { sampleRate: wav.sampleRate, samples: mono };
}

export interface ToneReport {
  /** Length of the whole recording. */
  seconds: number;
  /** When the tone first appears (the call's audio starting), in seconds from the recording's start. */
  onsetSeconds: number | null;
  /** Seconds measured: from onset + warm-up to the end minus the tail. */
  measuredSeconds: number;
  /** Share (0..1) of 20 ms windows in the measured part where the tone clearly dominates. */
  coverage: number;
  /** Same, for the other test tone (should be ~0: we must not hear ourselves). */
  otherCoverage: number;
}

/**
 * Tone coverage of a recording after a warm-up: the measured part starts `warmupMs` after the tone is
 * first heard (jitter buffer filling, codec start) and leaves out the last `tailMs` (the hang-up).
 */
export function toneReport(path: string, freqHz: number, opts: ToneReportOptions = {}): ToneReport {
  const { sampleRate, samples } = readWavMono(path);
  return toneReportOf(samples, sampleRate, freqHz, opts);
}

export interface ToneReportOptions {
  /** Skipped after the tone is first heard; default 300 ms. */
  warmupMs?: number;
  /** Left out at the end; default 200 ms. */
  tailMs?: number;
  /** The tone that must not be there; default the other test tone. */
  otherHz?: number;
}

/** toneReport() for samples already in memory (e.g. a sound card's monitor recording). */
export function toneReportOf(samples: Int16Array, sampleRate: number, freqHz: number, opts: ToneReportOptions = {}): ToneReport {
  const otherHz = opts.otherHz ?? (freqHz === TONE_A_HZ ? TONE_B_HZ : TONE_A_HZ);
  const win = Math.round(sampleRate * 0.02);
  let onset = -1;
  for (let start = 0; start + win <= samples.length; start += win) {
    if (toneCoverage(samples.subarray(start, start + win), sampleRate, freqHz) === 1) {
      onset = start;
      break;
    }
  }
  const seconds = samples.length / sampleRate;
  if (onset < 0) return { seconds, onsetSeconds: null, measuredSeconds: 0, coverage: 0, otherCoverage: 0 };
  const from = onset + Math.round(((opts.warmupMs ?? 300) * sampleRate) / 1000);
  const to = samples.length - Math.round(((opts.tailMs ?? 200) * sampleRate) / 1000);
  const part = samples.subarray(Math.min(from, to), Math.max(from, to));
  return {
    seconds,
    onsetSeconds: onset / sampleRate,
    measuredSeconds: part.length / sampleRate,
    coverage: toneCoverage(part, sampleRate, freqHz, { otherFreqs: [otherHz] }),
    otherCoverage: toneCoverage(part, sampleRate, otherHz),
  };
}

/** One line for assertion messages. */
export function describeReport(label: string, r: ToneReport): string {
  return `${label}: coverage ${(r.coverage * 100).toFixed(1)}% over ${r.measuredSeconds.toFixed(2)} s ` +
    `(recording ${r.seconds.toFixed(2)} s, tone from ${r.onsetSeconds?.toFixed(2) ?? 'never'} s, other tone ${(r.otherCoverage * 100).toFixed(1)}%)`;
}

/** A tone's gap in a recording: the longest run of 20 ms windows without `hz` between its first and last. */
export interface ToneGap {
  /** Seconds without the tone (a hold or a mute). */
  gapSeconds: number;
  /** Seconds of the tone's span before and after the gap. */
  before: number;
  after: number;
  /** The timeline, one character per 20 ms window ('#' = tone), for failure messages. */
  text: string;
}

export function toneGap(path: string, hz: number): ToneGap {
  const { sampleRate, samples } = readWavMono(path);
  const win = Math.round(sampleRate * 0.02);
  const tone: boolean[] = [];
  for (let s = 0; s + win <= samples.length; s += win) tone.push(toneCoverage(samples.subarray(s, s + win), sampleRate, hz) === 1);
  const first = tone.indexOf(true);
  const last = tone.lastIndexOf(true);
  let best = 0;
  let start = first;
  for (let i = first, run = 0; i >= 0 && i <= last; i++) {
    run = tone[i] ? 0 : run + 1;
    if (run > best) [best, start] = [run, i - run + 1];
  }
  return { gapSeconds: best * 0.02, before: (start - first) * 0.02, after: (last - start - best) * 0.02, text: tone.map((t) => (t ? '#' : '.')).join('') };
}

