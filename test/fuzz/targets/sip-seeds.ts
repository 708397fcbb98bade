// Valid SIP datagrams to mutate: requests and responses as peers send them to a registered softphone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../target';

const CRLF = '\r\n';
const sdp = readFileSync(join(repoRoot(), 'test', 'fixtures', 'sdp', 'baresip-offer.sdp'), 'utf8').replace(/\r?\n/g, CRLF);

function message(start: string, headers: string[], body = ''): string {
  const all = body ? [...headers, 'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(body)}`] : [...headers, 'Content-Length: 0'];
  return [start, ...all].join(CRLF) + CRLF + CRLF + body;
}

const via = 'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK776asdhds;rport';
const from = 'From: "Alice Ω" <sip:alice@example.com>;tag=1928301774';
const to = 'To: <sip:bob@127.0.0.1>';

export const SIP_SEEDS: string[] = [
  message(
    'INVITE sip:bob@127.0.0.1:5060 SIP/2.0',
    [via, 'Max-Forwards: 70', from, to, 'Call-ID: a84b4c76e66710@pc33.example.com', 'CSeq: 314159 INVITE',
      'Contact: <sip:alice@127.0.0.1:5070;transport=udp>', 'Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>',
      'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS', 'Supported: replaces, timer', 'User-Agent: fuzz'],
    sdp,
  ),
  message('OPTIONS sip:bob@127.0.0.1 SIP/2.0', [via, 'Max-Forwards: 70', from, to, 'Call-ID: opt-1@h', 'CSeq: 1 OPTIONS', 'Accept: application/sdp']),
  message('BYE sip:bob@127.0.0.1:5060 SIP/2.0', [via, 'Max-Forwards: 70', from, `${to};tag=8321234356`, 'Call-ID: a84b4c76e66710@pc33.example.com', 'CSeq: 314160 BYE', 'Route: <sip:p1.example.com;lr>']),
  message('CANCEL sip:bob@127.0.0.1:5060 SIP/2.0', [via, 'Max-Forwards: 70', from, to, 'Call-ID: a84b4c76e66710@pc33.example.com', 'CSeq: 314159 CANCEL']),
  message('ACK sip:bob@127.0.0.1:5060 SIP/2.0', [via, 'Max-Forwards: 70', from, `${to};tag=x`, 'Call-ID: a84b4c76e66710@pc33.example.com', 'CSeq: 314159 ACK']),
  message(
    'SIP/2.0 401 Unauthorized',
    ['Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKnashds7;received=127.0.0.1;rport=5060', from, `${to};tag=as1`, 'Call-ID: reg-1@h', 'CSeq: 1 REGISTER',
      'WWW-Authenticate: Digest realm="example.com", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", algorithm=MD5, qop="auth", opaque=""'],
  ),
  message(
    'SIP/2.0 200 OK',
    ['Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKnashds8;rport=5060', from, `${to};tag=a6c85cf`, 'Call-ID: a84b4c76e66710@pc33.example.com', 'CSeq: 314159 INVITE',
      'Contact: <sip:bob@192.0.2.4>;expires=3600;q=0.7, "Mr. Watson" <sips:watson@bell.example.com>', 'Record-Route: <sip:[2001:db8::10]:5070;lr>'],
    sdp,
  ),
  message('MESSAGE sip:bob@127.0.0.1 SIP/2.0', [via, 'Max-Forwards: 70', from, to, 'Call-ID: msg-1@h', 'CSeq: 2 MESSAGE', 'Content-Type: text/plain'], ''),
  message('INFO sip:bob@127.0.0.1 SIP/2.0', [via, 'Max-Forwards: 70', from, `${to};tag=z`, 'Call-ID: info@h', 'CSeq: 3 INFO',
    'Proxy-Authorization: Digest username="alice", realm="example.com", nonce="abc", uri="sip:bob@127.0.0.1", response="0123456789abcdef0123456789abcdef"']),
];
