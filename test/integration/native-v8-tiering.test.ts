// Issue 12 (memory): a headless call on the native engine keeps V8's optimising compiler off (its code
// pages cost ~4 MB of RSS); SOFTPHONE_V8_OPT=1 keeps it on. Seen through --trace-opt on a call that
// loads a 30 s WAV (decoding it is hot enough for V8 to optimise) and rings a port nobody answers.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src-main/audio/wav';
import { generateTone } from '../../src-main/audio/tone-analysis';
import { freeUdpPort } from '../support/free-port';
import { SOFTPHONE_BIN, SOFTPHONE_NODE_FLAGS } from '../support/softphone-process';
import { IN_CI } from '../support/real-peer-gate';

const built = existsSync(join(__dirname, '..', '..', 'native', 'build', 'Release', 'softphone_native.node'));
if (!built && IN_CI) throw new Error('the native addon must be built in CI');

const dir = mkdtempSync(join(tmpdir(), 'v8-tiering-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const wav = join(dir, 'tone.wav');
writeFileSync(wav, encodeWav(generateTone(1000, 30, 8000, 0.3), 8000));

/** Runs `softphone call` at a silent port on the native engine; returns the optimisations V8 reported and the exit code. */
async function optimisedFunctions(env: Record<string, string>): Promise<{ optimised: number; code: number | null; events: string[] }> {
  const port = await freeUdpPort(); // nothing listens there: the INVITE goes unanswered
  const child = spawn(process.execPath, [...SOFTPHONE_NODE_FLAGS, '--trace-opt', SOFTPHONE_BIN, 'call', `sip:nobody@127.0.0.1:${port}`,
    '--media-engine', 'native', '--bind', '127.0.0.1', '--play', wav, '--record', join(dir, 'heard.wav'), '--ring-timeout', '1', '--sip-t1', '50'],
  { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  const lines = out.split('\n');
  return { optimised: lines.filter((l) => l.includes('completed optimizing')).length, code, events: lines.filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { event: string }).event) };
}

describe.skipIf(!built)('V8 optimising compiler with the native engine', () => {
  it('stays off for a call on the native engine, and SOFTPHONE_V8_OPT=1 keeps it on', async () => {
    const native = await optimisedFunctions({});
    // The call really ran: it dialled and ended unanswered (exit 1, not a crash).
    expect(native.events).toContain('ended');
    expect(native.code).toBe(1);
    expect(native.optimised).toBe(0);
    const kept = await optimisedFunctions({ SOFTPHONE_V8_OPT: '1' });
    expect(kept.events).toContain('ended');
    expect(kept.optimised).toBeGreaterThan(0);
  });
});
