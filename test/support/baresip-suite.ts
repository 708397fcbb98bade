// The set-up every baresip interop file shares: a temp folder with tone A and tone B WAVs, and after each
// test our CLI processes and every baresip started through it stopped; the folder removed at the end.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { TONE_A_HZ, TONE_B_HZ, makeTempDir, removeDir, writeToneWav } from './audio-check';
import { startBaresip, type Baresip, type BaresipOptions } from './baresip';
import { stopAllSoftphones } from './softphone-process';

export interface BaresipSuite {
  /** The file's temp folder (valid inside tests). */
  readonly dir: string;
  /** A WAV of TONE_A_HZ (what our side plays) and one of TONE_B_HZ (what baresip plays). */
  readonly toneA: string;
  readonly toneB: string;
  /** startBaresip, stopped after the test. */
  start(opts: BaresipOptions): Promise<Baresip>;
}

export function useBaresipSuite(dirPrefix: string): BaresipSuite {
  let dir = '';
  let toneA = '';
  let toneB = '';
  const running: Baresip[] = [];
  beforeAll(() => {
    dir = makeTempDir(dirPrefix);
    toneA = writeToneWav(dir, TONE_A_HZ);
    toneB = writeToneWav(dir, TONE_B_HZ);
  });
  afterEach(async () => {
    await stopAllSoftphones();
    for (const b of running.splice(0)) await b.stop();
  });
  afterAll(() => removeDir(dir));
  return {
    get dir() {
      return dir;
    },
    get toneA() {
      return toneA;
    },
    get toneB() {
      return toneB;
    },
    async start(opts) {
      const b = await startBaresip(opts);
      running.push(b);
      return b;
    },
  };
}
