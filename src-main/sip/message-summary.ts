// The message-summary body of message-waiting indication (RFC 3842 §5.2): "Messages-Waiting: yes",
// the account, and per-class counts "Voice-Message: 2/8 (0/2)" (new/old, urgent new/old). Parsed from
// a hostile NOTIFY: size-capped, unknown lines ignored, counts bounded.

export const MAX_SUMMARY_BYTES = 8192;

export interface MessageCounts {
  new: number;
  old: number;
  urgentNew: number;
  urgentOld: number;
}

export interface MessageSummary {
  waiting: boolean;
  /** Message-Account: the mailbox URI, when given. */
  account?: string;
  /** By message class (RFC 3458 §6.2 names, lower-case): voice, fax, pager, multimedia, text, none. */
  counts: Partial<Record<MessageClass, MessageCounts>>;
}

export const MESSAGE_CLASSES = ['voice', 'fax', 'pager', 'multimedia', 'text', 'none'] as const;
export type MessageClass = (typeof MESSAGE_CLASSES)[number];

const COUNT_CAP = 1_000_000;
const num = (s: string | undefined) => Math.min(Number(s ?? '0'), COUNT_CAP);

/** Null when the body is too big or has no Messages-Waiting line (the one line §5.2 requires). */
export function parseMessageSummary(body: string): MessageSummary | null {
  if (body.length > MAX_SUMMARY_BYTES) return null;
  let waiting: boolean | null = null;
  let account: string | undefined;
  const counts: MessageSummary['counts'] = {};
  for (const raw of body.split(/\r\n|\n|\r/)) {
    const colon = raw.indexOf(':');
    if (colon <= 0) continue;
    const name = raw.slice(0, colon).trim().toLowerCase();
    const value = raw.slice(colon + 1).trim();
    if (name === 'messages-waiting') {
      const v = value.toLowerCase();
      if (v === 'yes' || v === 'no') waiting = v === 'yes';
    } else if (name === 'message-account') {
      if (/^sips?:[^\s<>"]{1,300}$/i.test(value)) account = value;
    } else if (name.endsWith('-message')) {
      const cls = name.slice(0, -'-message'.length) as MessageClass;
      if (!MESSAGE_CLASSES.includes(cls)) continue;
      // new/old, then optionally (urgent new/urgent old).
      const m = /^(\d{1,9})\s*\/\s*(\d{1,9})(?:\s*\(\s*(\d{1,9})\s*\/\s*(\d{1,9})\s*\))?$/.exec(value);
      if (!m) continue;
      counts[cls] = { new: num(m[1]), old: num(m[2]), urgentNew: num(m[3]), urgentOld: num(m[4]) };
    }
  }
  if (waiting === null) return null;
  return account ? { waiting, account, counts } : { waiting, counts };
}
