// Retry-After (RFC 3261 §20.33): parsing what servers send, and bounding what hostile ones might.
import { describe, expect, it } from 'vitest';
import { describeRetryAfter, MAX_RETRY_AFTER_SECONDS, parseRetryAfter, retryAfterOf } from '../../../src-main/sip/retry-after';
import type { SipResponse } from '../../../src-main/sip/sip-message';

describe('parseRetryAfter', () => {
  it('delta-seconds, with a comment and parameters as in §20.33', () => {
    expect(parseRetryAfter('30')).toEqual({ seconds: 30 });
    expect(parseRetryAfter(' 18000;duration=3600')).toEqual({ seconds: 18000 });
    expect(parseRetryAfter('120 (I\'m in a meeting)')).toEqual({ seconds: 120, comment: 'I\'m in a meeting' });
    expect(parseRetryAfter('0')).toEqual({ seconds: 0 });
  });

  it('absent or malformed: undefined (treated as no Retry-After)', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-5')).toBeUndefined();
    expect(parseRetryAfter('Fri, 30 Jan 2026 10:00:00 GMT')).toBeUndefined();
  });

  it('huge values are capped at a day; control and bidi characters leave the comment', () => {
    expect(parseRetryAfter('4294967295')).toEqual({ seconds: MAX_RETRY_AFTER_SECONDS });
    expect(parseRetryAfter('5 (a\u202eb\u0007c)')).toEqual({ seconds: 5, comment: 'abc' });
    expect(parseRetryAfter(`5 (${'x'.repeat(500)})`)?.comment).toHaveLength(80);
  });

  it('a repeated header (joined with a comma) uses the first value', () => {
    expect(parseRetryAfter('10, 20')).toEqual({ seconds: 10 });
  });
});

describe('retryAfterOf / describeRetryAfter', () => {
  it('reads the header of a response and words it for the user', () => {
    const res: SipResponse = { status: 503, reason: 'Service Unavailable', headers: { 'retry-after': '30 (maintenance)' } } as unknown as SipResponse;
    const r = retryAfterOf(res);
    expect(r).toEqual({ seconds: 30, comment: 'maintenance' });
    expect(describeRetryAfter(r!)).toBe('retry after 30 s (maintenance)');
    expect(describeRetryAfter({ seconds: 2 })).toBe('retry after 2 s');
  });
});
