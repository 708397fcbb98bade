// Which transport a request takes: the account's for URIs naming none, RFC 3261 §18.1.1 for large ones,
// and how TLS failures read.
import { describe, expect, it } from 'vitest';
import { LARGE_REQUEST_BYTES, mustSwitchToTcp, transportParam, withPreferredTransport } from '../../../../src-main/sip/transport/transport-choice';
import { describeTlsError, isCertificateError } from '../../../../src-main/sip/transport/tls-errors';

describe('mustSwitchToTcp (RFC 3261 §18.1.1)', () => {
  it('switches requests over 1300 bytes bound for UDP, not those at or under it', () => {
    expect(LARGE_REQUEST_BYTES).toBe(1300);
    expect(mustSwitchToTcp('INVITE', 1301, undefined, true)).toBe(true);
    expect(mustSwitchToTcp('INVITE', 1301, 'udp', true)).toBe(true);
    expect(mustSwitchToTcp('INVITE', 1300, undefined, true)).toBe(false);
    expect(mustSwitchToTcp('MESSAGE', 5000, undefined, true)).toBe(true);
  });
  it('leaves alone what is already on a stream, ACK and CANCEL, and stacks without TCP', () => {
    expect(mustSwitchToTcp('INVITE', 5000, 'tcp', true)).toBe(false);
    expect(mustSwitchToTcp('INVITE', 5000, 'tls', true)).toBe(false);
    expect(mustSwitchToTcp('ACK', 5000, undefined, true)).toBe(false);
    expect(mustSwitchToTcp('CANCEL', 5000, undefined, true)).toBe(false);
    expect(mustSwitchToTcp('INVITE', 5000, undefined, false)).toBe(false);
  });
});

describe('withPreferredTransport', () => {
  it("gives URIs without a transport the account's TCP/TLS", () => {
    expect(withPreferredTransport({ host: 'pbx.example.com' }, 'tcp')).toEqual({ host: 'pbx.example.com', transport: 'tcp' });
    expect(withPreferredTransport({ host: '10.0.0.1', port: 5061 }, 'tls')).toEqual({ host: '10.0.0.1', port: 5061, transport: 'tls' });
  });
  it('keeps a transport the URI names, sips:, and everything for UDP accounts', () => {
    expect(withPreferredTransport({ host: 'a', transport: 'udp' }, 'tcp')).toEqual({ host: 'a', transport: 'udp' });
    expect(withPreferredTransport({ host: 'a', secure: true }, 'tcp')).toEqual({ host: 'a', secure: true });
    expect(withPreferredTransport({ host: 'a' }, 'udp')).toEqual({ host: 'a' });
    expect(withPreferredTransport({ host: 'a' }, undefined)).toEqual({ host: 'a' });
  });
  it('puts ;transport= on stream Contacts only', () => {
    expect(transportParam('tcp')).toBe(';transport=tcp');
    expect(transportParam('tls')).toBe(';transport=tls');
    expect(transportParam(undefined)).toBe('');
    expect(transportParam('udp')).toBe('');
  });
});

describe('describeTlsError', () => {
  it('says what to do about an untrusted certificate, and tells a wrong host name apart', () => {
    const untrusted = { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'unable to verify the first certificate' };
    expect(isCertificateError(untrusted)).toBe(true);
    expect(describeTlsError(untrusted, 'pbx.example.com:5061')).toMatch(/^TLS certificate of pbx\.example\.com:5061 is not trusted .*--ca-file/);
    const wrongName = { code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames" };
    expect(describeTlsError(wrongName, '127.0.0.1:5061')).toMatch(/^TLS certificate of 127\.0\.0\.1:5061 does not match the host name/);
    const refused = { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5061' };
    expect(isCertificateError(refused)).toBe(false);
    expect(describeTlsError(refused, '127.0.0.1:5061')).toMatch(/^TLS connection to 127\.0\.0\.1:5061 failed: ECONNREFUSED/);
  });
});
