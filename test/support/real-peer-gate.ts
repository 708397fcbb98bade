// Whether a real-peer test may skip for a missing tool or privilege: on a developer's machine it skips,
// loudly; in CI (CI=true, as GitHub Actions and most CI services set it) it fails, so a missing package
// can never turn a green run into one that tested nothing.

import { networkInterfaces } from 'node:os';

/** CI=true / 1 / yes (any case). */
export const IN_CI = /^(true|1|yes)$/i.test(process.env.CI ?? '');

/**
 * `reason` = why `what` cannot run here, or null. Returns true when the test should skip; in CI it throws
 * instead (the test file then fails to load, with this message).
 */
export function skipWithoutRealPeer(what: string, reason: string | null): boolean {
  if (reason === null) return false;
  const fix = 'bash test/setup-system.sh installs the tools; namespace tests need root';
  if (IN_CI) throw new Error(`${what} cannot run: ${reason}. In CI (CI=${process.env.CI ?? ''}) a real-peer test fails instead of skipping (${fix}).`);
  const bar = '!'.repeat(100);
  console.warn(`\n${bar}\n!!! ${what} SKIPPED: ${reason} (${fix}; with CI=true this fails)\n${bar}\n`);
  return true;
}

/** Why IPv6 tests cannot run here (no ::1 on any interface: a container without IPv6), or null. */
export function ipv6LoopbackMissing(): string | null {
  const found = Object.values(networkInterfaces()).some((list) => list?.some((i) => i.family === 'IPv6' && i.address === '::1'));
  return found ? null : 'no IPv6 loopback (::1) on this machine';
}
