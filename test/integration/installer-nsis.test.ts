// Compiles build/installer.nsh with the real NSIS compiler (Debian `nsis`, makensis 3) the way
// electron-builder uses it: Unicode, LogicLib, warnings as errors, customInstall in the install section and
// customUnInstall in the uninstaller. Windows cannot run here; this at least proves the script compiles and
// that the netsh commands come out as intended. Skipped, loudly, where makensis is not installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { skipUnlessCI } from '../support/skip-or-fail';

const BUILD_DIR = resolve(__dirname, '../../build');
const hasMakensis = !skipUnlessCI('installer-nsis: compiling build/installer.nsh', spawnSync('makensis', ['-VERSION'], { encoding: 'utf8' }).status === 0 ? null : 'makensis not found (apt-get install nsis)');

describe('Windows installer include', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsis-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(!hasMakensis)('compiles with warnings as errors and emits the netsh firewall commands', () => {
    const script = join(dir, 'harness.nsi');
    const out = join(dir, 'softphone-installer-test.exe');
    writeFileSync(
      script,
      [
        'Unicode true',
        '!include LogicLib.nsh',
        // What electron-builder defines before including the file (app-builder-lib templates/nsis/common.nsh).
        '!define APP_EXECUTABLE_FILENAME "Softphone.exe"',
        `!addincludedir "${BUILD_DIR}"`,
        '!include installer.nsh',
        'Name "Softphone"',
        `OutFile "${out}"`,
        'InstallDir "$PROGRAMFILES64\\Softphone"',
        'RequestExecutionLevel admin',
        'Section "Install"',
        '  SetOutPath $INSTDIR',
        '  !insertmacro customInstall',
        '  WriteUninstaller "$INSTDIR\\Uninstall.exe"',
        'SectionEnd',
        'Section "un.Uninstall"',
        '  !insertmacro customUnInstall',
        'SectionEnd',
        '',
      ].join('\n'),
    );
    const log = execFileSync('makensis', ['-WX', '-V4', script], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    expect(existsSync(out)).toBe(true);
    const commands = [...log.matchAll(/Plugin command: ExecToLog (.*)/g)].map((m) => m[1]);
    expect(commands).toContain(
      '"$SYSDIR\\netsh.exe" advfirewall firewall add rule name="Softphone (UDP in)" dir=in action=allow program="$INSTDIR\\Softphone.exe" protocol=UDP profile=any enable=yes description="Incoming SIP and RTP for Softphone calls"',
    );
    expect(commands.filter((c) => c?.includes(' delete rule name="Softphone (UDP in)"'))).toHaveLength(2);
    expect(commands.some((c) => c?.includes('localport=5060,10000-20000'))).toBe(true);
  });
});
