// The desktop app's log file: one line per entry, appended across starts, the old file kept once it is large.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatLogLine, openFileLogSink } from '../../../src-main/util/log-file.node';

describe('file log sink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-log-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('formats one line with time, level, scope, message and data', () => {
    expect(formatLogLine(new Date('2026-01-02T03:04:05.000Z'), 'warn', 'sip', 'retrying', { in: 5 })).toBe('2026-01-02T03:04:05.000Z WARN  [sip] retrying {"in":5}\n');
  });

  it('appends across opens and rotates past the size limit', () => {
    const first = openFileLogSink(join(dir, 'logs'), 200);
    first.sink('info', 'electron', 'starting');
    first.close();
    const second = openFileLogSink(join(dir, 'logs'), 200);
    second.sink('error', 'app', 'start failed', { error: 'port in use' });
    expect(readFileSync(second.path, 'utf8').split('\n').filter(Boolean).map((l) => l.slice(25))).toEqual([
      'INFO  [electron] starting',
      'ERROR [app] start failed {"error":"port in use"}',
    ]);
    for (let i = 0; i < 5; i++) second.sink('info', 'x', 'y'.repeat(60));
    second.close();
    expect(existsSync(join(dir, 'logs', 'softphone.old.log'))).toBe(true);
    expect(readFileSync(second.path, 'utf8').length).toBeLessThan(200);
  });
});
