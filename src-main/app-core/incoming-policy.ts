// What the preferences say about an incoming call before the user does (issue 11): do-not-disturb
// (answered 486/480 by the core before it rings) and auto-answer after a delay. Pure.
import type { Preferences } from '../ipc/contract';
import type { Call, DndStatus } from '../sip/user-agent-api';
import { gainFromPercent } from '../audio/gain';

/** Microphone and speaker volume as the media engine's gains; undefined while both are unchanged. */
export function volumeGains(prefs: Preferences): { input: number; output: number } | undefined {
  if ((prefs.micVolume ?? 100) === 100 && (prefs.speakerVolume ?? 100) === 100) return undefined;
  return { input: gainFromPercent(prefs.micVolume), output: gainFromPercent(prefs.speakerVolume) };
}

/** The status do-not-disturb answers with, or undefined when it is off. */
export function dndStatus(prefs: Preferences): DndStatus | undefined {
  if (prefs.doNotDisturb === '486') return 486;
  if (prefs.doNotDisturb === '480') return 480;
  return undefined;
}

/** Milliseconds of ringing before an incoming call is answered by itself, or undefined (the user answers). */
export function autoAnswerDelayMs(prefs: Preferences): number | undefined {
  if (prefs.autoAnswer !== true) return undefined;
  return Math.max(0, Math.min(60, prefs.autoAnswerDelaySeconds ?? 0)) * 1000;
}

export interface AutoAnswerDeps {
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (id: unknown) => void;
  answer: (call: Call) => Promise<unknown>;
  report: (message: string) => void;
}

/**
 * Answers `call` after `delayMs` if it is still ringing then (the caller may give up, the user may
 * answer or decline first); a call that ends meanwhile takes its timer with it.
 */
export function scheduleAutoAnswer(call: Call, delayMs: number, deps: AutoAnswerDeps): void {
  const timer = deps.setTimer(() => {
    off();
    if (call.state !== 'ringing') return;
    deps.answer(call).catch((err: unknown) => deps.report(`auto-answer failed: ${err instanceof Error ? err.message : String(err)}`));
  }, delayMs);
  const off = call.on('state', (s) => {
    if (s === 'ended' || s === 'connected') {
      deps.clearTimer(timer);
      off();
    }
  });
}
