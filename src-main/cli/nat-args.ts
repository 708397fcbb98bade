// The CLI's NAT traversal flags (issue 4): --stun, --turn/--turn-user/--turn-password, --ice, turned into
// the media engine's options. Pure.
import type { MediaNatOptions } from '../rtp/media-session';

export interface ServerArg {
  host: string;
  port: number;
}

export interface NatArgs {
  /** --ice: ICE with peers that do it (off by default: plain symmetric RTP as before). */
  ice: boolean;
  stun?: ServerArg;
  turn?: ServerArg & { username: string; password: string };
}

/** RFC 8489 §18.3 / RFC 8656 §19: the default STUN and TURN port over UDP. */
export const STUN_DEFAULT_PORT = 3478;
export const TURN_PASSWORD_ENV = 'SOFTPHONE_TURN_PASSWORD';

/** "host", "host:port", "[v6]" or "[v6]:port" (already checked by the flag's schema). */
export function parseServerArg(text: string): ServerArg {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket) return { host: bracket[1] as string, port: bracket[2] ? Number(bracket[2]) : STUN_DEFAULT_PORT };
  const colon = text.lastIndexOf(':');
  if (colon > 0 && /^\d+$/.test(text.slice(colon + 1))) return { host: text.slice(0, colon), port: Number(text.slice(colon + 1)) };
  return { host: text, port: STUN_DEFAULT_PORT };
}

export interface NatFlags {
  stun?: string;
  turn?: string;
  'turn-user'?: string;
  'turn-password'?: string;
  ice?: boolean;
}

/** Checks the combination of NAT flags; the TURN password may come from SOFTPHONE_TURN_PASSWORD. */
export function natArgsFrom(f: NatFlags, env: Readonly<Record<string, string | undefined>>): { ok: true; nat: NatArgs } | { ok: false; error: string } {
  const nat: NatArgs = { ice: f.ice === true };
  if (f.stun !== undefined) nat.stun = parseServerArg(f.stun);
  const password = f['turn-password'] ?? env[TURN_PASSWORD_ENV];
  if (f.turn === undefined) {
    if (f['turn-user'] !== undefined || f['turn-password'] !== undefined) return { ok: false, error: '--turn-user/--turn-password need --turn HOST[:PORT]' };
    return { ok: true, nat };
  }
  // A relay is only found and used through ICE's connectivity checks (RFC 8445 §5.1.1.2).
  if (!nat.ice) return { ok: false, error: '--turn needs --ice (the relay is used through ICE)' };
  if (f['turn-user'] === undefined) return { ok: false, error: '--turn needs --turn-user (TURN long-term credentials, RFC 8656 §9.2)' };
  if (password === undefined || password === '') return { ok: false, error: `--turn needs --turn-password (or ${TURN_PASSWORD_ENV} in the environment)` };
  nat.turn = { ...parseServerArg(f.turn), username: f['turn-user'], password };
  return { ok: true, nat };
}

/** What the media sessions get: undefined when no NAT traversal was asked for (media as before). */
export function mediaNatOptions(nat: NatArgs): MediaNatOptions | undefined {
  if (!nat.ice && !nat.stun) return undefined;
  const out: MediaNatOptions = { ice: nat.ice };
  if (nat.stun) out.stun = { ...nat.stun };
  if (nat.turn) out.turn = { ...nat.turn };
  return out;
}
