// Why a call ended, in words a user knows and a tone: an everyday ending (hang-up, busy, declined,
// cancelled) is neutral and goes away by itself; a failure (wrong password, unreachable server) stays.
import type { CallEndInfo } from '../../src-main/sip/user-agent-api';

export type EndKey =
  | 'hungUpLocal'
  | 'hungUpRemote'
  | 'cancelled'
  | 'cancelledByCaller'
  | 'busy'
  | 'declined'
  | 'noAnswer'
  | 'unavailable'
  | 'wrongPassword'
  | 'notFound'
  | 'unreachable'
  | 'invalidTarget'
  | 'notReady'
  | 'ended'
  | 'failed';

export type EndTone = 'normal' | 'error';

export interface EndSummary {
  key: EndKey;
  tone: EndTone;
  /** The core's own words ("486 Busy Here", "timeout: no answer from 10.0.0.1:5060"), for the details. */
  detail: string;
}

/**
 * Classifies an ending. `by` and `status` come with live calls; history keeps only the reason text,
 * so the status is also read from a leading "486 …" in it.
 */
export function summarizeEnd(end: Pick<CallEndInfo, 'reason'> & Partial<Pick<CallEndInfo, 'status' | 'by'>>): EndSummary {
  const detail = typeof end.reason === 'string' ? end.reason.trim() : '';
  const text = detail.toLowerCase();
  const status = end.status ?? statusIn(detail);
  const by = end.by;
  const normal = (key: EndKey): EndSummary => ({ key, tone: 'normal', detail });
  const error = (key: EndKey): EndSummary => ({ key, tone: 'error', detail });

  if (text.startsWith('invalid target')) return error('invalidTarget');
  if (text === 'user agent not started') return error('notReady');
  if (text.startsWith('timeout: no answer from') || text.startsWith('cannot reach')) return error('unreachable');
  if (text === 'hung up by remote') return normal('hungUpRemote');
  if (text === 'hung up') return normal('hungUpLocal');
  if (text === 'cancelled by caller') return normal('cancelledByCaller');
  if (text === 'no answer') return normal('noAnswer');
  if (text === 'cancelled') return normal('cancelled');
  // The core's fallback when it lost the real reason: say it failed rather than "Ended: ended".
  if (text === 'ended') return by === 'error' ? error('failed') : normal('ended');
  // RFC 3261 §21: the final responses a user meets every day.
  // Our own 486/603 to a ringing call is the user's "Decline".
  if (by === 'local' && (status === 486 || status === 603)) return normal('declined');
  if (status === 486 || status === 600) return normal('busy');
  if (status === 603) return normal('declined');
  if (status === 487) return normal('cancelled');
  if (status === 480 || status === 408) return normal('noAnswer');
  if (status === 401 || status === 407 || status === 403) return error('wrongPassword');
  if (status === 404 || status === 484 || status === 604) return error('notFound');
  if (by === 'local') return normal(status !== undefined ? 'declined' : 'hungUpLocal');
  return error('failed');
}

function statusIn(reason: string): number | undefined {
  const m = /^([1-6]\d\d)\b/.exec(reason);
  return m ? Number(m[1]) : undefined;
}
