// File primitives for settings and history: atomic replace (temp file in the same dir, fsync, rename),
// reading that tells "missing" from "unreadable", and moving a bad file aside instead of losing it.
import { randomBytes } from 'node:crypto';
import { open, readFile, readdir, rename, unlink, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` with `data` so a reader sees the old or the new file, never a partial one: the temp
 * file is in the same directory (rename is only atomic within one filesystem) and is fsynced before the
 * rename, so a power cut cannot leave an empty file under the final name.
 */
export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  // The rename lives in the directory entry: fsync the directory too (POSIX; Windows cannot open one).
  if (process.platform !== 'win32') {
    const dirHandle = await open(dir, 'r').catch(() => null);
    await dirHandle?.sync().catch(() => {});
    await dirHandle?.close().catch(() => {});
  }
}

export type ReadResult = { kind: 'missing' } | { kind: 'ok'; text: string } | { kind: 'error'; message: string; code?: string };

/** The file is there but this user may not read it: not corrupt, so it is never moved aside. */
export function isPermissionError(code: string | undefined): boolean {
  return code === 'EACCES' || code === 'EPERM';
}

export async function readTextFile(path: string): Promise<ReadResult> {
  try {
    const info = await stat(path);
    // A settings file is a few KB; anything huge is not ours (and must not be read into memory).
    if (info.size > 16 * 1024 * 1024) return { kind: 'error', message: `too large (${info.size} bytes)` };
    const bytes = await readFile(path);
    try {
      return { kind: 'ok', text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
    } catch {
      return { kind: 'error', message: 'not UTF-8 text' };
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    return code ? { kind: 'error', message: code, code } : { kind: 'error', message: (err as Error).message };
  }
}

/** "2026-11-25T10-20-15-123Z": an ISO time that is a valid file name on Windows too. */
export function fileTimestamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

/** Renames `path` to `<path>.<label>-<timestamp>` (never over an existing file); returns the new path. */
export async function moveAside(path: string, label: string, now: Date = new Date()): Promise<string> {
  const base = `${path}.${label}-${fileTimestamp(now)}`;
  for (let n = 0; n < 100; n++) {
    const target = n === 0 ? base : `${base}-${n}`;
    const exists = await stat(target).then(() => true, () => false);
    if (exists) continue;
    await rename(path, target);
    return target;
  }
  throw new Error(`cannot find a free name next to ${path}`);
}

/**
 * Deletes temp files left by a write that crashed before its rename. Only old ones: another process
 * using the same folder may be in the middle of its own write.
 */
export async function removeStaleTemps(dir: string, name: string, olderThanMs = 60_000): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const now = Date.now();
  await Promise.all(
    entries
      .filter((entry) => entry.startsWith(`.${name}.`) && entry.endsWith('.tmp'))
      .map(async (entry) => {
        const full = join(dir, entry);
        const info = await stat(full).catch(() => null);
        if (info && now - info.mtimeMs > olderThanMs) await unlink(full).catch(() => {});
      }),
  );
}
