// Any request we send in a dialog (INFO, re-INVITE, OPTIONS, BYE) answers a 401/407 once per realm with a
// new CSeq and its own body in the digest; ACK is never re-sent; the handler sees the final answer.
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { Dialog } from '../../../src-main/sip/dialog';
import { DigestClient } from '../../../src-main/sip/digest-client';
import { sendInDialogRequest, type InDialogDeps } from '../../../src-main/sip/in-dialog-request';
import type { SipResponse } from '../../../src-main/sip/sip-message';
import { FakeTransport, flush, silentLogger } from './fake-sip-network';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const unq = (s: string | undefined): string => (s ?? '').replace(/^"|"$/g, '');

let net: FakeTransport;
let answers: Array<{ status: number; authFailure: string | undefined }>;

function deps(accountHop = true, withCredentials = true): InDialogDeps {
  const dialog = new Dialog({
    callId: 'cid',
    localTag: 'a',
    remoteTag: 'b',
    local: { uri: 'sip:alice@example.com', params: {} },
    remote: { uri: 'sip:bob@example.com', params: {} },
    localSeq: 1,
    remoteSeq: undefined,
    remoteTarget: 'sip:bob@203.0.113.5:5062',
    routeSet: ['sip:198.51.100.1;lr'],
  });
  return {
    dialog,
    transport: net,
    log: silentLogger,
    callId: 'cid',
    userAgent: 'unit',
    resolveHop: (uri) => net.resolve({ host: uri.includes('198.51.100.1') ? '198.51.100.1' : '203.0.113.5' }),
    isAccountHop: async () => accountHop,
    auth: withCredentials ? new DigestClient({ username: 'alice', password: 'secret' }, { realms: ['example.com'], refuseMd5WithoutQop: false }) : undefined,
  };
}

const record = (res: SipResponse, _info: unknown, authFailure?: string): void => void answers.push({ status: res.status, authFailure });
const challenge = (qop = '"auth"') => ({ 'proxy-authenticate': [{ scheme: 'Digest', realm: '"example.com"', nonce: '"n"', qop, algorithm: 'MD5' }] });

beforeEach(() => {
  net = new FakeTransport();
  answers = [];
});

describe('sendInDialogRequest', () => {
  it('INFO with a body, 407 offering auth-int only: sent again with CSeq + 1 and a digest over that body', async () => {
    const body = 'Signal=5\r\nDuration=160\r\n';
    void sendInDialogRequest(deps(), 'INFO', { content: body, contentType: 'application/dtmf-relay' }, record);
    await flush();
    const first = net.last('INFO');
    expect(first.request.headers.cseq).toEqual({ seq: 2, method: 'INFO' });
    expect(first.to).toEqual({ address: '198.51.100.1', port: 5060 });
    expect(first.request.headers['proxy-authorization']).toBeUndefined();
    net.answer(first, 407, { headers: challenge('"auth-int"') });
    await flush();
    const second = net.last('INFO');
    expect(second.request.headers.cseq).toEqual({ seq: 3, method: 'INFO' });
    expect(second.request.content).toBe(body);
    const h = second.request.headers['proxy-authorization']?.[0];
    expect(h?.qop).toBe('auth-int');
    const ha1 = md5('alice:example.com:secret');
    const ha2 = md5(`INFO:${second.request.uri}:${md5(body)}`);
    expect(unq(h?.response)).toBe(md5(`${ha1}:n:${h?.nc}:${unq(h?.cnonce)}:auth-int:${ha2}`));
    expect(answers).toEqual([]);
    net.answer(second, 200);
    expect(answers).toEqual([{ status: 200, authFailure: undefined }]);
  });

  it('the same realm again: the handler gets the 407 and why; no third request', async () => {
    void sendInDialogRequest(deps(), 'OPTIONS', {}, record);
    await flush();
    net.answer(net.last('OPTIONS'), 407, { headers: challenge() });
    await flush();
    net.answer(net.last('OPTIONS'), 407, { headers: challenge() });
    await flush();
    expect(net.requests('OPTIONS')).toHaveLength(2);
    expect(answers).toEqual([{ status: 407, authFailure: '407 Proxy Authentication Required (wrong password?)' }]);
  });

  it('a hop that is not the account\'s, or no credentials: not answered', async () => {
    void sendInDialogRequest(deps(false), 'BYE', {}, record);
    await flush();
    net.answer(net.last('BYE'), 401, { headers: { 'www-authenticate': challenge()['proxy-authenticate'] } });
    void sendInDialogRequest(deps(true, false), 'BYE', {}, record);
    await flush();
    net.answer(net.last('BYE'), 401, { headers: { 'www-authenticate': challenge()['proxy-authenticate'] } });
    await flush();
    expect(net.requests('BYE')).toHaveLength(2);
    expect(answers.map((a) => a.authFailure)).toEqual([
      "not sending your password to 198.51.100.1: it is not your account's registrar or outbound proxy",
      '401 Unauthorized (no credentials for it)',
    ]);
  });

  it('ACK goes out once with the credentials it was given, and is never re-sent on a challenge', async () => {
    const creds = { authorization: [{ scheme: 'Digest', realm: '"example.com"', response: '"r"' }] };
    await sendInDialogRequest(deps(), 'ACK', { seq: 1, credentials: creds }, record);
    const ack = net.last('ACK');
    expect(ack.request.headers.cseq).toEqual({ seq: 1, method: 'ACK' });
    expect(ack.request.headers.authorization).toEqual(creds.authorization);
    expect(net.requests('ACK')).toHaveLength(1);
  });
});
