// Test certificates made with openssl in a temp dir: a CA, and server certificates it signs for the
// names asked (subjectAltName DNS entries). Nothing is read from or written to the system's CA store.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCa {
  dir: string;
  caCert: string;
  /** A server certificate and key for `names` (DNS names), signed by this CA. */
  serverCert(label: string, names: string[]): { certFile: string; keyFile: string };
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
}

export function makeTestCa(dir: string): TestCa {
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.pem');
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', caCert, '-days', '2', '-subj', '/CN=softphone test CA'], dir);
  return {
    dir,
    caCert,
    serverCert(label, names) {
      const keyFile = join(dir, `${label}.key`);
      const csr = join(dir, `${label}.csr`);
      const certFile = join(dir, `${label}.pem`);
      const ext = join(dir, `${label}.ext`);
      openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', `/CN=${names[0] ?? label}`], dir);
      writeFileSync(ext, `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\nextendedKeyUsage=serverAuth\n`);
      openssl(['x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-out', certFile, '-days', '2', '-extfile', ext], dir);
      return { certFile, keyFile };
    },
  };
}
