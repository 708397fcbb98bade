// --srtp off|optional|mandatory and --srtp-over-udp: the mode reaches the user agent config, and keys over
// plain SIP are refused unless the user says so.
import { describe, expect, it } from 'vitest';
import { parseCliArgs, srtpArgs, type CallArgs, type ListenArgs } from '../../../src-main/cli/cli-args';

describe('--srtp', () => {
  it('defaults to off', () => {
    const r = parseCliArgs(['listen']);
    expect(r.ok && (r.args as ListenArgs).srtp).toEqual({ mode: 'off' });
  });

  it('optional and mandatory need --srtp-over-udp while SIP runs over UDP', () => {
    expect(parseCliArgs(['listen', '--srtp', 'mandatory'])).toEqual({ ok: false, error: expect.stringMatching(/--srtp mandatory: .*readable.*--srtp-over-udp/) });
    expect(parseCliArgs(['call', 'sip:b@127.0.0.1', '--srtp', 'optional'])).toMatchObject({ ok: false, error: expect.stringContaining('--srtp-over-udp') });
    const r = parseCliArgs(['call', 'sip:b@127.0.0.1', '--srtp', 'mandatory', '--srtp-over-udp']);
    expect(r.ok && (r.args as CallArgs).srtp).toEqual({ mode: 'mandatory', overInsecureSignalling: true });
  });

  it('refuses unknown modes and the override without SRTP', () => {
    expect(parseCliArgs(['listen', '--srtp', 'on'])).toMatchObject({ ok: false, error: expect.stringContaining('off, optional or mandatory') });
    expect(parseCliArgs(['listen', '--srtp-over-udp'])).toMatchObject({ ok: false, error: expect.stringContaining('needs --srtp') });
    expect(parseCliArgs(['devices', '--srtp', 'off'])).toMatchObject({ ok: false });
  });

  it('over TLS signalling no override is needed', () => {
    expect(srtpArgs('mandatory', false, 'tls')).toEqual({ mode: 'mandatory' });
    expect(srtpArgs('optional', false, 'udp')).toHaveProperty('error');
  });
});
