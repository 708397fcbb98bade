// Reads the few facts the call-flow view shows from a raw SIP message (RFC 3261 §7): start line,
// CSeq method, whether an SDP body rides along, and header/body split for the raw-message panel.

export interface SipFacts {
  /** "INVITE" for requests, null for responses. */
  method: string | null;
  /** Status code for responses, null for requests. */
  status: number | null;
  /** Request-URI of a request. */
  requestUri: string | null;
  /** Method named in CSeq (tells a 200 OK for INVITE from one for BYE). */
  cseqMethod: string | null;
  /** Content-Type application/sdp (offer/answer, RFC 3264). */
  hasSdp: boolean;
}

export function startLine(raw: string): string {
  const end = raw.search(/\r?\n/);
  return (end === -1 ? raw : raw.slice(0, end)).trim();
}

/** Header value by name or compact form (RFC 3261 §7.3.3), first occurrence, unfolded. */
export function headerValue(raw: string, name: string, compact?: string): string | null {
  const { headers } = splitMessage(raw);
  const wanted = [name.toLowerCase(), compact?.toLowerCase()].filter(Boolean);
  for (const line of headers) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    if (wanted.includes(line.slice(0, colon).trim().toLowerCase())) return line.slice(colon + 1).trim();
  }
  return null;
}

export function sipFacts(raw: string): SipFacts {
  const first = startLine(raw);
  const response = /^SIP\/2\.0\s+(\d{3})\b/i.exec(first);
  const request = /^([A-Za-z]+)\s+(\S+)\s+SIP\/2\.0$/i.exec(first);
  const cseq = headerValue(raw, 'CSeq');
  const cseqMethod = cseq ? (/^\d+\s+(\S+)/.exec(cseq)?.[1]?.toUpperCase() ?? null) : null;
  const type = headerValue(raw, 'Content-Type', 'c') ?? '';
  return {
    method: request?.[1]?.toUpperCase() ?? null,
    status: response?.[1] ? Number(response[1]) : null,
    requestUri: request?.[2] ?? null,
    cseqMethod,
    hasSdp: /application\/sdp/i.test(type),
  };
}

/** Start line, unfolded header lines, body: for the raw view's colouring. */
export function splitMessage(raw: string): { start: string; headers: string[]; body: string } {
  const text = raw.replace(/\r\n/g, '\n');
  const blank = text.indexOf('\n\n');
  const head = blank === -1 ? text : text.slice(0, blank);
  const body = blank === -1 ? '' : text.slice(blank + 2);
  const lines = head.split('\n');
  const start = lines.shift() ?? '';
  const headers: string[] = [];
  for (const line of lines) {
    // Folded continuation lines (leading whitespace) belong to the previous header (§7.3.1).
    const last = headers.length - 1;
    if (/^[ \t]/.test(line) && last >= 0) headers[last] = `${headers[last] ?? ''} ${line.trim()}`;
    else if (line !== '') headers.push(line);
  }
  return { start, headers, body };
}
