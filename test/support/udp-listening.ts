// Whether a UDP port is bound yet, read from the kernel's socket table (/proc/net/udp, udp6) without
// touching the port: a probe that binds the port itself can take it from under the peer starting up.
import { readFileSync } from 'node:fs';

/**
 * True once some socket holds UDP `port` (any address). Why not a probe bind: SIPp, started a moment
 * before, tries to bind while our probe holds the port, fails with "Address already in use" and exits;
 * the user agent then meets a silent registrar (Timer F, 32 s) — one loaded run of sipp-auth did.
 */
export function udpPortBound(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    // Each line: "sl local_address rem_address st ...", local_address as HEXADDR:HEXPORT.
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      if (local && `${local} `.endsWith(hex)) return true;
    }
  }
  return false;
}
