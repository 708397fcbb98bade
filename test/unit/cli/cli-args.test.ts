// The CLI's argument parser: commands, defaults, every flag's validation, and the usage errors.
import { describe, expect, it } from 'vitest';
import { COMMANDS, FLAG_NAMES, flagsOf, parseCliArgs, type CallArgs, type CliArgs, type ListenArgs } from '../../../src-main/cli/cli-args';
import { HELP_TEXT, commandHelp } from '../../../src-main/cli/help-text';

function ok(argv: string[], env: Record<string, string> = {}): CliArgs {
  const r = parseCliArgs(argv, env);
  if (!r.ok) throw new Error(`expected success, got: ${r.error}`);
  return r.args;
}
function err(argv: string[], env: Record<string, string> = {}): string {
  const r = parseCliArgs(argv, env);
  if (r.ok) throw new Error(`expected an error for ${argv.join(' ')}`);
  return r.error;
}

describe('parseCliArgs', () => {
  it('parses listen with defaults (direct-IP mode, port 5060, sound card)', () => {
    const a = ok(['listen']) as ListenArgs;
    expect(a.command).toBe('listen');
    expect(a.port).toBe(5060);
    expect(a.bind).toBe('0.0.0.0');
    expect(a.rtpPorts).toEqual({ min: 10000, max: 20000 });
    expect(a.autoAnswer).toBe(false);
    expect(a.answerAfter).toBe(0);
    expect(a.account.user).toBeUndefined();
    expect(a.play).toBeUndefined();
    expect(a.logLevel).toBe('info');
  });

  it('parses a full listen command line', () => {
    const a = ok([
      'listen', '--user', 'bob', '--domain', '127.0.0.1:25060', '--password', 'bobpw', '--port', '5062',
      '--auto-answer', '--answer-after', '1.5', '--play', 'in.wav', '--record=out.wav', '--max-calls', '2',
      '--rtp-ports', '30000-30100', '--bind', '127.0.0.1', '--log-level', 'debug', '--expires', '120',
    ]) as ListenArgs;
    expect(a).toMatchObject({
      command: 'listen', port: 5062, autoAnswer: true, answerAfter: 1.5, play: 'in.wav', record: 'out.wav',
      maxCalls: 2, rtpPorts: { min: 30000, max: 30100 }, bind: '127.0.0.1', logLevel: 'debug',
    });
    expect(a.account).toEqual({
      user: 'bob', domain: '127.0.0.1:25060', password: 'bobpw', authUser: undefined, displayName: undefined,
      proxy: undefined, register: true, expires: 120,
    });
  });

  it('--accept-transfer and --ask-transfer (issue 11): listen and call; absent = neither; in --help', () => {
    expect(ok(['listen'])).toMatchObject({ acceptTransfer: false });
    expect((ok(['listen']) as ListenArgs).askTransfer).toBeUndefined();
    expect(ok(['listen', '--ask-transfer'])).toMatchObject({ acceptTransfer: false, askTransfer: true });
    expect(ok(['call', 'sip:b@127.0.0.1', '--ask-transfer', '--accept-transfer'])).toMatchObject({ acceptTransfer: true, askTransfer: true });
    expect(parseCliArgs(['nat-check', '--stun', 'stun.example.com', '--ask-transfer'])).toMatchObject({ ok: false });
    expect(HELP_TEXT).toContain('--ask-transfer');
    expect(HELP_TEXT).toContain('call.transferReply {requestId, accept}');
  });

  it('--max-concurrent N (issue 11): calls taken at once, 1 by default, 1-8, listen only', () => {
    expect((ok(['listen']) as ListenArgs).maxConcurrent).toBe(1);
    expect((ok(['listen', '--max-concurrent', '2']) as ListenArgs).maxConcurrent).toBe(2);
    expect(parseCliArgs(['listen', '--max-concurrent', '0'])).toMatchObject({ ok: false, error: expect.stringContaining('--max-concurrent') });
    expect(parseCliArgs(['listen', '--max-concurrent', '9'])).toMatchObject({ ok: false, error: expect.stringContaining('--max-concurrent') });
    expect(parseCliArgs(['call', 'sip:x@192.0.2.1', '--max-concurrent', '2'])).toMatchObject({ ok: false });
  });

  it('issue 9 account options: --auth-realm list, --refuse-md5-without-qop, --allow-direct-calls (listen only, with --user)', () => {
    const a = ok(['listen', '--user', 'bob', '--domain', 'pbx.example', '--auth-realm', 'asterisk,Other.Example', '--refuse-md5-without-qop', '--allow-direct-calls']) as ListenArgs;
    expect(a.account).toMatchObject({ authRealms: ['asterisk', 'Other.Example'], refuseMd5WithoutQop: true, allowDirectCalls: true });
    expect(parseCliArgs(['listen', '--allow-direct-calls'])).toEqual({ ok: false, error: '--allow-direct-calls needs --user (without --user the phone works by IP only)' });
    expect(parseCliArgs(['call', 'bob', '--user', 'a', '--domain', 'd', '--allow-direct-calls'])).toMatchObject({ ok: false });
    expect(parseCliArgs(['listen', '--user', 'bob', '--domain', 'd', '--auth-realm', 'a b'])).toMatchObject({ ok: false });
  });

  it('--dns-server IP[:PORT]: the resolver for RFC 3263 lookups, port 53 by default; names and bad ports refused', () => {
    expect((ok(['listen', '--dns-server', '127.0.0.1:5353']) as ListenArgs).dnsServers).toEqual(['127.0.0.1:5353']);
    expect((ok(['call', 'sip:x@example.com', '--dns-server', '192.0.2.53']) as CallArgs).dnsServers).toEqual(['192.0.2.53:53']);
    expect((ok(['listen', '--dns-server', '[::1]:5300']) as ListenArgs).dnsServers).toEqual(['[::1]:5300']);
    expect((ok(['listen', '--dns-server', '[2001:db8::53]']) as ListenArgs).dnsServers).toEqual(['[2001:db8::53]:53']);
    expect((ok(['listen']) as ListenArgs).dnsServers).toBeUndefined();
    for (const bad of ['dns.example.com', '127.0.0.1:0', '127.0.0.1:70000', '300.1.1.1', '[zz::1]:53', '127.0.0.1:53,10.0.0.1']) {
      const r = parseCliArgs(['listen', '--dns-server', bad]);
      expect(r.ok, bad).toBe(false);
      expect(r.ok ? '' : r.error, bad).toContain('--dns-server');
    }
    expect(parseCliArgs(['devices', '--dns-server', '127.0.0.1'])).toMatchObject({ ok: false });
  });

  it('--sip-t1 MS: the transaction timer T1 (RFC 3261 §17.1.1.1), 50-10000 ms, absent by default', () => {
    expect((ok(['listen', '--sip-t1', '150']) as ListenArgs).sipT1Ms).toBe(150);
    expect((ok(['call', 'sip:x@example.com', '--sip-t1', '2000']) as CallArgs).sipT1Ms).toBe(2000);
    expect((ok(['listen']) as ListenArgs).sipT1Ms).toBeUndefined();
    for (const bad of ['10', '20000', '1.5', 'fast']) {
      const r = parseCliArgs(['listen', '--sip-t1', bad]);
      expect(r.ok ? '' : r.error, bad).toContain('--sip-t1');
    }
  });

  it('--transport udp|tcp|tls (default udp) and --ca-file PATH; other transports and devices refused', () => {
    expect((ok(['listen']) as ListenArgs).transport).toBe('udp');
    expect((ok(['listen', '--transport', 'tcp']) as ListenArgs).transport).toBe('tcp');
    const tls = ok(['call', 'sip:x@example.com', '--transport', 'tls', '--ca-file', '/etc/pbx-ca.pem']) as CallArgs;
    expect(tls.transport).toBe('tls');
    expect(tls.caFile).toBe('/etc/pbx-ca.pem');
    expect((ok(['listen']) as ListenArgs).caFile).toBeUndefined();
    expect(err(['listen', '--transport', 'sctp'])).toBe('--transport must be udp, tcp or tls');
    expect(err(['listen', '--transport', 'TCP'])).toBe('--transport must be udp, tcp or tls');
    expect(err(['listen', '--ca-file', ''])).toContain('--ca-file');
    expect(err(['devices', '--transport', 'tcp'])).toContain('does not apply');
  });

  it('--answer-after implies auto-answer', () => {
    expect((ok(['listen', '--answer-after', '2']) as ListenArgs).autoAnswer).toBe(true);
  });

  it('parses call with its URI, duration, DTMF and a random local port by default', () => {
    const a = ok(['call', 'sip:x@127.0.0.1:5062', '--duration', '6', '--dtmf', '12#']) as CallArgs;
    expect(a).toMatchObject({ command: 'call', uri: 'sip:x@127.0.0.1:5062', duration: 6, dtmf: '12#', port: 0, ringTimeout: 60 });
  });

  it('takes the password from SOFTPHONE_PASSWORD, the flag winning over it', () => {
    const env = { SOFTPHONE_PASSWORD: 'fromenv' };
    expect((ok(['call', 'bob', '--user', 'a', '--domain', 'd.example'], env) as CallArgs).account.password).toBe('fromenv');
    expect((ok(['call', 'bob', '--user', 'a', '--domain', 'd.example', '--password', 'x'], env) as CallArgs).account.password).toBe('x');
    // Direct-IP mode has no account, so no password either.
    expect((ok(['listen'], env) as ListenArgs).account.password).toBeUndefined();
  });

  it('maps --no-register, --proxy, --auth-user and --display-name', () => {
    const a = ok([
      'call', '100', '--user', 'alice', '--domain', 'test.local', '--proxy', '127.0.0.1:25060', '--no-register',
      '--auth-user', 'alice-auth', '--display-name', 'Alice Smith',
    ]) as CallArgs;
    expect(a.account).toMatchObject({ register: false, proxy: '127.0.0.1:25060', authUser: 'alice-auth', displayName: 'Alice Smith' });
  });

  it('accepts --reject 486 and 603 only, and not with auto-answer', () => {
    expect((ok(['listen', '--reject', '486']) as ListenArgs).reject).toBe(486);
    expect((ok(['listen', '--reject', '603']) as ListenArgs).reject).toBe(603);
    expect(err(['listen', '--reject', '500'])).toMatch(/486.*603/);
    expect(err(['listen', '--reject', '486', '--auto-answer'])).toMatch(/cannot be combined/);
  });

  it('takes --dtmf-mode rfc4733|info|inband on both commands, and --dnd 486|480 on listen alone (issue 11)', () => {
    expect((ok(['call', 'sip:b@127.0.0.1', '--dtmf-mode', 'info']) as CallArgs).dtmfMode).toBe('info');
    expect((ok(['listen', '--dtmf-mode', 'inband']) as ListenArgs).dtmfMode).toBe('inband');
    expect((ok(['listen']) as ListenArgs).dtmfMode).toBeUndefined();
    expect(err(['call', 'sip:b@127.0.0.1', '--dtmf-mode', 'sipinfo'])).toMatch(/rfc4733, info or inband/);
    expect((ok(['listen', '--dnd', '480']) as ListenArgs).dnd).toBe(480);
    expect((ok(['listen', '--dnd', '486']) as ListenArgs).dnd).toBe(486);
    expect(err(['listen', '--dnd', '603'])).toMatch(/486.*480/);
    expect(err(['listen', '--dnd', '486', '--auto-answer'])).toMatch(/cannot be combined/);
    expect(err(['call', 'sip:b@127.0.0.1', '--dnd', '486'])).toMatch(/does not apply/);
  });

  it('takes --dial-plan with an account, checked by the dial plan parser the UI uses (issue 11)', () => {
    const a = ok(['call', '555-1234', '--user', 'alice', '--domain', 'pbx.example', '--dial-plan', 'xxxxxxx;match=1;pre=9;']) as CallArgs;
    expect(a.account.dialPlan).toBe('xxxxxxx;match=1;pre=9;');
    expect(err(['call', '5551234', '--user', 'a', '--domain', 'd', '--dial-plan', 'xx;match=1;bogus=2;'])).toMatch(/--dial-plan has a rule/);
    expect(err(['listen', '--dial-plan', 'x.;match=1;'])).toMatch(/--dial-plan needs --user/);
    // The plan decides what is dialled: a plan that turns the number into nothing is refused up front.
    expect(err(['call', '12', '--user', 'a', '--domain', 'd', '--dial-plan', 'xx;match=1;prestrip=5;'])).toMatch(/into nothing/);
  });

  it('takes --mic-volume and --speaker-volume in percent, 0-400 (issue 11)', () => {
    expect(ok(['listen', '--mic-volume', '50', '--speaker-volume', '200'])).toMatchObject({ micVolume: 50, speakerVolume: 200 });
    expect((ok(['listen']) as ListenArgs).micVolume).toBeUndefined();
    expect(err(['listen', '--mic-volume', '401'])).toMatch(/--mic-volume/);
    expect(err(['call', 'sip:b@127.0.0.1', '--speaker-volume', '-1'])).toMatch(/--speaker-volume/);
  });

  it('takes --auto-answer-delay S as --answer-after S (issue 11)', () => {
    expect(ok(['listen', '--auto-answer-delay', '2.5'])).toMatchObject({ autoAnswer: true, answerAfter: 2.5 });
    expect(err(['listen', '--auto-answer-delay', '2', '--answer-after', '2'])).toMatch(/give one/);
    expect(err(['listen', '--auto-answer-delay', '2', '--dnd', '486'])).toMatch(/cannot be combined/);
    expect(err(['listen', '--auto-answer-delay', '-1'])).toMatch(/auto-answer-delay/);
  });

  it('answers help and version', () => {
    expect(ok(['--help'])).toEqual({ command: 'help' });
    expect(ok(['call', '-h'])).toEqual({ command: 'help', topic: 'call' });
    expect(ok(['listen', '--help'])).toEqual({ command: 'help', topic: 'listen' });
    expect(ok(['help', 'nat-check'])).toEqual({ command: 'help', topic: 'nat-check' });
    expect(ok(['help']).command).toBe('help');
    expect(ok(['--version']).command).toBe('version');
    expect(ok(['devices']).command).toBe('devices');
  });

  it.each([
    [[], /missing command/],
    [['dance'], /unknown command "dance"/],
    [['listen', '--bogus'], /unknown option --bogus/],
    [['listen', '-x'], /unknown option -x/],
    [['listen', '--port'], /--port needs a value/],
    [['listen', '--port', '--auto-answer'], /--port needs a value/],
    [['listen', '--port', 'abc'], /^--port must be a whole number between 1 and 65535 \(or 0: any free port\), got "abc"$/],
    [['listen', '--port', '-1'], /^--port must be between 1 and 65535 \(or 0: any free port\), got -1$/],
    [['listen', '--port=-1'], /^--port must be between 1 and 65535/],
    [['listen', '--port', '70000'], /^--port must be between 1 and 65535 \(or 0: any free port\), got 70000$/],
    [['listen', '--port', '1', '--port', '2'], /given twice/],
    [['listen', '--auto-answer=yes'], /takes no value/],
    [['listen', '--rtp-ports', '20000'], /MIN-MAX/],
    [['listen', '--rtp-ports', '500-600'], /1024-65535/],
    [['listen', '--rtp-ports', '2000-2000'], /^--rtp-ports: the first port must be lower than the last/],
    [['listen', '--rtp-ports', '20000-10000'], /^--rtp-ports: the first port must be lower than the last/],
    [['listen', '--log-level', 'loud'], /debug, info, warn or error/],
    [['listen', '--duration', '5'], /--duration does not apply to "listen"/],
    [['call', 'sip:a@b', '--auto-answer'], /--auto-answer does not apply to "call"/],
    [['call'], /needs a URI/],
    [['call', 'a@b', 'c@d'], /unexpected argument "c@d"/],
    [['listen', 'extra'], /unexpected argument "extra"/],
    [['call', '1234'], /without --user, call needs a SIP URI/],
    [['call', 'sip:a@b', '--domain', 'x'], /--domain needs --user/],
    [['call', 'sip:a@b', '--password', 'x'], /--password needs --user/],
    [['call', 'bob', '--user', 'alice'], /--user needs --domain/],
    [['call', 'bob', '--user', 'al ice', '--domain', 'd'], /--user has characters/],
    [['call', 'bob', '--user', 'alice', '--domain', 'bad domain'], /HOST or HOST:PORT/],
    [['call', 'bob', '--user', 'alice', '--domain', 'd:99999'], /port must be 1-65535/],
    [['call', 'bob', '--user', 'a', '--domain', 'd', '--display-name', 'A "quoted"'], /display-name/],
    [['call', 'sip:a@b', '--dtmf', '12x'], /0-9 \* # A-D/],
    [['call', 'sip:a@b', '--duration', '-1'], /^--duration must be between 0.1 and 86400 seconds, got -1$/],
    [['call', 'sip:a@b', '--duration', '-5'], /^--duration must be between 0.1 and 86400 seconds, got -5$/],
    [['call', 'sip:a@b', '--duration', 'soon'], /^--duration must be a number of seconds, got "soon"$/],
    [['call', 'sip:a@b', '--duration', '0'], /^--duration must be between 0.1 and 86400 seconds, got 0$/],
    [['call', 'sip:a b@c'], /unexpected argument|spaces/],
    [['call', 'sip:a\u0001@b'], /characters SIP does not allow/],
    [['listen', '--expires', '5', '--user', 'a', '--domain', 'd'], /^--expires must be between 30 and 86400, got 5$/],
    [['listen', '--prot', '5060'], /^unknown option --prot \(did you mean --port\?\)$/],
    [['call', 'sip:a@b', '--durtion', '5'], /did you mean --duration\?/],
    [['listen', '-port', '5060'], /^unknown option -port \(did you mean --port\?\)$/],
    [['listen', '--auto-anwser'], /did you mean --auto-answer\?/],
    [['lisen'], /unknown command "lisen" \(did you mean listen\?/],
    [['call', 'sip:bob@@127.0.0.1'], /^invalid SIP URI "sip:bob@@127.0.0.1": two @$/],
    [['call', 'bob@'], /^invalid SIP URI "bob@": no host after @$/],
    [['call', 'sip:'], /^invalid SIP URI "sip:": nothing after "sip:"$/],
    [['call', 'sip:bob@host:70000'], /^invalid SIP URI "sip:bob@host:70000": port 70000 is not between 1 and 65535$/],
    [['call', 'sip:bob@@pbx', '--user', 'a', '--domain', 'pbx'], /two @/],
    [['listen', '--bind', 'eth0'], /IP address/],
    [['listen', '--bind', 'abc'], /^--bind must be an IP address \(IPv4, or IPv6 such as ::1 or ::\)$/],
    [['listen', '--bind', '300.1.1.1'], /--bind must be an IP address/],
    [['listen', '--bind', ':::1'], /--bind must be an IP address/],
  ])('rejects %j', (argv, message) => {
    expect(err(argv)).toMatch(message);
  });

  it.each(['::', '::1', '2001:db8::7', '::ffff:192.0.2.1'])('takes the IPv6 bind address %s (issue 10)', (address) => {
    expect((ok(['listen', '--bind', address]) as ListenArgs).bind).toBe(address);
  });

  it.each(COMMANDS)('"%s --help" documents every flag that command takes, and no other command', (name) => {
    const text = commandHelp(name);
    expect(text).toContain(`softphone ${name}`);
    for (const flagName of flagsOf(name)) expect(text, `--${flagName} missing from ${name} --help`).toContain(`--${flagName}`);
    for (const other of COMMANDS.filter((c) => c !== name)) expect(text).not.toMatch(new RegExp(`^  ${other} `, 'm'));
  });

  it('lists ui and nat-check in the global --help', () => {
    expect(HELP_TEXT).toMatch(/^ {2}softphone ui /m);
    expect(HELP_TEXT).toMatch(/^ {2}ui {3,}Serve the desktop UI/m);
    expect(HELP_TEXT).toMatch(/^ {2}nat-check {3,}/m);
  });

  it('documents every flag in --help, with SOFTPHONE_PASSWORD and two examples', () => {
    for (const name of FLAG_NAMES) expect(HELP_TEXT, `--${name} missing from help`).toContain(`--${name}`);
    expect(HELP_TEXT).toContain('SOFTPHONE_PASSWORD');
    expect(HELP_TEXT).toMatch(/straight by IP/);
    expect(HELP_TEXT).toMatch(/Through a SIP server/);
  });
});
