// `npm start` (scripts/start.mjs) when Electron dies at launch: a stand-in Electron binary (through the
// electron package's own ELECTRON_OVERRIDE_DIST_PATH) aborts the way Chromium does under Ubuntu 24.04's
// AppArmor user-namespace restriction (FATAL setuid_sandbox_host, SIGTRAP). start.mjs must say why and run
// the browser UI's command instead; an Electron that opened its window keeps its own exit code.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs helper of the start script, no declaration file
import { explainLaunchFailure } from '../../scripts/electron-launch.mjs';

const ROOT = resolve(__dirname, '../..');
const built = existsSync(join(ROOT, 'dist', 'app', 'electron-main.js')) && existsSync(join(ROOT, 'dist', 'renderer', 'index.html'));
if (!built) console.warn('\n*** start-fallback: dist/ not built (node scripts/build.mjs): SKIPPED ***\n');

const APPARMOR_ABORT =
  "[4242:1202/101010.123456:FATAL:setuid_sandbox_host.cc(163)] The SUID sandbox helper binary was found, but is not configured correctly. Rather than run without sandboxing I'm aborting now. You need to make sure that /src/node_modules/electron/dist/chrome-sandbox is owned by root and has mode 4755.";

describe.skipIf(!built || process.platform === 'win32')('npm start with an Electron that cannot start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-start-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs start.mjs with a stand-in `electron` made of this shell script body. */
  function start(name: string, body: string, args: string[]) {
    const dist = join(dir, name);
    mkdirSync(dist);
    writeFileSync(join(dist, 'electron'), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dist, 'electron'), 0o755);
    const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: dist };
    delete env.SOFTPHONE_START_MARKER;
    return spawnSync(process.execPath, [join(ROOT, 'scripts', 'start.mjs'), ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 30_000 });
  }

  it('explains the AppArmor abort and runs the browser UI command instead', () => {
    const run = start('apparmor', `echo "${APPARMOR_ABORT}" >&2\nkill -TRAP $$`, ['--help']);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('setuid_sandbox_host.cc'); // Electron's own words are passed through
    expect(run.stderr).toMatch(/its sandbox could not start\. This system restricts unprivileged user namespaces/);
    expect(run.stderr).toContain('was killed by SIGTRAP');
    expect(run.stderr).toContain('using the browser UI instead');
    expect(run.stdout).toContain('softphone listen'); // the CLI answered --help
  });

  it('keeps the exit code of an Electron whose window had opened', () => {
    const ok = start('started-ok', 'echo ready > "$SOFTPHONE_START_MARKER"\nexit 0', ['--help']);
    expect(ok.status).toBe(0);
    expect(ok.stderr).not.toContain('browser UI instead');
    expect(ok.stdout).not.toContain('softphone listen');
    const crashed = start('started-crash', 'echo ready > "$SOFTPHONE_START_MARKER"\nexit 3', ['--help']);
    expect(crashed.status).toBe(3);
    expect(crashed.stderr).not.toContain('browser UI instead');
  });
});

describe('launch failure explanations', () => {
  it('names the cause a user can act on', () => {
    expect(explainLaunchFailure({ code: null, signal: 'SIGTRAP', stderr: APPARMOR_ABORT })).toMatch(/chmod 4755/);
    expect(explainLaunchFailure({ code: 1, signal: null, stderr: 'Missing X server or $DISPLAY', env: {} })).toMatch(/no graphical display/);
    expect(explainLaunchFailure({ code: 127, signal: null, stderr: 'electron: error while loading shared libraries: libnss3.so: cannot open', env: { DISPLAY: ':0' } })).toMatch(/libnss3\.so is missing/);
    expect(explainLaunchFailure({ code: 1, signal: null, stderr: 'boom', env: { DISPLAY: ':0' } })).toBe('Electron exited with code 1 before its window opened.');
  });
});
