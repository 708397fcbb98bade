// The CLI's flags for SIP events (issue 11, part 6): --presence (publish our own, RFC 3903), --watch URI
// (repeatable: others' presence, RFC 3856) and --voicemail (message-waiting, RFC 3842). Pure checks.
import { OWN_PRESENCE_VALUES, type OwnPresence } from '../sip/pidf-document';
import { callTargetProblem } from './call-target';
import { flag, oneOf, type Check } from './flag-checks';

/** At most this many --watch addresses (each is a subscription). */
export const MAX_WATCH = 50;

export interface EventArgs {
  /** --presence: publish this status while running (needs --user). */
  presence?: OwnPresence;
  /** --watch: addresses whose presence is printed. */
  watch: string[];
  /** --voicemail: subscribe to our mailbox's message-summary (needs --user). */
  voicemail: boolean;
}

/** A repeatable flag's values arrive joined by newlines (cli-args.ts tokenizer). */
const watchList: Check<string[]> = (raw) => {
  if (typeof raw !== 'string') return { ok: false, message: '--watch needs a SIP address' };
  const list = raw.split('\n');
  if (list.length > MAX_WATCH) return { ok: false, message: `--watch: at most ${MAX_WATCH} addresses` };
  for (const uri of list) {
    if (!/^[^\s"<>]{1,300}$/.test(uri)) return { ok: false, message: `--watch ${JSON.stringify(uri.slice(0, 80))}: not a SIP address, number or user` };
  }
  return { ok: true, value: list };
};

export const eventFlagChecks = {
  presence: oneOf<OwnPresence>([...OWN_PRESENCE_VALUES], '--presence must be available, away, busy or offline'),
  watch: watchList,
  voicemail: flag,
};

/** The parsed flags with what they need: an account for our own presence and mailbox, resolvable targets. */
export function eventArgsFrom(
  f: { presence?: OwnPresence; watch?: string[]; voicemail?: boolean },
  user: string | undefined,
  domain: string | undefined,
  dialPlan: string | undefined,
): { ok: true; events: EventArgs } | { ok: false; error: string } {
  if (user === undefined && f.presence !== undefined) return { ok: false, error: '--presence needs --user (presence is published for your address)' };
  if (user === undefined && f.voicemail) return { ok: false, error: '--voicemail needs --user (the mailbox is your address)' };
  for (const uri of f.watch ?? []) {
    const problem = callTargetProblem(uri, user === undefined ? undefined : domain, dialPlan);
    if (problem) return { ok: false, error: `--watch: ${problem}` };
  }
  return { ok: true, events: { ...(f.presence ? { presence: f.presence } : {}), watch: f.watch ?? [], voicemail: f.voicemail === true } };
}
