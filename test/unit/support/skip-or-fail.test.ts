import { describe, expect, it, vi } from 'vitest';
import { inCI, skipUnlessCI } from '../../support/skip-or-fail';

describe('skipUnlessCI', () => {
  it('runs the test when nothing is missing, in CI or not', () => {
    expect(skipUnlessCI('x', null, {})).toBe(false);
    expect(skipUnlessCI('x', null, { CI: 'true' })).toBe(false);
  });

  it('skips, with a warning, outside CI', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(skipUnlessCI('sip-nat.test.ts', 'not root', {})).toBe(true);
    expect(skipUnlessCI('sip-nat.test.ts', 'not root', { CI: 'false' })).toBe(true);
    expect(String(warn.mock.calls[0]?.[0])).toContain('sip-nat.test.ts SKIPPED: not root');
    warn.mockRestore();
  });

  it('fails in CI, saying what is missing', () => {
    expect(() => skipUnlessCI('sip-nat.test.ts', 'not root', { CI: 'true' })).toThrow(/sip-nat\.test\.ts cannot run: not root\. In CI \(CI=true\)/);
    expect(inCI({ CI: '1' })).toBe(true);
    expect(inCI({})).toBe(false);
  });
});
