// Turns Node's TLS verification errors into what a user can act on ("certificate not trusted: add the
// CA with --ca-file", "certificate is for another host name"). Pure.

/** OpenSSL/Node error codes that mean "we do not trust the server's certificate chain". */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** True when the error is about the server's certificate (not a refused or reset connection). */
export function isCertificateError(err: { code?: unknown }): boolean {
  const code = typeof err.code === 'string' ? err.code : '';
  return UNTRUSTED.has(code) || EXPIRED.has(code) || code === 'ERR_TLS_CERT_ALTNAME_INVALID';
}

/**
 * A one-line explanation of a failed TLS connection to `server` (host:port as the user wrote it).
 * The certificate cases start with "TLS certificate" so callers and tests can tell them apart.
 */
export function describeTlsError(err: { code?: unknown; message?: unknown }, server: string): string {
  const code = typeof err.code === 'string' ? err.code : '';
  const detail = (typeof err.message === 'string' ? err.message : String(err)).trim();
  if (UNTRUSTED.has(code)) {
    return `TLS certificate of ${server} is not trusted (${code}): it is not signed by a system CA; add your CA with --ca-file (or the account's "CA certificate" field)`;
  }
  if (EXPIRED.has(code)) return `TLS certificate of ${server} is not valid now (${code})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `TLS certificate of ${server} does not match the host name (${detail})`;
  return `TLS connection to ${server} failed: ${code ? `${code} ` : ''}${detail}`;
}
