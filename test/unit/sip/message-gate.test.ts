// The strict gate (message-gate.ts) on every RFC 4475 torture message and the RFC 5118 IPv6 ones:
// valid messages reach the parser (and the `sip` package parses them), invalid ones get the answer
// the RFC describes; plus the size and count caps and the shape of a stateless answer.
import { describe, expect, it } from 'vitest';
import * as sip from 'sip';
import { DEFAULT_GATE_LIMITS, RECOGNISED_METHODS, gateDatagram, type GateConfig } from '../../../src-main/sip/message-gate';
import { TORTURE_CASES, loadTortureMessage } from '../../support/torture-messages';

const config: GateConfig = { ...DEFAULT_GATE_LIMITS, knownMethods: RECOGNISED_METHODS, allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS', newTag: () => 'gatetag' };
const judge = (text: string) => gateDatagram(text, config);

function options(extra: string[] = [], body = ''): string {
  return [
    'OPTIONS sip:bob@127.0.0.1:5060 SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKabc;rport',
    'Max-Forwards: 70',
    'From: <sip:probe@127.0.0.1>;tag=1',
    'To: <sip:bob@127.0.0.1>',
    'Call-ID: abc@127.0.0.1',
    'CSeq: 1 OPTIONS',
    ...extra,
    `Content-Length: ${body.length}`,
    '',
    body,
  ].join('\r\n');
}

describe('message gate: RFC 4475 and RFC 5118 messages', () => {
  for (const c of TORTURE_CASES) {
    it(`${c.section} ${c.title} (${c.file}) -> ${c.gate}`, () => {
      const bytes = loadTortureMessage(c.file);
      const v = judge(bytes.toString('latin1'));
      const got = v.action === 'reject' ? v.status : v.action;
      expect(got, 'reason' in v ? v.reason : '').toBe(c.gate);
      if (v.action === 'pass') {
        // what the gate lets through, the package's parser must be able to read
        const m = sip.parse(bytes);
        expect(m).toBeDefined();
      }
      if (v.action === 'reject') {
        expect(v.response).toMatch(new RegExp(`^SIP/2\\.0 ${c.gate} `));
        expect(v.response.endsWith('Content-Length: 0\r\n\r\n')).toBe(true);
      }
    });
  }

  it('the fixtures decode to what the RFC says: CRLF line ends, the multipart body 553 octets', () => {
    const mpart = loadTortureMessage('mpart01.dat').toString('latin1');
    expect(mpart.length - (mpart.indexOf('\r\n\r\n') + 4)).toBe(553);
    expect(loadTortureMessage('wsinv.dat').toString('latin1')).not.toMatch(/[^\r]\n/);
  });

  it('RFC 5118 §4.6 with its Content-Length corrected to its body (251) passes', () => {
    const text = loadTortureMessage('rfc5118/ipv6-in-sdp.dat').toString('latin1').replace('Content-Length: 268', 'Content-Length: 251');
    expect(judge(text).action).toBe('pass');
  });
});

describe('message gate: caps and answers', () => {
  it('passes an ordinary request and answers a 501 with Allow, copying Via/From/To/Call-ID/CSeq and adding a To tag', () => {
    expect(judge(options())).toEqual({ action: 'pass', kind: 'request', method: 'OPTIONS' });
    const v = judge(options().replace(/OPTIONS/g, 'FROBNICATE'));
    expect(v.action).toBe('reject');
    if (v.action !== 'reject') return;
    expect(v.status).toBe(501);
    expect(v.response).toContain('\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKabc;rport\r\n');
    expect(v.response).toContain('\r\nTo: <sip:bob@127.0.0.1>;tag=gatetag\r\n');
    expect(v.response).toContain('\r\nCall-ID: abc@127.0.0.1\r\n');
    expect(v.response).toContain('\r\nCSeq: 1 FROBNICATE\r\n');
    expect(v.response).toContain('\r\nAllow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n');
  });

  it('tags a To whose only "tag" is inside its URI, keeps a real tag, and writes no empty header line (§8.2.6.2)', () => {
    const uriTag = judge(options().replace(/OPTIONS/g, 'FROBNICATE').replace('To: <sip:bob@127.0.0.1>', 'To: <sip:bob@127.0.0.1;tag=inuri>'));
    expect(uriTag.action === 'reject' && uriTag.response).toContain('\r\nTo: <sip:bob@127.0.0.1;tag=inuri>;tag=gatetag\r\n');
    const tagged = judge(options().replace(/OPTIONS/g, 'FROBNICATE').replace('To: <sip:bob@127.0.0.1>', 'To: <sip:bob@127.0.0.1>;tag=dlg'));
    expect(tagged.action === 'reject' && tagged.response).toContain('\r\nTo: <sip:bob@127.0.0.1>;tag=dlg\r\n');
    const bad = judge(options().replace('CSeq: 1 OPTIONS', 'CSeq: x OPTIONS'));
    expect(bad.action).toBe('reject');
    if (bad.action !== 'reject') return;
    expect(bad.status).toBe(400);
    const lines = bad.response.split('\r\n').filter((l) => l !== '');
    for (const l of lines.slice(1)) expect(l, l).toMatch(/^[A-Za-z-]+: \S/);
  });

  it('drops a datagram over the size cap unread, and a keep-alive quietly', () => {
    const big = options([`X-Pad: ${'a'.repeat(DEFAULT_GATE_LIMITS.maxBytes)}`]);
    expect(judge(big)).toMatchObject({ action: 'drop' });
    expect(judge('\r\n\r\n')).toEqual({ action: 'drop', reason: 'keep-alive' });
  });

  it('answers 400 past the header-field cap and past the list-value cap', () => {
    const many = Array.from({ length: DEFAULT_GATE_LIMITS.maxHeaders }, (_, i) => `X-H${i}: ${i}`);
    expect(judge(options(many))).toMatchObject({ action: 'reject', status: 400 });
    const routes = Array.from({ length: DEFAULT_GATE_LIMITS.maxListValues + 1 }, (_, i) => `<sip:p${i}.example.com;lr>`).join(',');
    expect(judge(options([`Record-Route: ${routes}`]))).toMatchObject({ action: 'reject', status: 400 });
  });

  it('415 for an INVITE body that is not SDP or is encoded, with Accept', () => {
    const invite = (headers: string[]) => options(headers, 'v=0\r\n').replace(/OPTIONS/g, 'INVITE');
    const encoded = judge(invite(['Content-Type: application/sdp', 'Content-Encoding: gzip']));
    expect(encoded).toMatchObject({ action: 'reject', status: 415 });
    if (encoded.action === 'reject') expect(encoded.response).toContain('\r\nAccept-Encoding: identity\r\n');
    const typed = judge(invite(['Content-Type: text/plain']));
    expect(typed).toMatchObject({ action: 'reject', status: 415 });
    if (typed.action === 'reject') expect(typed.response).toContain('\r\nAccept: application/sdp\r\n');
    expect(judge(invite(['Content-Type: application/SDP; charset=utf-8'])).action).toBe('pass');
  });

  it('never answers an ACK or a request without Via, and drops garbage', () => {
    expect(judge(options(['Content-Length: 5']).replace(/OPTIONS/g, 'ACK'))).toMatchObject({ action: 'drop' });
    expect(judge(options().replace(/Via: .*\r\n/, '').replace('SIP/2.0\r\n', 'SIP/3.0\r\n'))).toMatchObject({ action: 'drop' });
    // A well-formed request but for its missing Via: nowhere to answer, and the package would refuse it anyway.
    expect(judge(options().replace(/Via: .*\r\n/, ''))).toMatchObject({ action: 'drop', reason: '400 missing via (no way to answer)' });
    expect(judge('\u00de\u00ad\u00be\u00ef\u0000\u00ff')).toMatchObject({ action: 'drop' });
  });
});
