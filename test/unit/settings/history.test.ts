// Call history: newest first, capped, invalid files refused as a whole.
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../src-main/ipc/contract';
import { addHistoryEntry, capHistory, decodeHistory, encodeHistory, HISTORY_CAP } from '../../../src-main/settings/history';

const entry = (n: number): HistoryEntry => ({
  id: `call-${n}`,
  direction: n % 2 ? 'incoming' : 'outgoing',
  missed: false,
  remoteUri: `sip:${n}@example.com`,
  remoteDisplayName: '',
  startedAt: 1_700_000_000_000 + n * 1000,
  durationSeconds: n,
  endReason: 'hung up',
});

describe('history', () => {
  it('adds at the front and keeps at most the cap, dropping the oldest', () => {
    let list: HistoryEntry[] = [];
    for (let n = 0; n < HISTORY_CAP + 25; n++) list = addHistoryEntry(list, entry(n));
    expect(list).toHaveLength(HISTORY_CAP);
    expect(list[0]?.id).toBe(`call-${HISTORY_CAP + 24}`);
    expect(list[list.length - 1]?.id).toBe('call-25');
  });

  it('replaces an entry with the same id instead of duplicating it', () => {
    const list = addHistoryEntry(addHistoryEntry([], entry(1)), { ...entry(1), durationSeconds: 99 });
    expect(list).toEqual([{ ...entry(1), durationSeconds: 99 }]);
  });

  it('round-trips through the file format, sorted newest first and capped', () => {
    const many = Array.from({ length: 600 }, (_, n) => entry(n));
    const decoded = decodeHistory(encodeHistory(many));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.entries).toHaveLength(500);
    expect(decoded.entries[0]?.id).toBe('call-599');
    expect(capHistory([entry(1), entry(3), entry(2)], 2).map((e) => e.id)).toEqual(['call-3', 'call-2']);
  });

  it('refuses a file with a damaged entry or from a newer version', () => {
    const bad = JSON.stringify({ version: 1, entries: [entry(1), { ...entry(2), direction: 'sideways' }] });
    expect(decodeHistory(bad)).toEqual({ ok: false, reason: expect.stringContaining('entries.1.direction') });
    expect(decodeHistory(JSON.stringify({ version: 7, entries: [] }))).toEqual({ ok: false, reason: expect.stringContaining('newer version') });
    expect(decodeHistory('garbage')).toEqual({ ok: false, reason: expect.stringContaining('not valid JSON') });
  });

  it('keeps a call\'s quality score (issue 13), reads entries without one, and refuses an impossible score', () => {
    const scored = { ...entry(3), quality: { r: 88.4, mos: 4.27 } };
    const back = decodeHistory(encodeHistory([scored, entry(2)]));
    expect(back).toEqual({ ok: true, entries: [scored, entry(2)] });
    const bad = encodeHistory([{ ...entry(3), quality: { r: 140, mos: 4.27 } }]);
    expect(decodeHistory(bad).ok).toBe(false);
  });
});
