// IP transport addresses for STUN/TURN/ICE: parse and format IPv4/IPv6 text without Node's `net` module.

/** A UDP transport address. IPv6 text is kept in RFC 5952 canonical form when produced here. */
export interface TransportAddress {
  address: string;
  port: number;
}

/** 4 or 16 bytes, or null if the text is not an IP literal (host names, mDNS .local names, garbage). */
export function parseIp(text: string): Uint8Array | null {
  if (typeof text !== 'string') return null;
  const v4 = parseIpv4(text);
  if (v4) return v4;
  return parseIpv6(text);
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseIpv6(input: string): Uint8Array | null {
  // A zone id ("fe80::1%eth0") names the local interface; it is not part of the address bytes.
  let text = input.split('%')[0] ?? '';
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  if (!text.includes(':')) return null;
  const out = new Uint8Array(16);
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string): number[] | null => {
    if (s === '') return [];
    const words: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] ?? '';
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return null;
        words.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
      words.push(parseInt(p, 16));
    }
    return words;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !tail) return null;
  if (halves.length === 1 && head.length !== 8) return null;
  if (halves.length === 2 && head.length + tail.length > 7) return null;
  const words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  words.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

/** Text form of 4 or 16 address bytes; IPv6 in RFC 5952 §4 canonical form. */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  // RFC 5952 §5: IPv4-mapped addresses are written with the IPv4 part in dotted form.
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${Array.from(bytes.subarray(12)).join('.')}`;
  }
  // RFC 5952 §4.2: the longest run (first if tied) of two or more zero groups becomes "::".
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** 4 or 6, or null for anything that is not an IP literal. */
export function ipFamily(address: string): 4 | 6 | null {
  const b = parseIp(address);
  return b ? (b.length === 4 ? 4 : 6) : null;
}

/** Canonical text for an IP literal (so "2001:DB8::0:1" and "2001:db8::1" compare equal); the input if not an IP. */
export function canonicalIp(address: string): string {
  const b = parseIp(address);
  return b ? formatIp(b) : address;
}

/** Map key / log text: "192.0.2.1:3478" or "[2001:db8::1]:3478". */
export function addressKey(a: TransportAddress): string {
  const ip = canonicalIp(a.address);
  return ip.includes(':') ? `[${ip}]:${a.port}` : `${ip}:${a.port}`;
}

export function sameAddress(a: TransportAddress, b: TransportAddress): boolean {
  return a.port === b.port && canonicalIp(a.address) === canonicalIp(b.address);
}

export function isValidPort(port: number): boolean {
  return Number.isInteger(port) && port > 0 && port <= 65535;
}
