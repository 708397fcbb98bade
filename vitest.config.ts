// Test tiers: unit (pure code, fast), integration (real UDP, real Kamailio/baresip/PulseAudio).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
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
    ],
  },
});
