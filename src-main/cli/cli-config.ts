// Turns parsed CLI flags into the core's settings: the X-Lite account, and the audio device per call.
import type { AudioConfig } from '../audio/audio-config';
import type { AccountSettings } from '../sip/user-agent-api';
import type { AccountArgs, CommonArgs } from './cli-args';
import { numberedPath } from '../audio/record-slots';

export { numberedPath };

/** Undefined in direct-IP mode (no --user). */
export function accountSettingsFrom(a: AccountArgs): AccountSettings | undefined {
  if (a.user === undefined || a.domain === undefined) return undefined;
  return {
    accountName: a.user,
    userId: a.user,
    domain: a.domain,
    password: a.password ?? '',
    displayName: a.displayName ?? '',
    // Empty = the digest username is the user ID (X-Lite's "Authorization name" left blank).
    authorizationName: a.authUser ?? '',
    registerWithDomain: a.register,
    sendOutboundVia: a.proxy ? 'proxy' : 'domain',
    proxyAddress: a.proxy ?? '',
    dialPlan: a.dialPlan ?? '',
    registerExpires: a.expires,
    ...(a.authRealms ? { authRealms: a.authRealms } : {}),
    ...(a.refuseMd5WithoutQop ? { refuseMd5WithoutQop: true } : {}),
    ...(a.allowDirectCalls ? { allowDirectCalls: true } : {}),
  };
}

/**
 * Without --play/--record: the sound card. With either: the file device, the missing half being
 * silence (no --play) or discarded (no --record).
 */
export function audioConfigFor(args: Pick<CommonArgs, 'play' | 'record' | 'loop' | 'echoCancellation'>, index: number): AudioConfig {
  if (args.play === undefined && args.record === undefined) return { kind: 'portaudio', echoCancellation: args.echoCancellation };
  const cfg: { kind: 'file'; play?: string; record?: string; loop?: boolean } = { kind: 'file' };
  if (args.play !== undefined) cfg.play = args.play;
  if (args.record !== undefined) cfg.record = numberedPath(args.record, index);
  if (args.loop) cfg.loop = true;
  return cfg;
}
