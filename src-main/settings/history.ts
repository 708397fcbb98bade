// Call history (history.json): versioned layout, validation, and the newest-first list capped at 500.
import { z } from 'zod';
import type { HistoryEntry } from '../ipc/contract';

export const HISTORY_VERSION = 1;
export const HISTORY_CAP = 500;

export const historyEntrySchema = z.object({
  id: z.string().min(1).max(200),
  direction: z.enum(['outgoing', 'incoming']),
  missed: z.boolean(),
  remoteUri: z.string().max(1000),
  remoteDisplayName: z.string().max(1000),
  startedAt: z.number().finite(),
  durationSeconds: z.number().finite().min(0),
  endReason: z.string().max(1000),
  quality: z
    .object({
      r: z.number().finite().min(0).max(100),
      mos: z.number().finite().min(1).max(4.5),
      // The peer's score of our audio, from its RTCP XR (issue 13); optional, so older files stay valid.
      peer: z.object({ r: z.number().finite().min(0).max(100).optional(), mos: z.number().finite().min(1).max(5).optional() }).optional(),
    })
    .optional(),
});

const historyFileSchema = z.object({
  version: z.literal(HISTORY_VERSION),
  entries: z.array(historyEntrySchema),
});

export type HistoryDecode = { ok: true; entries: HistoryEntry[] } | { ok: false; reason: string };

/** Parses history.json text; any invalid entry makes the whole file suspect (it is kept aside, not trimmed). */
export function decodeHistory(text: string): HistoryDecode {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not valid JSON (${(err as Error).message.slice(0, 100)})` };
  }
  if (typeof raw === 'object' && raw !== null && 'version' in raw && typeof raw.version === 'number' && raw.version > HISTORY_VERSION) {
    return { ok: false, reason: `written by a newer version of the app (history version ${raw.version})` };
  }
  const parsed = historyFileSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, reason: first ? `${first.path.join('.') || 'file'}: ${first.message}` : 'invalid history' };
  }
  return { ok: true, entries: capHistory(parsed.data.entries) };
}

export function encodeHistory(entries: readonly HistoryEntry[]): string {
  return JSON.stringify({ version: HISTORY_VERSION, entries }, null, 1) + '\n';
}

/** Newest first, at most `cap` entries. */
export function capHistory(entries: readonly HistoryEntry[], cap = HISTORY_CAP): HistoryEntry[] {
  return [...entries].sort((a, b) => b.startedAt - a.startedAt).slice(0, cap);
}

/** Adds a finished call at the front (replacing an entry with the same id), dropping the oldest past the cap. */
export function addHistoryEntry(entries: readonly HistoryEntry[], entry: HistoryEntry, cap = HISTORY_CAP): HistoryEntry[] {
  return [entry, ...entries.filter((e) => e.id !== entry.id)].slice(0, cap);
}
