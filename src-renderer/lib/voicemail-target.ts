// Issue 11 (several accounts): which mailbox the main window's Voicemail button calls. With one account,
// the account's number as before; with several, the first account (the list's order) whose mailbox has
// new messages, else the default one: its own voicemail number, dialled from that account.
import type { AccountEntry, VoicemailStatus } from './api';

export interface VoicemailTarget {
  number: string;
  /** '' = no choice to make (the core's default account). */
  accountId: string;
}

export function voicemailTarget(voicemail: VoicemailStatus | null, accounts: readonly AccountEntry[], defaultNumber: string): VoicemailTarget {
  const enabled = accounts.filter((a) => a.enabled);
  if (enabled.length < 2) return { number: defaultNumber, accountId: '' };
  const listed = voicemail?.accounts;
  const reports = Array.isArray(listed) ? listed : [];
  const waiting = reports.find((v) => v.waiting === true && v.newMessages > 0 && enabled.some((a) => a.id === v.accountId));
  const entry = enabled.find((a) => a.id === waiting?.accountId) ?? enabled.find((a) => a.isDefault) ?? enabled[0];
  return { number: entry?.account.voicemailNumber ?? '', accountId: entry?.id ?? '' };
}
