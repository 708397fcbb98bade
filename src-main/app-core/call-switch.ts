// Several calls at once (issue 11, point 1): at most one call is live (connected and not held by us),
// as on a desk phone. Answering a call, or resuming a held one, first puts every other live call on hold
// (re-INVITE a=sendonly, RFC 3264 §8.4), so the user never talks into two calls at once. Pure.
import type { CallSnapshot } from '../ipc/contract';

export type SwitchView = Pick<CallSnapshot, 'id' | 'state' | 'hold' | 'connectedAt'>;

/** A call we talk in now: connected and not held by us (held by the other side still counts: it is ours to resume). */
export function isLive(call: SwitchView): boolean {
  return call.state === 'connected' && call.hold?.local !== true;
}

/** The ids of the calls to put on hold so that `keepId` can be the only live call. */
export function callsToHold(calls: readonly SwitchView[], keepId: string): string[] {
  return calls.filter((c) => c.id !== keepId && isLive(c)).map((c) => c.id);
}

/** The call that has the microphone and speaker now: the live call connected last, else null. */
export function activeCallId(calls: readonly SwitchView[]): string | null {
  let best: SwitchView | null = null;
  for (const c of calls) {
    if (isLive(c) && (!best || (c.connectedAt ?? 0) >= (best.connectedAt ?? 0))) best = c;
  }
  return best?.id ?? null;
}
