// Issue 13: `--codecs LIST` chooses the audio codecs and their order; names this build cannot code are
// refused with the list it can.
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../../src-main/cli/cli-args';
import { parseCodecList } from '../../../src-main/codec/codec-preference';

describe('--codecs', () => {
  it('takes the order given, in any case', () => {
    expect(parseCliArgs(['call', 'sip:b@127.0.0.1', '--codecs', 'pcma,PCMU'])).toMatchObject({ ok: true, args: { codecs: ['PCMA', 'PCMU'] } });
    expect(parseCliArgs(['listen', '--codecs', 'pcmu'])).toMatchObject({ ok: true, args: { codecs: ['PCMU'] } });
    const plain = parseCliArgs(['call', 'sip:b@127.0.0.1']);
    expect(plain.ok && 'codecs' in plain.args).toBe(false);
  });

  it('refuses unknown, not-yet-available, repeated and empty names with the supported list', () => {
    expect(parseCliArgs(['call', 'sip:b@127.0.0.1', '--codecs', 'g729,pcmu'])).toEqual({ ok: false, error: expect.stringContaining('--codecs: g729 is not available yet (supported: opus,g722,pcmu,pcma)') });
    expect(parseCliArgs(['call', 'sip:b@127.0.0.1', '--codecs', 'g722,pcmu,pcma'])).toMatchObject({ ok: true, args: { codecs: ['G722', 'PCMU', 'PCMA'] } });
    expect(parseCliArgs(['call', 'sip:b@127.0.0.1', '--codecs', 'gsm'])).toEqual({ ok: false, error: expect.stringContaining('unknown codec "gsm"') });
    expect(parseCodecList('pcmu,pcmu')).toEqual({ ok: false, error: 'pcmu is listed twice' });
    expect(parseCodecList('pcmu,')).toMatchObject({ ok: false });
    expect(parseCodecList(' PCMA , pcmu ')).toEqual({ ok: true, codecs: ['PCMA', 'PCMU'] });
  });
});
