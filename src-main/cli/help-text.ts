// The text of `softphone --help` (every command, flag, output event and exit code, with two examples)
// and of `softphone COMMAND --help` (that command's part of it).
import type { CommandName } from './cli-args';
import { DEFAULT_EXPIRES, DEFAULT_KEEP_ALIVE, DEFAULT_LISTEN_PORT, DEFAULT_NO_RTP_TIMEOUT, DEFAULT_RING_TIMEOUT, DEFAULT_RTP_PORTS, PASSWORD_ENV } from './cli-args';
import { STUN_DEFAULT_PORT, TURN_PASSWORD_ENV } from './nat-args';

export const USAGE = `Usage:
  softphone listen [account flags] [options] [--auto-answer] [--answer-after S] [--max-calls N] [--reject 486|603]
  softphone call URI [account flags] [options] [--duration S] [--ring-timeout S] [--dtmf DIGITS]
  softphone devices
  softphone nat-check --stun HOST[:PORT] [--port N] [--bind ADDR]
  softphone ui [--port N] [--open] [--data-dir DIR] [--sip-port N]
  softphone --help | COMMAND --help | --version`;

const COMMANDS = `Commands:
  listen        Wait for calls. Prints "incoming" for each; answers only with --auto-answer or
                --answer-after, otherwise the call rings until the caller gives up. One call at a
                time unless --max-concurrent: a caller past it gets 486 Busy Here. With an account, registers and keeps the
                registration fresh; if the registrar cannot be reached (timeout, 5xx) it retries
                after 5, 10, 20 ... 300 s; if it rejects us (wrong password, 403, 404) it exits 1.
  call URI      Dial URI (sip:user@host[:port], or a user/number at --domain), print progress,
                hang up after --duration seconds of talk, or stay up until the remote hangs up.
  devices       List the sound card's audio devices (one "device" line each).
  nat-check     Ask a STUN server what the NAT makes of a local UDP port (default ${DEFAULT_LISTEN_PORT}, the
                SIP port): its public address and the mapping behaviour (RFC 5780), one "nat_check" line.
                Exit 1 if the server did not answer enough to tell.
  ui            Serve the desktop UI to a browser on http://127.0.0.1 (a random port and access token);
                the URL is the first line of output. "softphone ui --help" lists its options.
`;

const ACCOUNT = `Account flags (without --user the phone works by IP only: no server, no registration):
  --user NAME             user ID, the user part of sip:NAME@DOMAIN
  --domain HOST[:PORT]    SIP domain / registrar
  --password PW           digest password. Safer: set ${PASSWORD_ENV} in the environment instead,
                          since command lines are visible to other users (ps) and shell history
  --auth-user NAME        authorization name, if it differs from --user
  --display-name TEXT     name shown to the people you call
  --proxy HOST[:PORT]     send all requests through this outbound proxy instead of the domain
  --no-register           do not REGISTER (call through the server without receiving calls)
  --expires N             registration lifetime in seconds (default ${DEFAULT_EXPIRES})
  --auth-realm R[,R...]   digest realms besides the domain that may have your password (for a server
                          whose realm differs); a challenge for any other realm ends the call unanswered
  --refuse-md5-without-qop  do not answer MD5 digest challenges without qop (crackable offline)
  --allow-direct-calls    listen: while registered, also ring for calls that do not come through the
                          server (by default they get 403 and a "rejected" event)
  --keep-alive S|off      NAT keep-alive: OPTIONS to the server every S seconds while registered
                          (default ${DEFAULT_KEEP_ALIVE}), and a 4-byte CRLF whenever 8 s pass without
                          one, so NATs that forget after 10 s still let calls in; off: neither
`;

const OPTIONS = `  --port N                local SIP UDP port (listen: default ${DEFAULT_LISTEN_PORT}; call: default 0 = any free port)
  --bind ADDR             local IP address for SIP and RTP (default 0.0.0.0 = all IPv4; :: = IPv4 and IPv6)
  --transport udp|tcp|tls SIP over UDP (default), TCP or TLS (RFC 3261 §18): for the server and for
                          URIs without ;transport= (sips: URIs always use TLS). TCP/TLS reuse one
                          connection to the server and keep it open with CRLF pings (RFC 5626)
  --ca-file FILE.pem      TLS: also trust this CA (e.g. a private PBX's), besides the system CAs; the
                          server's certificate must still name the host you gave (--domain/--proxy)
  --dns-server IP[:PORT]  DNS server for finding the SIP servers of --domain/--proxy (NAPTR, SRV, then A
                          records, RFC 3263; port 53 by default) instead of the system's resolvers
  --sip-t1 MS             SIP retransmission timer T1 (default 500 ms; 50-10000): a request with no
                          answer is given up after 64*T1; raise it on slow links
  --rtp-ports MIN-MAX     UDP ports for RTP/RTCP (default ${DEFAULT_RTP_PORTS.min}-${DEFAULT_RTP_PORTS.max}); open them in the firewall
  --play FILE.wav         send this WAV instead of the microphone (PCM WAV, any rate; played as 8 kHz mono)
  --record FILE.wav       write what the other side says to this WAV instead of the speaker;
                          with listen, call 2 goes to FILE-2.wav, call 3 to FILE-3.wav, ...
  --loop                  play the --play file again from the start when it ends
  --mic-volume PCT        microphone (or --play file) volume in percent, 0-400 (default 100)
  --speaker-volume PCT    speaker (or --record file) volume in percent, 0-400 (default 100)
  --record-calls DIR      record each call, from when it connects, to a stereo WAV in DIR (8 kHz:
                          left = what we send, right = what we hear), named DATE_TIME_in|out_PEER.wav;
                          a recording line gives the path
                          (with --play or --record, the other half is silence / discarded;
                          without either, the sound card is used)
  --echo-cancellation on|off
                          sound card only: remove the speaker's sound from the microphone and
                          suppress steady noise (speexdsp; default on when native/ was built with it)
  --comfort-noise on|off  offer RFC 3389 comfort noise (CN/8000); when the peer accepts it, silence is
                          sent as comfort-noise packets instead of audio (default off)
  --no-rtp-timeout S      hang up a connected call that has received no RTP/RTCP for S seconds
                          (default ${DEFAULT_NO_RTP_TIMEOUT}; 0 = never; not while on hold); a media_warning
                          line comes first, after 5 s of silence (or S/2 if shorter)
  --session-expires S     session timer (RFC 4028): ask for and grant at most S seconds between
                          refreshes (default 1800; 0 = ask for none; otherwise at least 90)
  --codecs LIST           audio codecs to offer and accept, in order of preference (default pcmu,pcma;
                          g722 = wideband 16 kHz, opus = 48 kHz when built with libopus:
                          e.g. opus,g722,pcmu,pcma)
  --dial-plan PLAN        X-Lite dial plan for numbers (needs --user), the same rules as the account's
                          "Dial plan" field, e.g. "#1\\a\\a.T;match=1;prestrip=2;" or "xxxxxxx;match=1;pre=9;"
  --dtmf-mode MODE        how keys are sent: rfc4733 (default, events in the RTP), info (SIP INFO,
                          application/dtmf-relay) or inband (the tone pairs in the audio)
  --log-level LEVEL       debug, info (default), warn or error; logs go to stderr, and at debug
                          every SIP message sent and received is printed there too
`;

const NAT = `  NAT traversal for the audio (off by default: plain RTP that follows where the peer's RTP comes from):
  --ice                   ICE (RFC 8445) with peers that offer or accept it; others get plain RTP
  --stun HOST[:PORT]      STUN server (port ${STUN_DEFAULT_PORT} by default): with --ice, server-reflexive
                          candidates; without, the public address of the RTP port goes into the SDP
  --turn HOST[:PORT]      TURN relay of last resort (needs --ice, --turn-user and --turn-password)
  --turn-user NAME        TURN username (long-term credentials)
  --turn-password PW      TURN password; safer: ${TURN_PASSWORD_ENV} in the environment
`;

const SRTP = `  Encrypted audio (SRTP with SDES keys, RFC 4568: AES_CM_128_HMAC_SHA1_80 and _32; off by default):
  --srtp off|optional|mandatory
                          optional: offer SRTP keys in a plain RTP/AVP offer and encrypt when the peer
                          takes them (else plain RTP), accept RTP/SAVP offers; mandatory: offer
                          RTP/SAVP and refuse any call without SRTP (488)
  --srtp-over-udp         allow the keys over SIP on UDP: anyone who can read the SIP can decrypt the
                          audio (needed with --srtp until SIP runs over TLS)
  --media-engine native|worker
                          RTP in the native engine (default for plain RTP with --play/--record or no
                          audio) or in the worker thread (SRTP, ICE/STUN, sound cards); env SOFTPHONE_MEDIA_ENGINE
`;

const TRANSFER = `  Transfer (issue 11):
  --accept-transfer       act on the other side's REFER (call whom it names, report progress in NOTIFYs)
                          and let an INVITE with Replaces take over the call it names; without it a
                          REFER gets 403 and Replaces is ignored (anyone could make this phone dial out)
  Presence and voicemail (issue 11; once registered, or at once with --no-register or without --user):
  --presence STATUS       publish our presence (PUBLISH, RFC 3903, PIDF): available, away, busy or
                          offline (appear offline); refreshed before it expires, removed on exit (needs --user)
  --watch URI             print the presence of URI (SUBSCRIBE, RFC 3856) as presence lines; repeatable
  --voicemail             subscribe to our mailbox (message-summary, RFC 3842), print voicemail lines (needs --user)
  --ask-transfer          ask first: a transfer_request line, answered by call.transferReply on stdin;
                          Decline or no answer within 30 s sends NOTIFY "603 Declined" (or 603 to Replaces)
`;

const LISTEN_ONLY = `  listen only:
  --auto-answer           answer every call at once
  --answer-after S        let it ring S seconds, then answer (implies --auto-answer)
  --auto-answer-delay S   the same as --answer-after S (the UI's name for it)
  --max-calls N           exit 0 once N calls have ended (answered, rejected or cancelled; a caller
                          turned away as busy during a call does not count)
  --max-concurrent N      take up to N calls at once (default 1, at most 8); one more gets 486 Busy
                          Here. Answering a call (or resuming one with call.hold) holds the others:
                          only one call is live. Every call plays --play from its start; call n of
                          the run records to FILE-n.wav (see --record); a held call plays and sends
                          nothing
  --reject 486|603        decline every call: 486 Busy Here or 603 Decline
  --dnd 486|480           do-not-disturb: answer every call at once, before it rings, with 486 Busy Here
                          or 480 Temporarily Unavailable (a dnd line says who called)
`;

const CALL_ONLY = `  call only:
  --duration S            hang up S seconds after the call is answered
  --ring-timeout S        give up (CANCEL) if not answered within S seconds (default ${DEFAULT_RING_TIMEOUT})
  --dtmf DIGITS           send these keys (0-9 * # A-D, RFC 4733) once the call is answered
`;

const OUTPUT = `Output (stdout): one JSON object per line, each with "event" and "time" (ISO 8601):
  listening {address, port}       registering                      registered {expires, contact}
  registration_failed {reason, status, retryInSeconds}             unregistered
  incoming {callId, from, displayName}   calling {callId, uri}     ringing {callId}
  connected {callId, codec, srtp}  dtmf_sent {callId, digits}   (srtp: the suite, only when encrypted)
  hold {callId, local, remote}    the call is held by us (local) or by the other side (remote), or no longer
  dtmf {callId, digit, via: rfc4733|info}   the other side pressed a key
  dnd {from, displayName, status} a call turned away by --dnd
  recording {callId, path}        the call is being recorded there (--record-calls)
  message {from, displayName, text}   an instant message arrived (while registered: only via the server)
  publication {state: published|removed|failed, presence, expires, reason}   our --presence
  presence {uri, state, availability: available|away|busy|offline, basic: open|closed, note, reason}   --watch
  voicemail {state, waiting, newMessages, oldMessages, urgentNew, urgentOld, unsolicited, reason}   --voicemail
  transfer {callId, status: requested|accepted|trying|ringing|succeeded|failed, code, reason}:
                                  our transfer of the call (REFER answer, NOTIFY sipfrag); after
                                  succeeded the call is hung up
  transfer_call {callId, referredBy, uri}   a call placed for the other side's REFER (--accept-transfer)
  replaced {callId, replacesCallId, from}   an INVITE with Replaces took over a call (--accept-transfer)
  transfer_request {requestId, kind: refer|replaces, callId, target, referredBy, replacesCallId}
                                  the other side asks to transfer us (--ask-transfer)
  transfer_request_ended {requestId, callId, accepted, cause: user|timeout|ended}
  media_warning {callId, message, silentSeconds, kind: never|stopped, path: direct|ice|relay}:
                                  no audio from the other side (see --no-rtp-timeout)
  media_restored {callId, silentSeconds, cause: media|hold}: the warning is over
  ended {callId, reason, by: local|remote|error, status, durationSeconds, quality, rtp}
                                  quality {r, mos}: ITU-T G.107 score of the audio received;
                                  quality.peer: the other side's RTCP XR VoIP metrics of our audio
  device {id, name, hostApi, maxInputChannels, maxOutputChannels, defaultSampleRate}
  nat_check {behavior, publicAddress, portPreserved, summary, local, server, results}
  (with --ice, ended's rtp.ice = {state, selectedPair: {local, remote}}: the candidate pair that carried the audio)
  (with SRTP, ended's rtp.srtp = {suite, authFailures, replayed}: packets dropped as forged or replayed)
  (with CN agreed, ended's rtp.comfortNoise = {sent, received, suppressed, lastLevel}; with XR, rtp.xr = {sent, received, dropped})
  progress {message, seconds}     (every 5 s while a REGISTER or INVITE gets no answer)
  rejected {from, source, requestUri, reason}: an INVITE refused while registered (not via the server)
  warning {message}               error {message}

`;

const CONTROL = `Control (stdin, when it is not a terminal): one JSON request per line while call or listen runs,
  as the desktop UI's WebSocket takes them; the result comes back on stdout as {"id", "result"}:
  {"id":1,"channel":"call.answer","payload":{"callId":"…"}}      -> {"id":1,"result":{"ok":true,"value":{…}}}
  call.answer {callId}   call.reject {callId, status?: 486|603}   call.hangup {callId}
  call.dtmf {callId, digits}   call.mute {callId, muted}   call.hold {callId, hold}
  call.record {callId, on}     start or stop recording the call (needs --record-calls DIR)
  message.send {to, text}      an instant message (SIP MESSAGE) to a number, user or URI
  messages.list {}, messages.get {peer}, messages.markRead {peer}   this run's conversations
  With several calls (listen --max-concurrent) each request acts on its callId; call.answer and
  call.hold {callId, hold: false} first put the other live call on hold (a swap).
  call.dial {target}           a further call while this one runs (for attended transfer, conference)
  call.transfer {callId, target}            blind transfer (REFER) to a number, user or URI
  call.transfer {callId, replacesCallId}    attended: to the party of the other call (Replaces)
  call.conference {callIds: [a, b]}         join two calls: each party hears us and the other
  call.transferReply {requestId, accept}    answer a transfer_request (--ask-transfer)
  A refused request: {"ok":false,"error":{"code":"invalid-request|unknown-channel|not-found|failed", …}}

`;

const EXITS = `Exit codes: 0 success (also after SIGINT/SIGTERM: hangs up and un-registers first)
            1 the call or registration failed (busy, declined, not found, wrong password, timeout,
              a call ended for no RTP)
            2 usage error (bad flag or value, malformed URI, a --play file that is not a WAV)

`;

const EXAMPLES = `Examples:
  Two PCs straight by IP (no server). On PC B (192.168.1.20):
    softphone listen --auto-answer
  On PC A:
    softphone call sip:b@192.168.1.20 --duration 30

  Through a SIP server (192.168.1.10). On PC B:
    ${PASSWORD_ENV}=bobpw softphone listen --user bob --domain 192.168.1.10 --auto-answer
  On PC A:
    ${PASSWORD_ENV}=alicepw softphone call bob --user alice --domain 192.168.1.10 --play hello.wav --record reply.wav
`;

export const HELP_TEXT = `softphone: a headless SIP phone (G.711 calls straight by IP or through a SIP server).

${USAGE}

${COMMANDS}
${ACCOUNT}
Options:
${OPTIONS}${NAT}${SRTP}${TRANSFER}${LISTEN_ONLY}${CALL_ONLY}
${OUTPUT}${CONTROL}${EXITS}${EXAMPLES}`;

/** The lines of the Commands section that describe `name` (its entry up to the next command's). */
function describe(name: CommandName): string {
  const lines = COMMANDS.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  ${name} `));
  const end = lines.findIndex((l, i) => i > start && /^ {2}\S/.test(l));
  return lines.slice(start, end < 0 ? undefined : end).join('\n').replace(/^ {2}/, '');
}

const usageOf = (name: CommandName): string => USAGE.split('\n').find((l) => l === `  softphone ${name}` || l.startsWith(`  softphone ${name} `)) ?? '';

const LOG_LEVEL = `  --log-level LEVEL       debug, info (default), warn or error (logs go to stderr; debug also shows
                          what the sound libraries print)
`;

/** `softphone COMMAND --help`: what the command does and every flag it takes. */
export function commandHelp(name: CommandName): string {
  const head = `Usage:\n${usageOf(name)}\n\n${describe(name)}\n\n`;
  const tail = `\n${EXITS}Run "softphone --help" for the output events and examples.\n`;
  switch (name) {
    case 'listen':
      return `${head}${ACCOUNT}\nOptions:\n${OPTIONS}${NAT}${SRTP}${TRANSFER}${LISTEN_ONLY}\n${CONTROL}${tail}`;
    case 'call':
      return `${head}${ACCOUNT}\nOptions:\n${OPTIONS}${NAT}${SRTP}${TRANSFER}${CALL_ONLY}\n${CONTROL}${tail}`;
    case 'devices':
      return `${head}Options:\n${LOG_LEVEL}${tail}`;
    case 'nat-check':
      return `${head}Options:
  --stun HOST[:PORT]      the STUN server to ask (port ${STUN_DEFAULT_PORT} by default); required
  --port N                local UDP port to probe (default ${DEFAULT_LISTEN_PORT}, the SIP port; 0 = any)
  --bind ADDR             local IP address to probe from (default 0.0.0.0 = all)
${LOG_LEVEL}${tail}`;
  }
}
