// createResponse and the header helpers: To tags on our answers (RFC 3261 §8.2.6.2), no empty headers,
// and a Supported header only when we implement an option tag.
import { describe, expect, it } from 'vitest';
import { capabilityHeaders } from '../../../src-main/sip/call-session';
import { hasTagParam } from '../../../src-main/sip/message-gate';
import { createResponse, supportedHeader, withoutEmptyHeaders } from '../../../src-main/sip/sip-headers';
import type { SipRequest } from '../../../src-main/sip/sip-message';

function options(toTag?: string): SipRequest {
  return {
    method: 'OPTIONS',
    uri: 'sip:softphone@192.0.2.10',
    headers: {
      via: [{ version: '2.0', protocol: 'UDP', host: '203.0.113.5', port: 5062, params: { branch: 'z9hG4bKx' } }],
      to: { uri: 'sip:softphone@192.0.2.10', params: toTag ? { tag: toTag } : {} },
      from: { uri: 'sip:probe@203.0.113.5', params: { tag: 'ftag' } },
      'call-id': 'c1',
      cseq: { seq: 1, method: 'OPTIONS' },
    },
  };
}

describe('createResponse', () => {
  it('adds a fresh random To tag to every answer but 100 Trying when the request had none', () => {
    for (const status of [180, 200, 400, 403, 405, 420, 481, 482, 486, 488, 501, 503]) {
      expect(createResponse(options(), status).headers.to.params.tag, String(status)).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(createResponse(options(), 200).headers.to.params.tag).not.toBe(createResponse(options(), 200).headers.to.params.tag);
    expect(createResponse(options(), 100).headers.to.params.tag).toBeUndefined();
  });

  it('keeps the request\'s tag, uses the one given, and leaves To alone with toTag null', () => {
    expect(createResponse(options('theirs'), 200, { toTag: 'ours' }).headers.to.params.tag).toBe('theirs');
    expect(createResponse(options(), 180, { toTag: 'ours' }).headers.to.params.tag).toBe('ours');
    expect(createResponse(options(), 408, { toTag: null }).headers.to.params).toEqual({});
  });

  it('does not change the request it answers', () => {
    const req = options();
    createResponse(req, 200);
    expect(req.headers.to.params).toEqual({});
  });

  it('leaves out headers whose value is empty text', () => {
    const res = createResponse(options(), 200, { headers: { server: '', supported: '  ', allow: 'INVITE' } });
    expect(res.headers.allow).toBe('INVITE');
    expect('server' in res.headers).toBe(false);
    expect('supported' in res.headers).toBe(false);
  });
});

describe('Supported and empty headers', () => {
  it('Supported lists only what is implemented: 100rel and timer, as caller and as callee; never empty', () => {
    expect(supportedHeader()).toEqual({ supported: '100rel, timer' });
    expect(supportedHeader(true)).toEqual({ supported: '100rel, timer' });
    expect(capabilityHeaders()).toEqual({ allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, MESSAGE, INFO, REFER, NOTIFY', accept: 'application/sdp', supported: '100rel, timer' });
  });

  it('withoutEmptyHeaders drops empty text headers and returns the same message when there are none', () => {
    const req = options();
    expect(withoutEmptyHeaders(req)).toBe(req);
    req.headers['user-agent'] = '';
    req.headers.subject = 'hi';
    const out = withoutEmptyHeaders(req);
    expect('user-agent' in out.headers).toBe(false);
    expect(out.headers.subject).toBe('hi');
    expect(out.headers.to).toBe(req.headers.to);
  });
});

describe('hasTagParam (the message gate\'s To check)', () => {
  it('counts a tag after the name-addr, not one inside the URI', () => {
    expect(hasTagParam('<sip:bob@host>;tag=1')).toBe(true);
    expect(hasTagParam('sip:bob@host ; TAG = 1')).toBe(true);
    expect(hasTagParam('<sip:bob@host;tag=1>')).toBe(false);
    expect(hasTagParam('"a;tag=x" <sip:bob@host>')).toBe(false);
    expect(hasTagParam('<sip:bob@host>')).toBe(false);
  });
});
