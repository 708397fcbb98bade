// Parses the `softphone` command line into a validated, typed command (pure: argv and env in, result out).
import { type Check, closestMatch, converted, flag, matches, maxLength, minLength, oneOf, parseFlags, secondsBetween, text, wholeNumber } from './flag-checks';
import { callTargetProblem } from './call-target';
import { parseDialPlan } from '../sip/dial-target';
import type { LogLevel } from '../util/logger';
import { isIPv4, isIPv6 } from '../sip/sip-uri';
import { natArgsFrom, parseServerArg, type NatArgs, type ServerArg } from './nat-args';
import { parseCodecList } from '../codec/codec-preference';
import type { CodecName } from '../rtp/media-session';
import { SRTP_MODES, type SignallingTransport, type SrtpConfig, type SrtpMode } from '../sip/srtp-policy';
import { DTMF_MODES, type DndStatus, type DtmfMode } from '../sip/user-agent-api';
import { eventArgsFrom, eventFlagChecks, type EventArgs } from './event-args';

export interface RtpPortRange {
  min: number;
  max: number;
}

/** Account flags; `user` absent = direct-IP mode (no registration, calls to sip:user@host[:port]). */
export interface AccountArgs {
  user?: string;
  domain?: string;
  password?: string;
  authUser?: string;
  displayName?: string;
  proxy?: string;
  register: boolean;
  expires: number;
  /** --auth-realm: digest realms besides the domain that may have the password (issue 9). */
  authRealms?: string[];
  /** --refuse-md5-without-qop */
  refuseMd5WithoutQop?: boolean;
  /** --allow-direct-calls: while registered, ring for calls that do not come through the server too. */
  allowDirectCalls?: boolean;
  /** --dial-plan (issue 11): the X-Lite dial plan numbers go through, as the UI account's field. */
  dialPlan?: string;
}

export interface CommonArgs {
  account: AccountArgs;
  /** SIP UDP port; listen defaults to 5060, call to 0 (any free port). */
  port: number;
  bind: string;
  rtpPorts: RtpPortRange;
  logLevel: LogLevel;
  play?: string;
  record?: string;
  /** Play the --play file again from the start when it ends. */
  loop: boolean;
  /** --stun, --turn, --ice (issue 4). */
  nat: NatArgs;
  /** NAT keep-alive towards the registrar (RFC 5626 §4.4 idea): OPTIONS every N s, or off. */
  keepAlive: { method: 'options' | 'off'; intervalSeconds: number };
  /** --dns-server: "IP:PORT" to ask for NAPTR/SRV/A records (RFC 3263) instead of the system's resolvers. */
  dnsServers?: string[];
  /** --no-rtp-timeout: seconds of silence from the peer before a connected call is ended (0 = never). */
  noRtpTimeout: number;
  /** --sip-t1: the SIP transaction timer T1 in ms (default 500). */
  sipT1Ms?: number;
  /** --session-expires: the session interval we ask for and grant (RFC 4028; 0 = ask for none); absent = 1800. */
  sessionExpires?: number;
  /** --transport: SIP over UDP (default), TCP or TLS (RFC 3261 §18). */
  transport: 'udp' | 'tcp' | 'tls';
  /** --ca-file: a private CA (PEM) trusted for TLS besides the system CAs. */
  caFile?: string;
  /** --echo-cancellation on|off (issue 13): speexdsp on the sound card's microphone; default on. */
  echoCancellation: boolean;
  /** --comfort-noise on|off (issue 13): RFC 3389 CN offered, silence sent as comfort noise; default off. */
  comfortNoise: boolean;
  /** --media-engine (issue 12): force the native engine or the worker thread; absent = per call. */
  mediaEngine?: 'native' | 'worker';
  /** --srtp and --srtp-over-udp (issue 10): SRTP with SDES keys. */
  srtp: SrtpConfig;
  /** --codecs (issue 13): the audio codecs to offer and accept, in order of preference; absent = all. */
  codecs?: CodecName[];
  /** --accept-transfer (issue 11): act on the peer's REFER and on INVITEs with Replaces. */
  acceptTransfer: boolean;
  /** --ask-transfer (issue 11): ask on the control channel (transfer_request, call.transferReply) first. */
  askTransfer?: boolean;
  /** --dtmf-mode (issue 11): how keys go out; absent = RFC 4733. */
  dtmfMode?: DtmfMode;
  /** --record-calls DIR (issue 11): each connected call recorded to a stereo WAV in DIR. */
  recordCalls?: string;
  /** --mic-volume / --speaker-volume (issue 11): percent, 100 = unchanged. */
  micVolume?: number;
  speakerVolume?: number;
  /** --presence, --watch, --voicemail (issue 11, part 6). */
  events: EventArgs;
}

export interface ListenArgs extends CommonArgs {
  command: 'listen';
  autoAnswer: boolean;
  /** Seconds of ringing before auto-answer (0 = at once). */
  answerAfter: number;
  /** Exit 0 after this many calls have ended; absent = until signalled. */
  maxCalls?: number;
  /** Calls taken at once (issue 11); past it a caller gets 486 Busy Here. Default 1. */
  maxConcurrent: number;
  /** Decline every incoming call with this status instead of ringing. */
  reject?: 486 | 603;
  /** --dnd: do-not-disturb, every INVITE answered at once with this status (no 180, no media port). */
  dnd?: DndStatus;
}

export interface CallArgs extends CommonArgs {
  command: 'call';
  uri: string;
  /** Seconds from connect to our BYE; absent = until the remote hangs up or a signal. */
  duration?: number;
  /** Seconds of ringing before we give up with CANCEL. */
  ringTimeout: number;
  dtmf?: string;
}

export interface DevicesArgs {
  command: 'devices';
  logLevel: LogLevel;
}

/** `softphone nat-check --stun HOST[:PORT]`: the public mapping of a local port and the NAT's behaviour. */
export interface NatCheckArgs {
  command: 'nat-check';
  stun: ServerArg;
  /** Local UDP port to probe (default the SIP port 5060; 0 = any). */
  port: number;
  bind: string;
  logLevel: LogLevel;
}

/** The commands this parser handles (`ui` has its own parser: src-main/web/ui-args.ts). */
export const COMMANDS = ['listen', 'call', 'devices', 'nat-check'] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface HelpArgs {
  command: 'help';
  /** `softphone call --help`: that command's help; absent = the whole text. */
  topic?: CommandName;
}

export interface VersionArgs {
  command: 'version';
}

export type CliArgs = ListenArgs | CallArgs | DevicesArgs | NatCheckArgs | HelpArgs | VersionArgs;

export type ParseResult = { ok: true; args: CliArgs } | { ok: false; error: string };

export const DEFAULT_LISTEN_PORT = 5060;
export const DEFAULT_RTP_PORTS: RtpPortRange = { min: 10000, max: 20000 };
export const DEFAULT_EXPIRES = 600;
export const DEFAULT_RING_TIMEOUT = 60;
/** Seconds between NAT keep-alive OPTIONS while registered (issue 4: default 25 s). */
export const DEFAULT_KEEP_ALIVE = 25;
/** Seconds without RTP/RTCP before a connected call is hung up (issue 10; Linphone's nortp_timeout). */
export const DEFAULT_NO_RTP_TIMEOUT = 30;
export const PASSWORD_ENV = 'SOFTPHONE_PASSWORD';

/** list: a value flag that may be given more than once (--watch). */
type FlagKind = 'value' | 'bool' | 'list';
/** Every flag and the commands that take it. */
const FLAGS: Record<string, { kind: FlagKind; commands: ReadonlyArray<'listen' | 'call' | 'devices' | 'nat-check'> }> = {
  user: { kind: 'value', commands: ['listen', 'call'] },
  domain: { kind: 'value', commands: ['listen', 'call'] },
  password: { kind: 'value', commands: ['listen', 'call'] },
  'auth-user': { kind: 'value', commands: ['listen', 'call'] },
  'display-name': { kind: 'value', commands: ['listen', 'call'] },
  proxy: { kind: 'value', commands: ['listen', 'call'] },
  'no-register': { kind: 'bool', commands: ['listen', 'call'] },
  expires: { kind: 'value', commands: ['listen', 'call'] },
  'auth-realm': { kind: 'value', commands: ['listen', 'call'] },
  'refuse-md5-without-qop': { kind: 'bool', commands: ['listen', 'call'] },
  'allow-direct-calls': { kind: 'bool', commands: ['listen'] },
  'dial-plan': { kind: 'value', commands: ['listen', 'call'] },
  'keep-alive': { kind: 'value', commands: ['listen', 'call'] },
  'dns-server': { kind: 'value', commands: ['listen', 'call'] },
  'sip-t1': { kind: 'value', commands: ['listen', 'call'] },
  'no-rtp-timeout': { kind: 'value', commands: ['listen', 'call'] },
  'session-expires': { kind: 'value', commands: ['listen', 'call'] },
  transport: { kind: 'value', commands: ['listen', 'call'] },
  'ca-file': { kind: 'value', commands: ['listen', 'call'] },
  srtp: { kind: 'value', commands: ['listen', 'call'] },
  'srtp-over-udp': { kind: 'bool', commands: ['listen', 'call'] },
  'echo-cancellation': { kind: 'value', commands: ['listen', 'call'] },
  'comfort-noise': { kind: 'value', commands: ['listen', 'call'] },
  codecs: { kind: 'value', commands: ['listen', 'call'] },
  'media-engine': { kind: 'value', commands: ['listen', 'call'] },
  'accept-transfer': { kind: 'bool', commands: ['listen', 'call'] },
  'ask-transfer': { kind: 'bool', commands: ['listen', 'call'] },
  port: { kind: 'value', commands: ['listen', 'call', 'nat-check'] },
  bind: { kind: 'value', commands: ['listen', 'call', 'nat-check'] },
  'rtp-ports': { kind: 'value', commands: ['listen', 'call'] },
  'log-level': { kind: 'value', commands: ['listen', 'call', 'devices', 'nat-check'] },
  stun: { kind: 'value', commands: ['listen', 'call', 'nat-check'] },
  turn: { kind: 'value', commands: ['listen', 'call'] },
  'turn-user': { kind: 'value', commands: ['listen', 'call'] },
  'turn-password': { kind: 'value', commands: ['listen', 'call'] },
  ice: { kind: 'bool', commands: ['listen', 'call'] },
  play: { kind: 'value', commands: ['listen', 'call'] },
  record: { kind: 'value', commands: ['listen', 'call'] },
  loop: { kind: 'bool', commands: ['listen', 'call'] },
  'auto-answer': { kind: 'bool', commands: ['listen'] },
  'answer-after': { kind: 'value', commands: ['listen'] },
  'auto-answer-delay': { kind: 'value', commands: ['listen'] },
  'max-calls': { kind: 'value', commands: ['listen'] },
  'max-concurrent': { kind: 'value', commands: ['listen'] },
  reject: { kind: 'value', commands: ['listen'] },
  duration: { kind: 'value', commands: ['call'] },
  'ring-timeout': { kind: 'value', commands: ['call'] },
  dtmf: { kind: 'value', commands: ['call'] },
  'dtmf-mode': { kind: 'value', commands: ['listen', 'call'] },
  'record-calls': { kind: 'value', commands: ['listen', 'call'] },
  'mic-volume': { kind: 'value', commands: ['listen', 'call'] },
  'speaker-volume': { kind: 'value', commands: ['listen', 'call'] },
  dnd: { kind: 'value', commands: ['listen'] },
  presence: { kind: 'value', commands: ['listen', 'call'] },
  watch: { kind: 'list', commands: ['listen', 'call'] },
  voicemail: { kind: 'bool', commands: ['listen', 'call'] },
};

/** Every long flag the CLI knows (the help text must document each). */
export const FLAG_NAMES: readonly string[] = Object.keys(FLAGS);

/** The flags one command takes (its own --help must document each). */
export function flagsOf(command: CommandName): string[] {
  return FLAG_NAMES.filter((n) => FLAGS[n]?.commands.includes(command));
}

// Numbers are checked as text first (no "1e3", "0x10" or " 5"), then range-checked; a negative number
// is reported as out of range, with what was given.
const integer = (what: string, min: number, max: number) => wholeNumber(what, min, max);
const seconds = (what: string, min: number) => secondsBetween(what, min, 86_400);

/** True if `s` has no control characters (C0 or DEL): they would break a SIP header line. */
export function noControlChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

// No spaces, quotes or control characters: these end up inside SIP header fields.
const token = (what: string) =>
  text(
    minLength(1, `${what} must not be empty`),
    maxLength(256, what),
    matches(/^[^\s"<>\\]+$/, `${what} has characters SIP does not allow`),
    [noControlChars, `${what} has characters SIP does not allow`],
  );
const hostPort = (what: string) =>
  text(
    minLength(1, `${what} must not be empty`),
    maxLength(256, what),
    matches(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$/, `${what} must be HOST or HOST:PORT`),
    [
      (s) => {
        const m = /:(\d{1,5})$/.exec(s.startsWith('[') ? s.slice(s.indexOf(']')) : s);
        return !m || (Number(m[1]) >= 1 && Number(m[1]) <= 65535);
      },
      `${what}: port must be 1-65535`,
    ],
  );

const rtpPorts = converted(
  text(matches(/^\d{1,5}-\d{1,5}$/, '--rtp-ports must be MIN-MAX, e.g. 10000-20000')),
  (s): RtpPortRange => {
    const [a, b] = s.split('-');
    return { min: Number(a), max: Number(b) };
  },
  // Order matters: "20000-10000" is a swapped range, not one outside 1024-65535.
  [(r) => r.min < r.max, '--rtp-ports: the first port must be lower than the last (RTP and RTCP need two ports)'],
  [(r) => r.min >= 1024 && r.max <= 65535, '--rtp-ports must lie within 1024-65535'],
);

const logLevel = oneOf<LogLevel>(['debug', 'info', 'warn', 'error'], '--log-level must be debug, info, warn or error');

/**
 * --dns-server IP[:PORT] ("[v6]:PORT" for IPv6): an address, since a DNS server cannot be found by
 * name; becomes "IP:PORT" as dns.setServers takes it (port 53 by default).
 */
const dnsServer = converted(
  text(
    maxLength(64, '--dns-server'),
    matches(/^(\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?)$/, '--dns-server must be an IP address with an optional port (IP[:PORT], [IPv6]:PORT)'),
  ),
  (s): string => (/:\d{1,5}$/.test(s) && !s.endsWith(']') ? s : `${s}:53`),
  [(s) => isIPv4(s.replace(/:\d+$/, '')) || isIPv6(s.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')), '--dns-server must be an IP address with an optional port (IP[:PORT], [IPv6]:PORT)'],
  [(s) => Number(s.slice(s.lastIndexOf(':') + 1)) >= 1 && Number(s.slice(s.lastIndexOf(':') + 1)) <= 65535, '--dns-server: port must be 1-65535'],
);

/** --codecs pcma,pcmu: the order of preference, each name once, only codecs this build has. */
const codecList: Check<CodecName[]> = (raw) => {
  const t = text(maxLength(200, '--codecs'))(raw);
  if (!t.ok) return t;
  const r = parseCodecList(t.value);
  return r.ok ? { ok: true, value: r.codecs } : { ok: false, message: `--codecs: ${r.error}` };
};

/** Every flag's check, in the order problems are reported. */
const commonSchema = {
  user: token('--user'),
  domain: hostPort('--domain'),
  password: text(maxLength(256, '--password')),
  'auth-user': token('--auth-user'),
  'display-name': text(
    maxLength(128, '--display-name'),
    matches(/^[^"\\]*$/, '--display-name must not contain quotes, backslashes or control characters'),
    [noControlChars, '--display-name must not contain quotes, backslashes or control characters'],
  ),
  proxy: hostPort('--proxy'),
  'no-register': flag,
  'auth-realm': converted(
    text(maxLength(1024, '--auth-realm'), matches(/^[^\s"\\]+(,[^\s"\\]+)*$/, '--auth-realm takes REALM[,REALM...] without spaces or quotes')),
    (s) => s.split(','),
    [(list) => list.length <= 10, '--auth-realm takes at most 10 realms'],
  ),
  'refuse-md5-without-qop': flag,
  'allow-direct-calls': flag,
  // The UI account's dial plan field, parsed by the same code (sip/dial-target.ts): a rule it cannot read is a usage error.
  'dial-plan': text(
    maxLength(500, '--dial-plan'),
    [noControlChars, '--dial-plan must not contain control characters'],
    [(s) => parseDialPlan(s).errors.length === 0, '--dial-plan has a rule that cannot be read (X-Lite syntax, e.g. "#1\\a\\a.T;match=1;prestrip=2;")'],
  ),
  expires: integer('--expires', 30, 86_400),
  port: wholeNumber('--port', 0, 65535, 'between 1 and 65535 (or 0: any free port)'),
  // An IPv4 or IPv6 address: "::" binds one dual-stack socket (IPv4 and IPv6), "0.0.0.0" IPv4 only.
  bind: text(matches(/^(\d{1,3}\.){3}\d{1,3}$|^[0-9A-Fa-f:.]+$/, '--bind must be an IP address'), [(s) => isIPv4(s) || isIPv6(s), '--bind must be an IP address (IPv4, or IPv6 such as ::1 or ::)']),
  'rtp-ports': rtpPorts,
  'log-level': logLevel,
  play: text(minLength(1, '--play needs a file')),
  record: text(minLength(1, '--record needs a file')),
  'mic-volume': integer('--mic-volume', 0, 400),
  'speaker-volume': integer('--speaker-volume', 0, 400),
  'record-calls': text(minLength(1, '--record-calls needs a directory'), maxLength(1024, '--record-calls'), [noControlChars, '--record-calls must not contain control characters']),
  loop: flag,
  'auto-answer': flag,
  'answer-after': seconds('--answer-after', 0),
  'auto-answer-delay': seconds('--auto-answer-delay', 0),
  'max-calls': integer('--max-calls', 1, 1_000_000),
  'max-concurrent': integer('--max-concurrent', 1, 8),
  reject: oneOf(['486', '603'], '--reject must be 486 (busy) or 603 (decline)'),
  duration: seconds('--duration', 0.1),
  'ring-timeout': seconds('--ring-timeout', 1),
  'no-rtp-timeout': seconds('--no-rtp-timeout', 0),
  // RFC 4028 §4: Min-SE is at least 90 s, so a smaller interval would only earn 422s; 0 turns ours off.
  'session-expires': converted(integer('--session-expires', 0, 86_400), (n) => n, [(n) => n === 0 || n >= 90, '--session-expires must be 0 (off) or 90-86400 seconds (RFC 4028: at least 90)']),
  dtmf: text(matches(/^[0-9*#A-Da-d]{1,64}$/, '--dtmf takes up to 64 of 0-9 * # A-D')),
  'dtmf-mode': oneOf<DtmfMode>([...DTMF_MODES], '--dtmf-mode must be rfc4733, info or inband'),
  dnd: oneOf(['486', '480'], '--dnd must be 486 (busy) or 480 (unavailable)'),
  stun: hostPort('--stun'),
  turn: hostPort('--turn'),
  'turn-user': token('--turn-user'),
  'turn-password': text(maxLength(256, '--turn-password'), [noControlChars, '--turn-password must not contain control characters']),
  ice: flag,
  srtp: oneOf<SrtpMode>([...SRTP_MODES], '--srtp must be off, optional or mandatory'),
  'srtp-over-udp': flag,
  'echo-cancellation': oneOf(['on', 'off'], '--echo-cancellation must be on or off'),
  'comfort-noise': oneOf(['on', 'off'], '--comfort-noise must be on or off'),
  codecs: codecList,
  'media-engine': oneOf<'native' | 'worker'>(['native', 'worker'], '--media-engine must be native or worker'),
  'accept-transfer': flag,
  'ask-transfer': flag,
  'dns-server': dnsServer,
  // RFC 3261 §17.1.1.1: T1 estimates the round trip; larger on slow links, smaller only on a closed network.
  'sip-t1': integer('--sip-t1', 50, 10_000),
  transport: oneOf(['udp', 'tcp', 'tls'], '--transport must be udp, tcp or tls'),
  'ca-file': text(minLength(1, '--ca-file needs a file'), maxLength(1024, '--ca-file'), [noControlChars, '--ca-file must not contain control characters']),
  'keep-alive': converted(
    text(matches(/^(off|\d+)$/, '--keep-alive must be a number of seconds or "off"')),
    (s): 'off' | number => (s === 'off' ? 'off' : Number(s)),
    [(v) => v === 'off' || (v >= 1 && v <= 86_400), '--keep-alive must be 1-86400 seconds or "off"'],
  ),
  ...eventFlagChecks,
};

type Raw = Record<string, string | boolean>;

/** "unknown option --prot (did you mean --port?)": the nearest known flag, when it is a likely typo. */
function unknownOption(shown: string, name: string): string {
  const near = closestMatch(name, [...FLAG_NAMES, 'help', 'version']);
  return near ? `unknown option ${shown} (did you mean --${near}?)` : `unknown option ${shown}`;
}

/** Splits argv into the command, positionals and flags; rejects unknown or repeated flags. */
function tokenize(
  argv: readonly string[],
): { positionals: string[]; flags: Raw; help: boolean; version: boolean } | { error: string } {
  const positionals: string[] = [];
  const flags: Raw = {};
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '--version') {
      version = true;
      continue;
    }
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) return { error: unknownOption(arg, arg.replace(/^-+/, '')) };
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = FLAGS[name];
    if (!spec) return { error: unknownOption(`--${name}`, name) };
    if (name in flags && spec.kind !== 'list') return { error: `--${name} given twice` };
    if (spec.kind === 'bool') {
      if (eq >= 0) return { error: `--${name} takes no value` };
      flags[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) return { error: `--${name} needs a value` };
      i++;
    }
    const before = flags[name];
    flags[name] = spec.kind === 'list' && typeof before === 'string' ? `${before}\n${value}` : value;
  }
  return { positionals, flags, help, version };
}

/**
 * --srtp with the signalling transport (--transport): SDES keys travel inside the SDP,
 * so asking for SRTP over plain SIP is a usage error unless --srtp-over-udp says the user means it.
 */
export function srtpArgs(mode: SrtpMode, overUdp: boolean, signalling: SignallingTransport): SrtpConfig | { error: string } {
  if (overUdp && mode === 'off') return { error: '--srtp-over-udp needs --srtp optional or --srtp mandatory' };
  if (mode !== 'off' && signalling !== 'tls' && !overUdp) {
    return { error: `--srtp ${mode}: the SRTP keys would cross the network readable in the SIP messages (SIP over ${signalling.toUpperCase()}, not TLS); add --srtp-over-udp to allow that` };
  }
  return overUdp ? { mode, overInsecureSignalling: true } : { mode };
}

/** argv without "node" and the script; env is consulted for SOFTPHONE_PASSWORD only. */
export function parseCliArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): ParseResult {
  const tokens = tokenize(argv);
  if ('error' in tokens) return { ok: false, error: tokens.error };
  const { positionals, flags, help, version } = tokens;
  const [command, ...rest] = positionals;
  const isCommand = (c: string | undefined): c is CommandName => (COMMANDS as readonly string[]).includes(c ?? '');
  // `softphone call --help`, `softphone help call`: that command's help.
  if (help || command === 'help') {
    const topic = command === 'help' ? rest[0] : command;
    return { ok: true, args: isCommand(topic) ? { command: 'help', topic } : { command: 'help' } };
  }
  if (version || command === 'version') return { ok: true, args: { command: 'version' } };
  if (command === undefined) return { ok: false, error: 'missing command (listen, call, devices, nat-check or ui)' };
  if (!isCommand(command)) {
    const near = closestMatch(command, [...COMMANDS, 'ui', 'help']);
    return { ok: false, error: `unknown command "${command}" (${near ? `did you mean ${near}? ` : ''}expected listen, call, devices, nat-check or ui)` };
  }
  for (const name of Object.keys(flags)) {
    if (!FLAGS[name]?.commands.includes(command)) return { ok: false, error: `--${name} does not apply to "${command}"` };
  }
  if (command === 'call' && rest.length !== 1) {
    return { ok: false, error: rest.length === 0 ? 'call needs a URI or number to dial' : `unexpected argument "${rest[1] ?? ''}"` };
  }
  if (command !== 'call' && rest.length > 0) return { ok: false, error: `unexpected argument "${rest[0] ?? ''}"` };

  const parsed = parseFlags(commonSchema, flags);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = issue?.path[0];
    const msg = issue?.message ?? 'invalid option';
    return { ok: false, error: typeof flag === 'string' && !msg.includes(`--${flag}`) ? `--${flag}: ${msg}` : msg };
  }
  const f = parsed.data;
  const logLevelValue: LogLevel = f['log-level'] ?? 'info';
  if (command === 'devices') return { ok: true, args: { command: 'devices', logLevel: logLevelValue } };
  if (command === 'nat-check') {
    if (f.stun === undefined) return { ok: false, error: 'nat-check needs --stun HOST[:PORT] (a STUN server)' };
    return { ok: true, args: { command: 'nat-check', stun: parseServerArg(f.stun), port: f.port ?? DEFAULT_LISTEN_PORT, bind: f.bind ?? '0.0.0.0', logLevel: logLevelValue } };
  }
  const nat = natArgsFrom(f, env);
  if (!nat.ok) return nat;

  // SDES keys are safe from the wire only inside SIP over TLS (--transport tls).
  const srtp = srtpArgs(f.srtp ?? 'off', f['srtp-over-udp'] === true, f.transport === 'tls' ? 'tls' : f.transport === 'tcp' ? 'tcp' : 'udp');
  if ('error' in srtp) return { ok: false, error: srtp.error };

  const events = eventArgsFrom(f, f.user, f.domain, f['dial-plan']);
  if (!events.ok) return events;

  const password = f.password ?? env[PASSWORD_ENV];
  if (f.user === undefined) {
    const needsUser = (
      ['domain', 'password', 'auth-user', 'display-name', 'proxy', 'no-register', 'expires', 'auth-realm', 'refuse-md5-without-qop', 'allow-direct-calls', 'dial-plan'] as const
    ).find(
      (n) => flags[n] !== undefined,
    );
    if (needsUser) return { ok: false, error: `--${needsUser} needs --user (without --user the phone works by IP only)` };
  } else if (f.domain === undefined) {
    return { ok: false, error: '--user needs --domain (the SIP server or domain, HOST[:PORT])' };
  }

  const common: CommonArgs = {
    account: {
      user: f.user,
      domain: f.domain,
      password: f.user === undefined ? undefined : password,
      authUser: f['auth-user'],
      displayName: f['display-name'],
      proxy: f.proxy,
      register: f['no-register'] !== true,
      expires: f.expires ?? DEFAULT_EXPIRES,
      // Issue 9 options: present only when given, so the account below carries the defaults otherwise.
      ...(f['auth-realm'] ? { authRealms: f['auth-realm'] } : {}),
      ...(f['refuse-md5-without-qop'] ? { refuseMd5WithoutQop: true } : {}),
      ...(f['allow-direct-calls'] ? { allowDirectCalls: true } : {}),
      ...(f['dial-plan'] ? { dialPlan: f['dial-plan'] } : {}),
    },
    port: f.port ?? (command === 'listen' ? DEFAULT_LISTEN_PORT : 0),
    bind: f.bind ?? '0.0.0.0',
    rtpPorts: f['rtp-ports'] ?? DEFAULT_RTP_PORTS,
    logLevel: logLevelValue,
    play: f.play,
    record: f.record,
    loop: f.loop === true,
    echoCancellation: f['echo-cancellation'] !== 'off',
    comfortNoise: f['comfort-noise'] === 'on',
    nat: nat.nat,
    keepAlive:
      f['keep-alive'] === 'off'
        ? { method: 'off', intervalSeconds: DEFAULT_KEEP_ALIVE }
        : { method: 'options', intervalSeconds: f['keep-alive'] === undefined ? DEFAULT_KEEP_ALIVE : Number(f['keep-alive']) },
    ...(f['dns-server'] !== undefined ? { dnsServers: [f['dns-server']] } : {}),
    noRtpTimeout: f['no-rtp-timeout'] ?? DEFAULT_NO_RTP_TIMEOUT,
    ...(f['sip-t1'] !== undefined ? { sipT1Ms: f['sip-t1'] } : {}),
    ...(f['session-expires'] !== undefined ? { sessionExpires: f['session-expires'] } : {}),
    transport: f.transport ?? 'udp',
    ...(f['ca-file'] !== undefined ? { caFile: f['ca-file'] } : {}),
    srtp,
    ...(f.codecs !== undefined ? { codecs: f.codecs } : {}),
    ...(f['media-engine'] !== undefined ? { mediaEngine: f['media-engine'] } : {}),
    acceptTransfer: f['accept-transfer'] === true,
    ...(f['ask-transfer'] === true ? { askTransfer: true } : {}),
    ...(f['dtmf-mode'] !== undefined ? { dtmfMode: f['dtmf-mode'] } : {}),
    ...(f['record-calls'] !== undefined ? { recordCalls: f['record-calls'] } : {}),
    ...(f['mic-volume'] !== undefined ? { micVolume: f['mic-volume'] } : {}),
    ...(f['speaker-volume'] !== undefined ? { speakerVolume: f['speaker-volume'] } : {}),
    events: events.events,
  };

  if (command === 'listen') {
    // --auto-answer-delay is the UI's name for --answer-after (issue 11): one or the other.
    if (f['auto-answer-delay'] !== undefined && f['answer-after'] !== undefined) {
      return { ok: false, error: '--auto-answer-delay and --answer-after say the same thing: give one' };
    }
    const answerAfter = f['answer-after'] ?? f['auto-answer-delay'];
    if (f.reject !== undefined && (f['auto-answer'] || answerAfter !== undefined)) {
      return { ok: false, error: '--reject cannot be combined with --auto-answer or --answer-after' };
    }
    if (f.dnd !== undefined && (f.reject !== undefined || f['auto-answer'] || answerAfter !== undefined)) {
      return { ok: false, error: '--dnd cannot be combined with --reject, --auto-answer or --answer-after' };
    }
    return {
      ok: true,
      args: {
        ...common,
        command: 'listen',
        // --answer-after implies auto-answer: it only says when.
        autoAnswer: f['auto-answer'] === true || answerAfter !== undefined,
        answerAfter: answerAfter ?? 0,
        maxCalls: f['max-calls'],
        maxConcurrent: f['max-concurrent'] ?? 1,
        reject: f.reject === undefined ? undefined : (Number(f.reject) as 486 | 603),
        ...(f.dnd !== undefined ? { dnd: Number(f.dnd) as DndStatus } : {}),
      },
    };
  }

  const uri = (rest[0] ?? '').trim();
  if (!/^[^\s"<>]{1,512}$/.test(uri) || !noControlChars(uri)) return { ok: false, error: 'the URI to call has spaces or characters SIP does not allow' };
  // Checked here, before any socket is bound, with the resolver the user agent dials with.
  const targetProblem = callTargetProblem(uri, f.user === undefined ? undefined : f.domain, f['dial-plan']);
  if (targetProblem) return { ok: false, error: targetProblem };
  return {
    ok: true,
    args: {
      ...common,
      command: 'call',
      uri,
      duration: f.duration,
      ringTimeout: f['ring-timeout'] ?? DEFAULT_RING_TIMEOUT,
      dtmf: f.dtmf,
    },
  };
}
