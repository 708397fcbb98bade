// A real-peer test that cannot run here (a tool or a privilege missing) skips, loudly, on a developer's
// machine; in CI (CI=true, as .ci/run and most CI services set it) it fails instead, so a runner that
// lacks Kamailio, PulseAudio or root cannot turn the suite green by skipping the tests that need them.

/** True when the CI environment variable says so (GitHub Actions, GitLab and others set CI=true). */
export function inCI(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|yes)$/i.test(env.CI ?? '');
}

/**
 * `reason` is null when the test can run. Otherwise: outside CI, warns and returns true (skip); in CI,
 * throws, which fails the test file with the reason.
 */
export function skipUnlessCI(what: string, reason: string | null, env: NodeJS.ProcessEnv = process.env): boolean {
  if (reason === null) return false;
  if (inCI(env)) {
    throw new Error(`${what} cannot run: ${reason}. In CI (CI=true) that is a failure, not a skip: run \`bash test/setup-system.sh\` as root first.`);
  }
  console.warn(`\n${'!'.repeat(100)}\n!!! ${what} SKIPPED: ${reason}\n${'!'.repeat(100)}\n`);
  return true;
}
