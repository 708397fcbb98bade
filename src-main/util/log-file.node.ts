// A log sink that appends to a file (the desktop app's logs folder: a packaged app has no terminal, so
// stderr alone is invisible). One line per entry; the previous file is kept as softphone.old.log once it
// passes a size limit, so the folder never grows without bound. Never pass passwords to a logger.
import { closeSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLevel, LogSink } from './logger';

const MAX_BYTES = 5 * 1024 * 1024;

export function formatLogLine(time: Date, level: LogLevel, scope: string, msg: string, data?: Record<string, unknown>): string {
  let extra = '';
  if (data) {
    try {
      extra = ` ${JSON.stringify(data)}`;
    } catch {
      extra = ' [unserialisable data]';
    }
  }
  return `${time.toISOString()} ${level.toUpperCase().padEnd(5)} [${scope}] ${msg}${extra}\n`;
}

export interface FileLogSink {
  sink: LogSink;
  path: string;
  close(): void;
}

/** Opens `<dir>/softphone.log` for appending (rotated first when over `maxBytes`). */
export function openFileLogSink(dir: string, maxBytes = MAX_BYTES): FileLogSink {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'softphone.log');
  let written = 0;
  try {
    written = statSync(path).size;
  } catch {
    written = 0;
  }
  const rotate = () => {
    try {
      renameSync(path, join(dir, 'softphone.old.log'));
    } catch {
      // nothing to keep
    }
    written = 0;
  };
  if (written > maxBytes) rotate();
  let fd: number | null = openSync(path, 'a', 0o600);
  return {
    path,
    // Synchronous on purpose: the last lines before a crash are the ones that matter, and log volume is low.
    sink: (level, scope, msg, data) => {
      if (fd === null) return;
      const line = formatLogLine(new Date(), level, scope, msg, data);
      try {
        written += writeSync(fd, line);
        if (written > maxBytes) {
          closeSync(fd);
          rotate();
          fd = openSync(path, 'a', 0o600);
        }
      } catch {
        // A full disk must not take the phone down with it.
      }
    },
    close: () => {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
