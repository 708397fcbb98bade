import { describe, expect, it } from 'vitest';
import { createRedirectTracker, MAX_REDIRECTS, nextRedirect } from '../../../src-main/sip/redirect';
import type { SipNameAddr, SipResponse } from '../../../src-main/sip/sip-message';

function redirect(status: number, contacts: SipNameAddr[]): SipResponse {
  return {
    status,
    reason: status === 302 ? 'Moved Temporarily' : 'Multiple Choices',
    headers: {
      via: [],
      to: { uri: 'sip:bob@example.com', params: { tag: 'x' } },
      from: { uri: 'sip:alice@example.com', params: { tag: 'a' } },
      'call-id': 'c',
      cseq: { seq: 1, method: 'INVITE' },
      contact: contacts,
    },
  };
}

describe('3xx redirects (RFC 3261 §8.1.3.4)', () => {
  it('follows the highest-q Contact and drops URI headers', () => {
    const t = createRedirectTracker('sip:bob@example.com');
    const r = nextRedirect(
      redirect(302, [
        { uri: 'sip:bob@192.0.2.1', params: { q: '0.5' } },
        { uri: 'sip:bob@192.0.2.2?Subject=hi', params: { q: '0.9' } },
      ]),
      t,
    );
    expect(r).toEqual({ uri: 'sip:bob@192.0.2.2' });
    expect(t.redirects).toBe(1);
  });

  it('detects a loop back to a URI already tried', () => {
    const t = createRedirectTracker('sip:bob@example.com');
    expect(nextRedirect(redirect(302, [{ uri: 'sip:bob@EXAMPLE.com', params: {} }]), t)).toEqual({ error: '302 Moved Temporarily: redirect loop' });
  });

  it(`stops after ${MAX_REDIRECTS} redirects`, () => {
    const t = createRedirectTracker('sip:bob@example.com');
    for (let i = 1; i <= MAX_REDIRECTS; i++) expect(nextRedirect(redirect(302, [{ uri: `sip:bob@192.0.2.${i}`, params: {} }]), t)).toEqual({ uri: `sip:bob@192.0.2.${i}` });
    const r = nextRedirect(redirect(302, [{ uri: 'sip:bob@192.0.2.99', params: {} }]), t);
    expect('error' in r && r.error).toMatch(/too many redirects/);
  });

  it('does not follow 300, or a 302 without a usable Contact', () => {
    const t = createRedirectTracker('sip:bob@example.com');
    expect(nextRedirect(redirect(300, [{ uri: 'sip:bob@192.0.2.1', params: {} }]), t)).toEqual({ error: '300 Multiple Choices' });
    expect(nextRedirect(redirect(302, [{ uri: 'mailto:bob@example.com', params: {} }]), t)).toEqual({ error: '302 Moved Temporarily without a usable Contact' });
  });
});
