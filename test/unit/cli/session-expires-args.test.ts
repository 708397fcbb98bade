// --session-expires (RFC 4028): 0 turns our session timer off, otherwise 90-86400 s; absent = the default.
import { describe, expect, it } from 'vitest';
import { parseCliArgs, type CallArgs, type ListenArgs } from '../../../src-main/cli/cli-args';
import { commandHelp } from '../../../src-main/cli/help-text';

function parse(argv: string[]): ReturnType<typeof parseCliArgs> {
  return parseCliArgs(argv, {});
}

describe('--session-expires', () => {
  it('is absent by default and taken as given for listen and call (0 = off)', () => {
    const plain = parse(['call', 'sip:b@127.0.0.1']);
    expect(plain.ok && (plain.args as CallArgs).sessionExpires).toBeUndefined();
    const listen = parse(['listen', '--session-expires', '0']);
    expect(listen.ok && (listen.args as ListenArgs).sessionExpires).toBe(0);
    const call = parse(['call', 'sip:b@127.0.0.1', '--session-expires=600']);
    expect(call.ok && (call.args as CallArgs).sessionExpires).toBe(600);
    expect(commandHelp('listen')).toContain('--session-expires S');
  });

  it('refuses values below the 90 s Min-SE floor, above a day, and non-integers, saying why', () => {
    for (const bad of ['60', '89', '86401', '-1', '1.5', 'abc']) {
      const r = parse(['listen', '--session-expires', bad]);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/--session-expires/);
    }
    const r = parse(['listen', '--session-expires', '60']);
    expect(!r.ok && r.error).toBe('--session-expires must be 0 (off) or 90-86400 seconds (RFC 4028: at least 90)');
    expect(parse(['devices', '--session-expires', '90']).ok).toBe(false);
  });
});
