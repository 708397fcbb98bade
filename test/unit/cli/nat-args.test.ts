// The CLI's NAT flags: --stun/--turn/--ice parsing, their combinations, and the media options they give.
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../../src-main/cli/cli-args';
import { mediaNatOptions, parseServerArg } from '../../../src-main/cli/nat-args';

const parse = (argv: string[], env: Record<string, string> = {}) => parseCliArgs(argv, env);

describe('NAT flags', () => {
  it('reads host, host:port and [v6]:port with 3478 as the default port', () => {
    expect(parseServerArg('stun.example.org')).toEqual({ host: 'stun.example.org', port: 3478 });
    expect(parseServerArg('172.29.0.1:3479')).toEqual({ host: '172.29.0.1', port: 3479 });
    expect(parseServerArg('[2001:db8::1]:5349')).toEqual({ host: '2001:db8::1', port: 5349 });
    expect(parseServerArg('[2001:db8::1]')).toEqual({ host: '2001:db8::1', port: 3478 });
  });

  it('turns --ice --stun --turn into the media NAT options (TURN password from the environment)', () => {
    const r = parse(['listen', '--ice', '--stun', '172.29.0.1', '--turn', '172.29.0.1:3478', '--turn-user', 'bob'], { SOFTPHONE_TURN_PASSWORD: 's3cret' });
    if (!r.ok || r.args.command !== 'listen') throw new Error(r.ok ? r.args.command : r.error);
    expect(mediaNatOptions(r.args.nat)).toEqual({
      ice: true,
      stun: { host: '172.29.0.1', port: 3478 },
      turn: { host: '172.29.0.1', port: 3478, username: 'bob', password: 's3cret' },
    });
  });

  it('leaves media as before without NAT flags, and uses STUN alone without --ice', () => {
    const plain = parse(['call', 'sip:b@10.0.0.2']);
    expect(plain.ok && plain.args.command === 'call' && mediaNatOptions(plain.args.nat)).toBeUndefined();
    const stun = parse(['call', 'sip:b@10.0.0.2', '--stun', 'stun.example.org:19302']);
    expect(stun.ok && stun.args.command === 'call' && mediaNatOptions(stun.args.nat)).toEqual({ ice: false, stun: { host: 'stun.example.org', port: 19302 } });
  });

  it.each([
    [['listen', '--turn', '10.0.0.1', '--turn-user', 'u', '--turn-password', 'p'], /--turn needs --ice/],
    [['listen', '--ice', '--turn', '10.0.0.1', '--turn-password', 'p'], /--turn-user/],
    [['listen', '--ice', '--turn', '10.0.0.1', '--turn-user', 'u'], /--turn-password/],
    [['listen', '--turn-user', 'u'], /need --turn/],
    [['listen', '--stun', 'a b'], /--stun/],
    [['listen', '--stun', 'host:99999'], /port must be 1-65535/],
    [['devices', '--ice'], /does not apply/],
    [['nat-check'], /needs --stun/],
    [['nat-check', '--stun', 'x', '--ice'], /does not apply/],
  ])('rejects %j', (argv, why) => {
    const r = parse(argv);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(why);
  });

  it('parses nat-check with the SIP port as the default port to probe', () => {
    expect(parse(['nat-check', '--stun', '172.29.0.1'])).toEqual({
      ok: true,
      args: { command: 'nat-check', stun: { host: '172.29.0.1', port: 3478 }, port: 5060, bind: '0.0.0.0', logLevel: 'info' },
    });
    const r = parse(['nat-check', '--stun', '172.29.0.1:3479', '--port', '0', '--bind', '10.0.0.5']);
    expect(r.ok && r.args.command === 'nat-check' && [r.args.port, r.args.bind, r.args.stun.port]).toEqual([0, '10.0.0.5', 3479]);
  });
});
