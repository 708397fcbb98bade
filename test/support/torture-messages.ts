// The RFC 4475 torture messages (and the RFC 5118 IPv6 ones) under test/fixtures/rfc4475/, with what a
// user agent must answer to each. Fixtures are typed as the RFCs print them: LF line ends (sent as CRLF,
// RFC 4475 §2) and <hex>..</hex> for bytes that are not printable (RFC 4475 §2.2).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const TORTURE_DIR = join(__dirname, '..', 'fixtures', 'rfc4475');

/** The bytes of a fixture: LF -> CRLF, <hex> runs decoded. */
export function loadTortureMessage(file: string): Buffer {
  const text = readFileSync(join(TORTURE_DIR, file), 'latin1').replace(/\r?\n/g, '\r\n');
  const parts: Buffer[] = [];
  let at = 0;
  for (const m of text.matchAll(/<hex>([0-9A-Fa-f\s]*)<\/hex>/g)) {
    parts.push(Buffer.from(text.slice(at, m.index), 'latin1'), Buffer.from((m[1] ?? '').replace(/\s/g, ''), 'hex'));
    at = m.index + m[0].length;
  }
  parts.push(Buffer.from(text.slice(at), 'latin1'));
  return Buffer.concat(parts);
}

/**
 * What the gate does with a message: 'pass' to the parser, 'drop' (responses are never answered),
 * or the status it answers with; and what a running `softphone listen` (no account, not answering)
 * sends back: a status, or null for no answer at all.
 */
export interface TortureCase {
  file: string;
  section: string;
  title: string;
  gate: 'pass' | 'drop' | number;
  /** A status the user agent's answers must include; null: it must not answer. */
  ua: number | null;
  note?: string;
}

const INVITE_OFFERED = 180; // passed the gate, the offer was accepted and the phone rang

export const TORTURE_CASES: readonly TortureCase[] = [
  // RFC 4475 §3.1.1: valid messages, to be accepted
  {
    file: 'wsinv.dat', section: '4475 3.1.1.1', title: 'A Short Tortuous INVITE', gate: 'pass', ua: 481,
    note: 'well formed; its To carries a tag, so it is a request inside a dialog we do not have (RFC 3261 §12.2.2)',
  },
  { file: 'intmeth.dat', section: '4475 3.1.1.2', title: 'Wide Range of Valid Characters', gate: 501, ua: 501 },
  { file: 'esc01.dat', section: '4475 3.1.1.3', title: 'Valid Use of the % Escaping Mechanism', gate: 'pass', ua: INVITE_OFFERED },
  { file: 'escnull.dat', section: '4475 3.1.1.4', title: 'Escaped Nulls in URIs', gate: 'pass', ua: 405 },
  { file: 'esc02.dat', section: '4475 3.1.1.5', title: 'Use of % When It Is Not an Escape', gate: 501, ua: 501, note: 'RE%47IST%45R is not REGISTER' },
  { file: 'lwsdisp.dat', section: '4475 3.1.1.6', title: 'Message with No LWS between Display Name and <', gate: 'pass', ua: 200 },
  { file: 'longreq.dat', section: '4475 3.1.1.7', title: 'Long Values in Header Fields', gate: 'pass', ua: INVITE_OFFERED },
  { file: 'dblreq.dat', section: '4475 3.1.1.8', title: 'Extra Trailing Octets in a UDP Datagram', gate: 'pass', ua: 405 },
  { file: 'semiuri.dat', section: '4475 3.1.1.9', title: 'Semicolon-Separated Parameters in URI User Part', gate: 'pass', ua: 200 },
  { file: 'transports.dat', section: '4475 3.1.1.10', title: 'Varied and Unknown Transport Types', gate: 'pass', ua: 200 },
  { file: 'mpart01.dat', section: '4475 3.1.1.11', title: 'Multipart MIME Message', gate: 'pass', ua: 415 }, // a MESSAGE (RFC 3428) whose multipart body is not text/plain
  { file: 'unreason.dat', section: '4475 3.1.1.12', title: 'Unusual Reason Phrase', gate: 'pass', ua: null },
  { file: 'noreason.dat', section: '4475 3.1.1.13', title: 'Empty Reason Phrase', gate: 'pass', ua: null },
  // RFC 4475 §3.1.2: invalid messages
  { file: 'badinv01.dat', section: '4475 3.1.2.1', title: 'Extraneous Header Field Separators', gate: 400, ua: 400 },
  { file: 'clerr.dat', section: '4475 3.1.2.2', title: 'Content Length Larger Than Message', gate: 400, ua: 400 },
  { file: 'ncl.dat', section: '4475 3.1.2.3', title: 'Negative Content-Length', gate: 400, ua: 400 },
  { file: 'scalar02.dat', section: '4475 3.1.2.4', title: 'Request Scalar Fields with Overlarge Values', gate: 400, ua: 400 },
  { file: 'scalarlg.dat', section: '4475 3.1.2.5', title: 'Response Scalar Fields with Overlarge Values', gate: 'drop', ua: null },
  { file: 'quotbal.dat', section: '4475 3.1.2.6', title: 'Unterminated Quoted String in Display Name', gate: 400, ua: 400 },
  { file: 'ltgtruri.dat', section: '4475 3.1.2.7', title: '<> Enclosing Request-URI', gate: 400, ua: 400 },
  { file: 'lwsruri.dat', section: '4475 3.1.2.8', title: 'Malformed SIP Request-URI (embedded LWS)', gate: 400, ua: 400 },
  { file: 'lwsstart.dat', section: '4475 3.1.2.9', title: 'Multiple SP Separating Request-Line Elements', gate: 400, ua: 400 },
  { file: 'trws.dat', section: '4475 3.1.2.10', title: 'SP Characters at End of Request-Line', gate: 400, ua: 400 },
  { file: 'escruri.dat', section: '4475 3.1.2.11', title: 'Escaped Headers in SIP Request-URI', gate: 400, ua: 400 },
  {
    file: 'baddate.dat', section: '4475 3.1.2.12', title: 'Invalid Time Zone in Date Header Field', gate: 'pass', ua: INVITE_OFFERED,
    note: 'the RFC lets an element that does not need Date accept it',
  },
  { file: 'regbadct.dat', section: '4475 3.1.2.13', title: 'Failure to Enclose name-addr URI in <>', gate: 400, ua: 400 },
  { file: 'badaspec.dat', section: '4475 3.1.2.14', title: 'Spaces within addr-spec', gate: 400, ua: 400 },
  { file: 'baddn.dat', section: '4475 3.1.2.15', title: 'Non-token Characters in Display Name', gate: 400, ua: 400 },
  { file: 'badvers.dat', section: '4475 3.1.2.16', title: 'Unknown Protocol Version', gate: 505, ua: 505 },
  { file: 'mismatch01.dat', section: '4475 3.1.2.17', title: 'Start Line and CSeq Method Mismatch', gate: 400, ua: 400 },
  { file: 'mismatch02.dat', section: '4475 3.1.2.18', title: 'Unknown Method with CSeq Method Mismatch', gate: 400, ua: 400, note: 'the RFC allows 501 or 400' },
  { file: 'bigcode.dat', section: '4475 3.1.2.19', title: 'Overlarge Response Code', gate: 'drop', ua: null },
  // §3.2 transaction layer, §3.3 application layer, §3.4 backward compatibility
  { file: 'badbranch.dat', section: '4475 3.2.1', title: 'Missing Transaction Identifier', gate: 'pass', ua: 200 },
  { file: 'insuf.dat', section: '4475 3.3.1', title: 'Missing Required Header Fields', gate: 400, ua: 400 },
  { file: 'unkscm.dat', section: '4475 3.3.2', title: 'Request-URI with Unknown Scheme', gate: 416, ua: 416 },
  { file: 'novelsc.dat', section: '4475 3.3.3', title: 'Request-URI with Known but Atypical Scheme', gate: 416, ua: 416 },
  { file: 'unksm2.dat', section: '4475 3.3.4', title: 'Unknown URI Schemes in Header Fields', gate: 'pass', ua: 405 },
  { file: 'bext01.dat', section: '4475 3.3.5', title: 'Proxy-Require and Require', gate: 'pass', ua: 420 },
  { file: 'invut.dat', section: '4475 3.3.6', title: 'Unknown Content-Type', gate: 415, ua: 415 },
  { file: 'regaut01.dat', section: '4475 3.3.7', title: 'Unknown Authorization Scheme', gate: 'pass', ua: 405 },
  { file: 'multi01.dat', section: '4475 3.3.8', title: 'Multiple Values in Single Value Required Fields', gate: 400, ua: 400 },
  { file: 'mcl01.dat', section: '4475 3.3.9', title: 'Multiple Content-Length Values', gate: 400, ua: 400 },
  { file: 'bcast.dat', section: '4475 3.3.10', title: '200 OK Response with Broadcast Via Header Field Value', gate: 'pass', ua: null },
  { file: 'zeromf.dat', section: '4475 3.3.11', title: 'Max-Forwards of Zero', gate: 'pass', ua: 200 },
  { file: 'cparam01.dat', section: '4475 3.3.12', title: 'REGISTER with a Contact Header Parameter', gate: 'pass', ua: 405 },
  { file: 'cparam02.dat', section: '4475 3.3.13', title: 'REGISTER with a url-parameter', gate: 'pass', ua: 405 },
  { file: 'regescrt.dat', section: '4475 3.3.14', title: 'REGISTER with a URL Escaped Header', gate: 'pass', ua: 405 },
  { file: 'sdp01.dat', section: '4475 3.3.15', title: 'Unacceptable Accept Offering', gate: 406, ua: 406 },
  { file: 'inv2543.dat', section: '4475 3.4.1', title: 'INVITE with RFC 2543 Syntax', gate: 'pass', ua: INVITE_OFFERED },
  // RFC 5118 §4: IPv6
  { file: 'rfc5118/ipv6-good.dat', section: '5118 4.1', title: 'SIP Request with IPv6 Addresses', gate: 'pass', ua: 405 },
  { file: 'rfc5118/ipv6-bad.dat', section: '5118 4.2', title: 'SIP Request with Bad IPv6 SIP URI', gate: 400, ua: 400 },
  { file: 'rfc5118/port-ambiguous.dat', section: '5118 4.3', title: 'Port Ambiguous in a SIP URI', gate: 'pass', ua: 405 },
  { file: 'rfc5118/port-unambiguous.dat', section: '5118 4.4', title: 'Port Unambiguous in a SIP URI', gate: 'pass', ua: 405 },
  { file: 'rfc5118/via-received-param-with-delim.dat', section: '5118 4.5', title: 'IPv6 Reference Delimiters in Via (received)', gate: 'pass', ua: 481 },
  { file: 'rfc5118/via-received-param-no-delim.dat', section: '5118 4.5', title: 'IPv6 in Via received without delimiters', gate: 'pass', ua: 200 },
  {
    file: 'rfc5118/ipv6-in-sdp.dat', section: '5118 4.6', title: 'SIP Request with IPv6 Addresses in SDP Body', gate: 400, ua: 400,
    note: 'as printed in the RFC its Content-Length (268) exceeds its body (251 octets): RFC 3261 §18.3 makes that a 400 over UDP',
  },
  { file: 'rfc5118/mult-ip-in-header.dat', section: '5118 4.7', title: 'Multiple IP Addresses in SIP Headers', gate: 'pass', ua: 481 },
  {
    file: 'rfc5118/mult-ip-in-sdp.dat', section: '5118 4.8', title: 'Multiple IP Addresses in SDP', gate: 'pass', ua: INVITE_OFFERED,
    note: 'its Content-Length (181) is shorter than its body: the rest is dropped (RFC 3261 §18.3)',
  },
  {
    file: 'rfc5118/ipv4-mapped-ipv6.dat', section: '5118 4.9', title: 'IPv4-Mapped IPv6 Addresses', gate: 'pass', ua: 488,
    note: 'well formed; its only audio codec (G726-32) is not ours, so the offer is refused',
  },
  { file: 'rfc5118/ipv6-bug-abnf-3-colons.dat', section: '5118 4.10', title: 'IPv6 Reference Bug in RFC 3261 ABNF (3 colons)', gate: 'pass', ua: 200 },
  { file: 'rfc5118/ipv6-correct-abnf-2-colons.dat', section: '5118 4.10', title: 'IPv6 Reference, correct ABNF (2 colons)', gate: 'pass', ua: 200 },
];
