// The project's own addon (native/, built by `npm ci`): it loads, and the CLI tunes glibc's heap with it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../../src-main/native/native-addon.node';
import { IN_CI } from '../support/real-peer-gate';
import { SOFTPHONE_NODE_FLAGS } from '../support/softphone-process';

const root = join(__dirname, '..', '..');
const glibc = process.platform === 'linux' && Boolean((process.report?.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime);

describe('native addon', () => {
  it('is built by npm ci and loads (in CI a missing compiler is a failure, not a skip)', () => {
    const load = loadNativeAddon(join(root, 'src-main', 'native'));
    if (!load.addon && !IN_CI) {
      console.warn(`native addon not loaded here: ${load.error}`);
      return;
    }
    expect(load.addon, load.addon ? '' : load.error).not.toBeNull();
    expect(load.addon ? load.path : '').toBe(join(root, 'native', 'build', 'Release', 'softphone_native.node'));
  });

  it.runIf(glibc)('takes glibc malloc settings and gives free memory back', () => {
    const load = loadNativeAddon(join(root, 'src-main', 'native'));
    if (!load.addon) return void expect(IN_CI).toBe(false);
    // The values the CLI uses; mallopt answers 1 for each one it takes.
    expect(load.addon.tuneMalloc(2, 32 * 1024, 128 * 1024)).toEqual({ supported: true, arenaMax: true, mmapThreshold: true, trimThreshold: true });
    expect(typeof load.addon.trimMalloc()).toBe('boolean');
  });

  it.runIf(glibc)('softphone listen says its heap is tuned, and leaves the operator\'s MALLOC_* alone', async () => {
    const run = (env: NodeJS.ProcessEnv) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [...SOFTPHONE_NODE_FLAGS, join(root, 'bin', 'softphone.js'), 'listen', '--port', '0', '--bind', '127.0.0.1', '--log-level', 'debug', '--record', '/dev/null', '--max-calls', '1'], {
          env: { ...process.env, ...env },
        });
        let err = '';
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          if (/\[native\] heap/.test(err)) child.kill('SIGTERM');
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.on('error', reject);
        child.on('exit', () => (clearTimeout(timer), resolve(err)));
      });
    expect(await run({})).toMatch(/\[native\] heap tuned for datagram floods/);
    expect(await run({ MALLOC_ARENA_MAX: '4' })).toMatch(/\[native\] heap not tuned: MALLOC_\* set in the environment/);
  }, 60_000);
});
