// Test tiers: unit (pure code, fast), integration (real UDP, real Kamailio/baresip/PulseAudio),
// renderer (Svelte components in jsdom), e2e (the UI in Debian's Chromium against real Kamailio and baresip).
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

/**
 * Integration files that must have the machine to themselves: the sound server's real-time clock
 * (PulseAudio through PortAudio), a datagram flood that measures the audio it must not disturb, main-loop
 * and media-thread stall measurements, and a tshark capture of all loopback traffic (another file's SIP
 * would land in it).
 */
const SERIAL_INTEGRATION = [
  'test/integration/soundcard-call.test.ts',
  'test/integration/bench-answer-smoke.test.ts',
  'test/integration/portaudio-device.test.ts',
  'test/integration/flood-smoke.test.ts',
  'test/integration/bench-block-loop.test.ts',
  'test/integration/media-thread.test.ts',
  'test/integration/password-leak.test.ts',
];
/**
 * Unit, renderer and most integration files share one pool of this many workers (one vitest group).
 * Three on a 2-core machine: the integration files mostly wait on real time (tones, timers, peers), so
 * two workers left the CPUs idle (load average 0.6 through a run) and the suite took 618 s; three took
 * 515 s, and `npm run test:loaded` (two CPU burners) is the check that the margins still hold.
 */
const WORKERS = 3;

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          maxWorkers: WORKERS,
          include: ['test/unit/**/*.test.ts'],
          // Component tests need jsdom and the Svelte compiler: they run in the 'renderer' project.
          exclude: ['test/unit/renderer/**', '**/node_modules/**'],
          environment: 'node',
          // Timeouts bound a hang; they are no speed limit. vitest's 5 s default was missed on a loaded
          // 2-core machine (the first test of a file also pays for compiling it).
          testTimeout: 30_000,
        },
      },
      {
        plugins: [svelte({ configFile: false, compilerOptions: { runes: true } }), svelteTesting()],
        // Svelte's browser build (not its SSR build) so components mount in jsdom.
        resolve: { conditions: ['browser'] },
        test: {
          name: 'renderer',
          maxWorkers: WORKERS,
          include: ['test/unit/renderer/**/*.test.ts'],
          environment: 'jsdom',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: [...SERIAL_INTEGRATION, '**/node_modules/**'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Three files at a time: each has its own ports, Kamailio, namespaces and PulseAudio, and the tone
          // checks carry margins that held with two CPU burners (npm run test:loaded). Serial files below.
          maxWorkers: WORKERS,
        },
      },
      {
        test: {
          name: 'integration-serial',
          include: SERIAL_INTEGRATION,
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One at a time, after everything else (vitest runs single-worker projects last, one file each).
          fileParallelism: false,
        },
      },
      {
        test: {
          // `npm run test:echo`: the echo canceller on a PulseAudio loopback needs a quiet machine (the
          // sound server's real-time clock); not part of `npm test` (see README, "Echo cancellation").
          name: 'audio-lab',
          include: process.env.SOFTPHONE_AUDIO_LAB === '1' ? ['test/audio-lab/**/*.test.ts'] : [],
          environment: 'node',
          testTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          // A browser, the core, Kamailio and baresip per test, with real-time calls: two files at a time,
          // in their own group after the unit and integration files (vitest's sequence.groupOrder), before
          // the serial files. One at a time, the 14 files took 150 s of a 624 s run.
          testTimeout: 90_000,
          hookTimeout: 60_000,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
