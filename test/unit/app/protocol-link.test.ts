// Click-to-call links: tel: numbers without separators, sip: URIs without headers, junk refused.
import { describe, expect, it } from 'vitest';
import { dialTargetFromArgv, dialTargetFromLink } from '../../../src-main/app/protocol-link';

describe('sip:/tel: links', () => {
  it('reduces tel: numbers to dialable digits (RFC 3966 visual separators)', () => {
    expect(dialTargetFromLink('tel:+1-201-555-0123')).toBe('+12015550123');
    expect(dialTargetFromLink('TEL:(02) 555.1234;ext=12')).toBe('025551234');
    expect(dialTargetFromLink('tel:%2B82-2-1234-5678')).toBe('+82212345678');
    expect(dialTargetFromLink('tel:call-me-maybe')).toBeNull();
  });

  it('keeps sip: URIs with parameters but drops URI headers', () => {
    expect(dialTargetFromLink('sip:alice@example.com')).toBe('sip:alice@example.com');
    expect(dialTargetFromLink('sip:bob@10.0.0.5:5070;transport=udp')).toBe('sip:bob@10.0.0.5:5070;transport=udp');
    expect(dialTargetFromLink('sip:bob@example.com?Route=%3Csip:evil.example%3E&Subject=hi')).toBe('sip:bob@example.com');
    expect(dialTargetFromLink('SIP://carol@example.com')).toBe('sip:carol@example.com');
  });

  it('refuses other schemes, control characters and oversized links', () => {
    expect(dialTargetFromLink('https://example.com')).toBeNull();
    expect(dialTargetFromLink('sip:alice@example.com%0d%0aVia: x')).toBeNull();
    expect(dialTargetFromLink('sip:<script>@x')).toBeNull();
    expect(dialTargetFromLink(`sip:${'a'.repeat(300)}@example.com`)).toBeNull();
    expect(dialTargetFromLink('sip:%E0%A4%A')).toBeNull();
  });

  it('finds the link among Electron/OS arguments', () => {
    expect(dialTargetFromArgv(['/opt/Softphone/softphone', '--no-sandbox', 'sip:bob@example.com'])).toBe('sip:bob@example.com');
    expect(dialTargetFromArgv(['electron', '.', 'tel:911'])).toBe('911');
    expect(dialTargetFromArgv(['electron', '.'])).toBeNull();
  });
});
