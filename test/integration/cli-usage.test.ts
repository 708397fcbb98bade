// The built `softphone` binary's contract outside calls: --help, usage errors (exit 2, usage on stderr,
// nothing on stdout), unreadable files, and a SIP port already taken (error event, exit 1).
import { afterEach, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import { printOnFailure } from '../support/on-failure';

afterEach(() => stopAllSoftphones());

describe('softphone CLI contract', () => {
  it('--help documents the commands and exits 0', async () => {
    const p = startSoftphone(['--help']);
    printOnFailure(p);
    expect(await p.waitForExit()).toBe(0);
    // --help is text, not events.
    const text = p.strayLines.join('\n');
    expect(text).toContain('softphone listen');
    expect(text).toContain('softphone call URI');
    expect(text).toContain('SOFTPHONE_PASSWORD');
  });

  it.each([
    [['listen', '--bogus'], /unknown option --bogus/],
    [['call'], /call needs a URI/],
    [['call', 'sip:x@127.0.0.1:5999', '--play', '/nonexistent/tone.wav'], /--play \/nonexistent\/tone.wav: no such file/],
    [['call', 'sip:x@127.0.0.1:5999', '--record', '/nonexistent/dir/out.wav'], /--record: cannot write/],
  ])('%j is a usage error: message and usage on stderr, exit 2', async (argv, message) => {
    const p = startSoftphone(argv);
    printOnFailure(p);
    expect(await p.waitForExit()).toBe(2);
    expect(p.stderr).toMatch(message);
    expect(p.stderr).toContain('Usage:');
    expect(p.events).toEqual([]);
    expect(p.strayLines).toEqual([]);
  });

  it('a SIP port already in use is an error event and exit 1, not a crash', async () => {
    const holder = createSocket('udp4');
    const port = await new Promise<number>((res) => holder.bind(0, '127.0.0.1', () => res(holder.address().port)));
    try {
      const p = startSoftphone(['listen', '--bind', '127.0.0.1', '--port', String(port)]);
      printOnFailure(p);
      const err = await p.waitFor('error');
      expect(String(err['message'])).toMatch(/EADDRINUSE|in use/i);
      expect(await p.waitForExit()).toBe(1);
      expect(p.strayLines).toEqual([]);
    } finally {
      holder.close();
    }
  });
});
