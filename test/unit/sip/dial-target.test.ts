// Dial target resolution and the X-Lite dial plan (examples from the X-Lite 3.0 / 4.x user guides).
import { describe, expect, it } from 'vitest';
import { applyDialPlan, cleanupDialInput, parseDialPlan, resolveDialTarget } from '../../../src-main/sip/dial-target';

const ctx = { domain: 'example.com' };

describe('resolveDialTarget', () => {
  it('takes sip: and sips: URIs as given, after validating them', () => {
    expect(resolveDialTarget('sip:bob@example.org;transport=udp', ctx)).toEqual({ uri: 'sip:bob@example.org;transport=udp' });
    expect(resolveDialTarget('  sips:alice@[2001:db8::1]:5061 ', {})).toEqual({ uri: 'sips:alice@[2001:db8::1]:5061' });
    expect(resolveDialTarget('sip:bob@', ctx)).toEqual({ error: expect.stringContaining('invalid SIP URI') });
    expect(resolveDialTarget('sip:bob smith@example.org', ctx)).toEqual({ error: expect.stringContaining('spaces') });
  });

  it('takes the URI out of a pasted name-addr', () => {
    expect(resolveDialTarget('"Bob" <sip:bob@example.org>', ctx)).toEqual({ uri: 'sip:bob@example.org' });
  });

  it('turns tel: into sip:...;user=phone at the account domain (RFC 3261 §19.1.6)', () => {
    expect(resolveDialTarget('tel:+123', ctx)).toEqual({ uri: 'sip:+123@example.com;user=phone' });
    expect(resolveDialTarget('tel:+1-212-555-0100;postd=pp22', ctx)).toEqual({ uri: 'sip:+12125550100;postd=pp22@example.com;user=phone' });
    expect(resolveDialTarget('tel:+123', {})).toEqual({ error: 'no domain: set up an account or dial a full SIP URI' });
    expect(resolveDialTarget('tel:john', ctx)).toEqual({ error: expect.stringContaining('invalid tel URI') });
  });

  it('completes user@host to a sip: URI', () => {
    expect(resolveDialTarget('bob@example.com', {})).toEqual({ uri: 'sip:bob@example.com' });
    expect(resolveDialTarget('bob@192.0.2.7:5062', {})).toEqual({ uri: 'sip:bob@192.0.2.7:5062' });
    expect(resolveDialTarget('bob@exa_mple', {})).toEqual({ error: expect.stringContaining('invalid SIP URI') });
    expect(resolveDialTarget('@example.com', {})).toEqual({ error: expect.stringContaining('missing user') });
  });

  it('calls IP addresses directly, without an account', () => {
    expect(resolveDialTarget('192.0.2.7', {})).toEqual({ uri: 'sip:192.0.2.7' });
    expect(resolveDialTarget('192.0.2.7:5062', {})).toEqual({ uri: 'sip:192.0.2.7:5062' });
    expect(resolveDialTarget('[2001:db8::1]:5060', {})).toEqual({ uri: 'sip:[2001:db8::1]:5060' });
    expect(resolveDialTarget('2001:db8::1', {})).toEqual({ uri: 'sip:[2001:db8::1]' });
    expect(resolveDialTarget('300.1.2.3', {})).toEqual({ error: expect.stringContaining('invalid IP address') });
    expect(resolveDialTarget('192.0.2.7:99999', {})).toEqual({ error: expect.stringContaining('invalid IP address') });
  });

  it('completes a bare user or number with the domain, or says there is none', () => {
    expect(resolveDialTarget('alice', ctx)).toEqual({ uri: 'sip:alice@example.com' });
    expect(resolveDialTarget('1002', { domain: 'pbx.local:5070' })).toEqual({ uri: 'sip:1002@pbx.local:5070' });
    expect(resolveDialTarget('alice', {})).toEqual({ error: 'no domain: set up an account or dial a full SIP URI' });
    expect(resolveDialTarget('alice', { domain: 'bad domain' })).toEqual({ error: expect.stringContaining('invalid domain') });
    expect(resolveDialTarget('*72#', ctx)).toEqual({ uri: 'sip:*72%23@example.com' });
  });

  it('strips visual separators from phone numbers only', () => {
    expect(resolveDialTarget('010-1234 5678', ctx)).toEqual({ uri: 'sip:01012345678@example.com' });
    expect(resolveDialTarget('+49 (30) 1234/56.78', ctx)).toEqual({ uri: 'sip:+493012345678@example.com' });
    expect(resolveDialTarget('first-last', ctx)).toEqual({ uri: 'sip:first-last@example.com' });
    expect(cleanupDialInput(' (555) 123-4567 ')).toBe('5551234567');
    expect(cleanupDialInput('john.doe')).toBe('john.doe');
  });

  it('rejects spaces in addresses and control characters with a clear error', () => {
    expect(resolveDialTarget('john smith', ctx)).toEqual({ error: expect.stringContaining('spaces are not allowed') });
    expect(resolveDialTarget('bob\u0000', ctx)).toEqual({ error: 'control characters are not allowed in a dial string' });
    expect(resolveDialTarget('sip:bob@x\r\nVia: evil', ctx)).toEqual({ error: 'control characters are not allowed in a dial string' });
    expect(resolveDialTarget('   ', ctx)).toEqual({ error: 'nothing to dial' });
    expect(resolveDialTarget(undefined as unknown as string, ctx)).toEqual({ error: 'nothing to dial' });
    expect(resolveDialTarget('1'.repeat(5000), ctx)).toEqual({ error: expect.stringContaining('too long') });
  });

  it('applies the account dial plan to typed numbers and names, not to URIs', () => {
    const dialPlan = '#1\\a\\a.T;match=1;prestrip=2;';
    expect(resolveDialTarget('#1bob', { ...ctx, dialPlan })).toEqual({ uri: 'sip:bob@example.com' });
    expect(resolveDialTarget('#1bob@example.org', { ...ctx, dialPlan })).toEqual({ uri: 'sip:bob@example.org' });
    expect(resolveDialTarget('#1 555-1234', { ...ctx, dialPlan })).toEqual({ uri: 'sip:5551234@example.com' });
    expect(resolveDialTarget('5551234', { ...ctx, dialPlan })).toEqual({ uri: 'sip:5551234@example.com' });
    const prefixNine = 'xxxxxxx;match=1;pre=9;';
    expect(resolveDialTarget('555-1234', { ...ctx, dialPlan: prefixNine })).toEqual({ uri: 'sip:95551234@example.com' });
    expect(resolveDialTarget('sip:5551234@example.org', { ...ctx, dialPlan: prefixNine })).toEqual({ uri: 'sip:5551234@example.org' });
    expect(resolveDialTarget('12', { ...ctx, dialPlan: 'xx;match=1;prestrip=5' })).toEqual({ error: expect.stringContaining('into nothing') });
    expect(resolveDialTarget('5', { ...ctx, dialPlan: 'x;match=1;replace="192.0.2.5:5070"' })).toEqual({ uri: 'sip:192.0.2.5:5070' });
  });
});

describe('applyDialPlan', () => {
  it('X-Lite default plan strips the #1 account prefix, leaves other input alone', () => {
    const plan = '#1\\a\\a.T;match=1;prestrip=2;';
    expect(applyDialPlan('#15551234', plan)).toBe('5551234');
    expect(applyDialPlan('#1bob@example.com', plan)).toBe('bob@example.com');
    expect(applyDialPlan('#1x', plan)).toBe('x');
    expect(applyDialPlan('#1', plan)).toBe('#1'); // \a\a. needs at least one character after #1
    expect(applyDialPlan('5551234', plan)).toBe('5551234');
  });

  it('empty plan = dial as typed', () => {
    expect(applyDialPlan('#15551234', '')).toBe('#15551234');
    expect(applyDialPlan('abc', '   ')).toBe('abc');
  });

  it('guide example: "\\a\\a.T|xxxxxxxxxx;match=1;prestrip=2;match=2;pre=8;"', () => {
    const plan = '\\a\\a.T|xxxxxxxxxx;match=1;prestrip=2;match=2;pre=8;';
    expect(applyDialPlan('6045551234', plan)).toBe('86045551234'); // ten digits: the more specific pattern 2
    expect(applyDialPlan('bob@x.org', plan)).toBe('b@x.org'); // pattern 1 (not very useful, as documented)
  });

  it('guide example 1: "\\a\\a.T|xxxxxxx.T;match=2;pre="9"" prefixes 9 to numbers only', () => {
    const plan = '\\a\\a.T|xxxxxxx.T;match=2;pre="9"';
    expect(applyDialPlan('5551234', plan)).toBe('95551234');
    expect(applyDialPlan('16045551234', plan)).toBe('916045551234');
    expect(applyDialPlan('bob@example.com', plan)).toBe('bob@example.com');
    expect(applyDialPlan('555123', plan)).toBe('9555123'); // "xxxxxxx." = six or more digits
    expect(applyDialPlan('55512', plan)).toBe('55512'); // five: only pattern 1, which has no transform
  });

  it('guide example 2: extensions, long distance, local, international', () => {
    const plan = '3xxT|1xxxxxxxxxx|[2-9]xxxxxxxxx|+x.T;match=2;pre="9";match=3;pre="91";match=4;prestrip=1;pre="9011"';
    expect(applyDialPlan('301', plan)).toBe('301');
    expect(applyDialPlan('16045551234', plan)).toBe('916045551234');
    expect(applyDialPlan('6045551234', plan)).toBe('916045551234');
    expect(applyDialPlan('1045551234', plan)).toBe('1045551234'); // [2-9] excludes a leading 1
    expect(applyDialPlan('+442079460000', plan)).toBe('9011442079460000');
  });

  it('guide example 3: account prefix with and without the 9 for an outside line', () => {
    const plan = '#1xxxxxxxT|#19xxxxxxx|xxxxxxxT|9xxxxxxx|;match=1;prestrip=2;pre=9;match=2;prestrip=2;match=3;pre=9;';
    expect(applyDialPlan('#15551234', plan)).toBe('95551234');
    expect(applyDialPlan('#195551234', plan)).toBe('95551234');
    expect(applyDialPlan('5551234', plan)).toBe('95551234');
    expect(applyDialPlan('95551234', plan)).toBe('95551234');
  });

  it('supports sets, escaped literals, poststrip, post and replace in the documented order', () => {
    expect(applyDialPlan('7', '[1,3,5-7];match=1;pre=0')).toBe('07');
    expect(applyDialPlan('4', '[1,3,5-7];match=1;pre=0')).toBe('4');
    expect(applyDialPlan('box', 'bo\\x;match=1;post=1')).toBe('box1');
    expect(applyDialPlan('bo5', 'bo\\x;match=1;post=1')).toBe('bo5');
    // prestrip > poststrip > pre > post, whatever order they are written in.
    expect(applyDialPlan('00123#', 'xxxxx#;match=1;post=@pbx;pre=+;poststrip=1;prestrip=2;')).toBe('+123@pbx');
    expect(applyDialPlan('112', '112;match=1;pre=x;replace="sip:sos@example.com"')).toBe('sip:sos@example.com');
  });

  it('chains several #n groups', () => {
    const plan = '#1\\a\\a.T;match=1;prestrip=2;\n#2\\a\\a.T;match=1;prestrip=2;pre=0;';
    expect(applyDialPlan('#1123', plan)).toBe('123');
    expect(applyDialPlan('#2123', plan)).toBe('0123');
  });

  it('ignores malformed parts instead of failing, and reports them', () => {
    expect(applyDialPlan('123', '[1-3|xxx;match=1;pre=9;match=2;pre=8')).toBe('8123');
    const { rules, errors } = parseDialPlan('xx.|[9-;match=1;prestrip=a;foo=1;match=7;pre=1');
    expect(rules.map((r) => r.pattern)).toEqual(['xx.']);
    expect(errors).toEqual([
      'invalid pattern "[9-"',
      'prestrip=a: not a number',
      'unknown dial plan keyword "foo"',
      'match=7: no such pattern',
      'pre= must follow a valid match=n',
    ]);
    expect(applyDialPlan('123', 'x..;match=1;pre=9')).toBe('123');
    // Nested repetition would backtrack exponentially in a regex engine; the matcher is linear.
    const greedy = '\\a.'.repeat(12) + 'x;match=1;pre=9';
    expect(applyDialPlan(`${'a'.repeat(300)}!`, greedy)).toBe(`${'a'.repeat(300)}!`);
    expect(applyDialPlan(`${'a'.repeat(300)}5`, greedy)).toBe(`9${'a'.repeat(300)}5`);
    expect(applyDialPlan('123', null as unknown as string)).toBe('123');
  });
});
