// Which media engine carries a call (issue 12): the native engine (native/, C) when the addon loaded and
// the call is plain RTP with file or no audio; otherwise the worker thread. Pure, so the rules are tested.

import { isIPv4, isIPv6 } from '../sip/sip-uri';
import type { MediaSessionOptions } from './media-session';

export type MediaEnginePreference = 'auto' | 'native' | 'worker';

export interface MediaEngineChoice {
  engine: 'native' | 'worker';
  /** Why the worker carries it (absent for native). */
  reason?: string;
  /** Say so as a warning: native was wanted (forced, or expected by default) and cannot be had. */
  warn: boolean;
}

/** SOFTPHONE_MEDIA_ENGINE=native|worker forces one; anything else (or unset) lets the call decide. */
export function preferenceFromEnv(value: string | undefined): MediaEnginePreference {
  return value === 'native' || value === 'worker' ? value : 'auto';
}

/**
 * Until the native engine has what calls use mid-call (recording, in-band DTMF, volume, conference
 * mixing, G.711 Appendix I concealment, the quality score), the worker carries calls by default and
 * the native engine is opt-in (--media-engine native, SOFTPHONE_MEDIA_ENGINE=native).
 */
const DEFAULT_ENGINE: 'native' | 'worker' = 'worker';

export function chooseMediaEngine(options: MediaSessionOptions, preference: MediaEnginePreference, nativeError: string | null): MediaEngineChoice {
  if (preference === 'worker') return { engine: 'worker', reason: 'the worker engine was asked for', warn: false };
  if (preference === 'auto' && DEFAULT_ENGINE === 'worker') return { engine: 'worker', reason: 'the worker engine is the default (--media-engine native opts in)', warn: false };
  // The addon is built by npm ci: without it the default is not what was expected either.
  if (nativeError !== null) return { engine: 'worker', reason: `native media engine unavailable: ${nativeError}`, warn: true };
  const forced = preference === 'native';
  // This slice: STUN/TURN/ICE (and SRTP, decided at start) stay on the worker path.
  if (options.nat) return { engine: 'worker', reason: 'STUN/TURN/ICE is not in the native engine yet', warn: forced };
  if (options.audio.kind === 'portaudio') return { engine: 'worker', reason: 'the native engine does not drive a sound card yet', warn: forced };
  const bind = options.bindAddress ?? '0.0.0.0';
  if (!isIPv4(bind) && !isIPv6(bind)) return { engine: 'worker', reason: `bind address ${bind} is not an IP literal`, warn: forced };
  return { engine: 'native', warn: false };
}
