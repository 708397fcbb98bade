// The Transport and Topology preferences turned into what the SIP and media layers take (keep-alive,
// STUN/TURN/ICE options), plus the checks zod's per-field schema cannot make (server syntax, even RTP
// ports, TURN credentials). Pure.
import type { Preferences, PreferencesForm } from '../ipc/contract';
import { parseIp } from '../nat/transport-address';
import type { MediaNatOptions, NatServer } from '../rtp/media-session';
import type { UserAgentConfig } from '../sip/user-agent-api';

/** RFC 8489 §18.3 and RFC 8656 §19: STUN and TURN listen on UDP 3478 unless told otherwise. */
export const STUN_DEFAULT_PORT = 3478;

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function isHostName(host: string): boolean {
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  return name.length > 0 && name.length <= 253 && name.split('.').every((label) => LABEL.test(label));
}

/**
 * "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 literal; null when it is none of these.
 * The port defaults to 3478.
 */
export function parseServerAddress(text: string): NatServer | null {
  const value = text.trim();
  if (value === '' || value.length > 255) return null;
  const port = (digits: string | undefined): number | null => {
    if (digits === undefined) return STUN_DEFAULT_PORT;
    const n = Number(digits);
    return /^\d{1,5}$/.test(digits) && n >= 1 && n <= 65535 ? n : null;
  };
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracket) {
    const host = bracket[1] ?? '';
    const p = port(bracket[2]);
    return parseIp(host)?.length === 16 && p !== null ? { host, port: p } : null;
  }
  // More than one colon and no brackets: only an IPv6 literal (RFC 3986 §3.2.2 wants brackets to add a port).
  if ((value.match(/:/g) ?? []).length > 1) return parseIp(value)?.length === 16 ? { host: value, port: STUN_DEFAULT_PORT } : null;
  const [host = '', digits] = value.split(':');
  const p = port(digits);
  if (p === null) return null;
  if (parseIp(host)?.length === 4 || isHostName(host)) return { host, port: p };
  return null;
}

/** Field -> message (English; the UI shows its own translation of the same rule next to the field). */
export type PreferenceProblems = Partial<Record<keyof PreferencesForm, string>>;

/**
 * Cross-field and syntax checks on a save. `hasStoredTurnPassword`: a TURN password is already stored (an
 * empty one in the form keeps it, like the SIP password).
 */
export function preferenceProblems(form: PreferencesForm, hasStoredTurnPassword: boolean): PreferenceProblems {
  const problems: PreferenceProblems = {};
  // RFC 3550 §11: RTP takes an even port and RTCP the next odd one, so a range starts even and holds a pair.
  if (form.rtpPortMin % 2 !== 0) problems.rtpPortMin = 'must be even: RTP uses even ports, RTCP the odd one above';
  if (form.rtpPortMax <= form.rtpPortMin) problems.rtpPortMax = 'must be above the lowest RTP port';
  if (form.stunServer.trim() !== '' && !parseServerAddress(form.stunServer)) problems.stunServer = 'enter a host name or IP address, optionally with :port';
  const turn = form.turnServer.trim();
  if (turn !== '') {
    if (!parseServerAddress(turn)) problems.turnServer = 'enter a host name or IP address, optionally with :port';
    // RFC 8656 §9.2: TURN needs the long-term credential mechanism, so a user name and a password.
    if (form.turnUser.trim() === '') problems.turnUser = 'a user name is needed for the TURN server';
    if (!form.turnPassword && !hasStoredTurnPassword) problems.turnPassword = 'a password is needed for the TURN server';
  }
  return problems;
}

/** The TURN password blob after a save: a new password replaces it, none keeps it, no TURN server drops it. */
export function nextTurnPasswordBlob(form: PreferencesForm, previousBlob: string, encrypt: (text: string) => string): string {
  if (form.turnServer.trim() === '') return '';
  return form.turnPassword ? encrypt(form.turnPassword) : previousBlob;
}

/** The stored preferences from a form: the password is not one of them. */
export function toPreferences(form: PreferencesForm): Preferences {
  const { turnPassword: _password, ...prefs } = form;
  return { ...prefs, stunServer: prefs.stunServer.trim(), turnServer: prefs.turnServer.trim(), turnUser: prefs.turnUser.trim() };
}

/** Keep-alives of the registration's NAT binding as the user agent takes them. */
export function keepAliveConfig(prefs: Preferences): NonNullable<UserAgentConfig['keepAlive']> {
  return { method: prefs.keepAliveMethod, intervalSeconds: prefs.keepAliveSeconds };
}

/**
 * STUN/TURN/ICE for the next call's media; undefined = plain RTP with symmetric latching (nothing set).
 * TURN only with ICE: a relay is found and used through ICE's checks (RFC 8445 §5.1.1.2).
 */
export function mediaNatOptions(prefs: Preferences, turnPassword: string): MediaNatOptions | undefined {
  const stun = prefs.stunServer ? parseServerAddress(prefs.stunServer) : null;
  if (!prefs.iceEnabled && !stun) return undefined;
  const nat: MediaNatOptions = { ice: prefs.iceEnabled };
  if (stun) nat.stun = stun;
  const turn = prefs.turnServer ? parseServerAddress(prefs.turnServer) : null;
  if (prefs.iceEnabled && turn && prefs.turnUser && turnPassword) nat.turn = { ...turn, username: prefs.turnUser, password: turnPassword };
  return nat;
}

/** The servers a NAT test sends Binding requests to: the STUN server, else the TURN server (it answers them too). */
export function natTestServers(prefs: Preferences): { primary: NatServer; primaryText: string; secondary?: NatServer } | null {
  const stun = prefs.stunServer ? parseServerAddress(prefs.stunServer) : null;
  const turn = prefs.turnServer ? parseServerAddress(prefs.turnServer) : null;
  if (stun) {
    // A second destination is what tells endpoint-independent from dependent mapping (RFC 5780 §4.3)
    // when the STUN server gives no OTHER-ADDRESS.
    const differs = turn && (turn.host !== stun.host || turn.port !== stun.port);
    return differs ? { primary: stun, primaryText: prefs.stunServer, secondary: turn } : { primary: stun, primaryText: prefs.stunServer };
  }
  return turn ? { primary: turn, primaryText: prefs.turnServer } : null;
}

/** A user agent must be re-created for these to apply (its socket and keep-alive are set at start). */
export function userAgentSettingsChanged(before: Preferences, after: Preferences, sipPortFixed: boolean): boolean {
  return (
    (!sipPortFixed && before.sipPort !== after.sipPort) ||
    before.keepAliveMethod !== after.keepAliveMethod ||
    before.keepAliveSeconds !== after.keepAliveSeconds
  );
}
