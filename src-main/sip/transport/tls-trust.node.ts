// The certificate authorities a TLS connection to a SIP server trusts: the system's plus, optionally, a
// private CA from a file (--ca-file / the account's CA field). Never "accept any certificate".
//
// Node's `ca` option replaces its default store, so the defaults are put back in front of the extra CA:
// Node's bundled roots (tls.rootCertificates), the system store when this Node can read it
// (tls.getCACertificates('system'), Node >= 22.15 / Electron), and on Linux the distribution's bundle.
// node:tls comes in as a parameter: a UDP-only phone never loads it (it costs megabytes of memory).

import { readFileSync } from 'node:fs';
import type * as Tls from 'node:tls';

const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** PEM certificates in `text` (none: not a CA file). */
export function pemCertificates(text: string): string[] {
  return text.match(PEM_CERT) ?? [];
}

function systemCertificates(tls: typeof Tls): string[] {
  const get = (tls as unknown as { getCACertificates?: (kind: string) => string[] }).getCACertificates;
  if (typeof get === 'function') {
    try {
      return get('system');
    } catch {
      // older Node: fall through to the bundle files
    }
  }
  for (const path of SYSTEM_BUNDLES) {
    try {
      return pemCertificates(readFileSync(path, 'latin1'));
    } catch {
      // not on this system
    }
  }
  return [];
}

/**
 * The `ca` list for tls.connect: Node's roots and the system's, plus the CA file's certificates when
 * given. Throws a readable error when the file cannot be read or holds no certificate.
 */
export function trustedCertificates(tls: typeof Tls, caFile: string | undefined): string[] {
  const defaults = [...tls.rootCertificates, ...systemCertificates(tls)];
  if (caFile === undefined || caFile === '') return defaults;
  let text: string;
  try {
    text = readFileSync(caFile, 'latin1');
  } catch (err) {
    throw new Error(`cannot read the CA file ${caFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const extra = pemCertificates(text);
  if (extra.length === 0) throw new Error(`the CA file ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return [...defaults, ...extra];
}
