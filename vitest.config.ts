// Test tiers: unit (pure code, fast), integration (real UDP, real Kamailio/baresip/PulseAudio),
// renderer (Svelte components in jsdom), e2e (the UI in Debian's Chromium against real Kamailio and baresip).
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
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
          include: ['test/unit/renderer/**/*.test.ts'],
          environment: 'jsdom',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Real peers and real-time audio: keep files sequential so 2 cores are not oversubscribed.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          // A browser, the core, Kamailio and baresip per test, with real-time calls.
          testTimeout: 90_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
