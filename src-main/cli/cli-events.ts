// The CLI's stdout protocol: one JSON object per line, each with "event" first and an ISO "time" last.
import type { RtpStats } from '../rtp/media-session';
import type { TransferProgress } from '../sip/user-agent-api';
import type { AudioDeviceInfo } from '../audio/audio-config';
import type { MappingBehavior } from '../nat/nat-behavior';
import type { BindingResult } from '../nat/stun-binding-client';

export type CliEvent =
  /** The SIP socket is bound (both commands). */
  | { event: 'listening'; address: string; port: number }
  | { event: 'registering' }
  | { event: 'registered'; expires: number; contact: string }
  /** retryInSeconds: `listen` tries again after that long; absent = giving up. */
  | { event: 'registration_failed'; reason: string; status?: number; retryInSeconds?: number }
  | { event: 'unregistered' }
  | { event: 'incoming'; callId: string; from: string; displayName: string }
  /** Issue 9: an INVITE refused before it rang (source = where it came from, from = its claimed From). */
  | { event: 'rejected'; from: string; source: string; requestUri: string; reason: string }
  | { event: 'calling'; callId: string; uri: string }
  | { event: 'ringing'; callId: string }
  /** srtp: the SRTP suite when the call's media is encrypted (issue 10); absent for plain RTP. */
  | { event: 'connected'; callId: string; codec: string | null; srtp?: string }
  | { event: 'dtmf_sent'; callId: string; digits: string }
  /** Issue 11: the peer pressed a key (via: an RFC 4733 event or a SIP INFO). */
  | { event: 'dtmf'; callId: string; digit: string; via: 'rfc4733' | 'info' }
  /** Issue 11: the call is recorded to this stereo WAV (--record-calls). */
  | { event: 'recording'; callId: string; path: string }
  /** Issue 11: do-not-disturb answered an INVITE with `status` instead of ringing. */
  | { event: 'dnd'; from: string; displayName: string; status: number }
  | { event: 'hold'; callId: string; local: boolean; remote: boolean }
  | { event: 'message'; from: string; displayName: string; text: string }
  /** Issue 11, part 6 (--presence): our PUBLISH was taken (with the granted lifetime), removed or refused. */
  | { event: 'publication'; state: 'published' | 'removed' | 'failed'; presence: string; expires?: number; reason?: string }
  /** --watch: a watched address's presence (RFC 3863 basic status and what it means), or its subscription's state. */
  | { event: 'presence'; uri: string; state: string; availability?: string; basic?: 'open' | 'closed' | null; note?: string; reason?: string }
  /** --voicemail: message-waiting counts (RFC 3842) from a NOTIFY, or the subscription's state. */
  | {
      event: 'voicemail';
      state: string;
      unsolicited?: boolean;
      waiting?: boolean | null;
      newMessages?: number;
      oldMessages?: number;
      urgentNew?: number;
      urgentOld?: number;
      reason?: string;
    }
  /** Issue 11: our transfer of the call (REFER answer, NOTIFY sipfrag); after 'succeeded' we hang up. */
  | { event: 'transfer'; callId: string; status: TransferProgress['status']; code?: number; reason: string }
  /** A call placed for the other side's REFER (--accept-transfer); referredBy = the call it came in. */
  | { event: 'transfer_call'; callId: string; referredBy: string; uri: string }
  /** Issue 11, --ask-transfer: the other side asks to transfer us; answer with call.transferReply within 30 s. */
  | { event: 'transfer_request'; requestId: string; kind: 'refer' | 'replaces'; callId: string; target: string; referredBy?: string; replacesCallId?: string }
  /** The request was answered, timed out (declined) or dropped with its call. */
  | { event: 'transfer_request_ended'; requestId: string; callId: string; accepted: boolean; cause: 'user' | 'timeout' | 'ended' }
  /** An INVITE with Replaces took over the call replacesCallId (--accept-transfer). */
  | { event: 'replaced'; callId: string; replacesCallId: string; from: string }
  /** Issue 10: a connected call hears nothing from the other side (no RTP/RTCP for `silentSeconds`). */
  | { event: 'media_warning'; callId: string; message: string; silentSeconds: number; kind: 'never' | 'stopped'; path: 'direct' | 'ice' | 'relay' }
  /** The warning is over: audio arrives again (cause 'media'), or the call went on hold ('hold'). */
  | { event: 'media_restored'; callId: string; silentSeconds: number; cause: 'media' | 'hold' }
  | {
      event: 'ended';
      callId: string;
      reason: string;
      by: 'local' | 'remote' | 'error';
      status?: number;
      durationSeconds: number;
      /** Issue 13: G.107 R-factor and MOS of the audio we received; absent when none arrived. */
      quality?: { r: number; mos: number };
      rtp?: RtpStats;
    }
  | ({ event: 'device' } & AudioDeviceInfo)
  | { event: 'version'; version: string }
  /** `nat-check`: the public mapping of the probed port and the NAT's mapping behaviour (RFC 5780). */
  | {
      event: 'nat_check';
      behavior: MappingBehavior;
      publicAddress: { address: string; port: number } | null;
      portPreserved: boolean | null;
      summary: string;
      local: { address: string; port: number };
      server: { address: string; port: number };
      results: BindingResult[];
    }
  /** Every 5 s while a REGISTER or INVITE goes unanswered (or an INVITE has not rung yet). */
  | { event: 'progress'; message: string; seconds: number }
  | { event: 'error'; message: string }
  | { event: 'warning'; message: string };

export type EmitFn = (event: CliEvent) => void;

/** One line of stdout (without the newline). Undefined fields are left out. */
export function formatEvent(event: CliEvent, now: Date): string {
  return JSON.stringify({ ...event, time: now.toISOString() });
}

/** Parses one stdout line back (tests, scripts); null if it is not an event object. */
export function parseEventLine(line: string): (Record<string, unknown> & { event: string; time: string }) | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const rec = value as Record<string, unknown>;
  if (typeof rec['event'] !== 'string' || typeof rec['time'] !== 'string') return null;
  return rec as Record<string, unknown> & { event: string; time: string };
}
