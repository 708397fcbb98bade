// The desktop package as electron-builder 26 makes it, checked where Electron's binary cannot be downloaded:
// (1) the built naudiodon addon copied the way electron-builder unpacks it (app.asar.unpacked/...) loads in a
// fresh process with no LD_LIBRARY_PATH and maps the libportaudio.so.2 next to it, not a system copy; readelf
// shows no absolute RUNPATH. (2) electron-builder itself packs the app (`--linux dir`) around a stand-in
// Electron binary that carries the real fuse wire: the fuses come out flipped, app.asar holds only what the
// app runs, and the addon in that very output loads the same way.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs helper shared with the install step (scripts/), no declaration file
import { elfSearchPaths } from '../../scripts/elf-runpath.mjs';

const ROOT = resolve(__dirname, '../..');
const RELEASE = join(ROOT, 'node_modules', 'naudiodon', 'build', 'Release');
const UNPACKED_RELEASE = join('resources', 'app.asar.unpacked', 'node_modules', 'naudiodon', 'build', 'Release');
const linux = process.platform === 'linux';
const hasReadelf = spawnSync('readelf', ['--version']).status === 0;
const built = existsSync(join(ROOT, 'dist', 'app', 'electron-main.js')) && existsSync(join(ROOT, 'dist', 'renderer', 'index.html'));
if (!built) console.warn('\n*** electron-package: dist/ not built (node scripts/build.mjs): the electron-builder run is SKIPPED ***\n');

/** Loads the addon in a fresh Node without LD_LIBRARY_PATH; returns the libportaudio files it mapped. */
function loadInChild(addon: string): { mapped: string[]; exports: string[] } {
  const env = { ...process.env };
  delete env.LD_LIBRARY_PATH;
  delete env.LD_PRELOAD;
  const script = [
    'const b = require(process.argv[1]);',
    "const maps = require('node:fs').readFileSync('/proc/self/maps', 'utf8').split('\\n');",
    "const mapped = [...new Set(maps.map((l) => l.split(/\\s+/)[5]).filter((p) => p && p.includes('libportaudio')))];",
    'process.stdout.write(JSON.stringify({ mapped, exports: Object.getOwnPropertyNames(b).sort() }));',
  ].join('\n');
  const out = execFileSync(process.execPath, ['-e', script, addon], { env, encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out) as { mapped: string[]; exports: string[] };
}

function runpathOf(file: string): string {
  const line = execFileSync('readelf', ['-d', file], { encoding: 'utf8' })
    .split('\n')
    .find((l) => /\((RUNPATH|RPATH)\)/.test(l));
  return /\[(.*)\]/.exec(line ?? '')?.[1] ?? '';
}

describe.skipIf(!linux)('naudiodon unpacked the way electron-builder does it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-pkg-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has a relative RUNPATH ($ORIGIN) and loads the libportaudio.so.2 next to it', () => {
    const release = join(dir, 'Softphone', UNPACKED_RELEASE);
    mkdirSync(release, { recursive: true });
    for (const f of ['naudiodon.node', 'libportaudio.so.2']) copyFileSync(join(RELEASE, f), join(release, f));
    const addon = join(release, 'naudiodon.node');
    const paths = elfSearchPaths(readFileSync(addon)) as { runpath: string[]; rpath: string[] };
    expect(paths).toEqual({ runpath: ['$ORIGIN'], rpath: [] });
    if (hasReadelf) expect(runpathOf(addon)).toBe('$ORIGIN');
    // Whether or not this machine has libportaudio2 (`ldconfig -p`), the process must map OUR copy.
    const system = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' }).stdout ?? '';
    console.info(`system libportaudio: ${/libportaudio\.so\.2 .*=> (\S+)/.exec(system)?.[1] ?? 'none'}`);
    const loaded = loadInChild(addon);
    expect(loaded.mapped).toEqual([join(release, 'libportaudio.so.2')]);
    expect(loaded.exports).toEqual(['create', 'getDevices', 'getHostAPIs']);
  });

  it('ships no arm64 PortAudio for macOS, which is why the mac build is x64 only', () => {
    const dylib = readFileSync(join(ROOT, 'node_modules', 'naudiodon', 'portaudio', 'bin', 'libportaudio.dylib'));
    expect(dylib.readUInt32BE(0)).toBe(0xcafebabe); // a fat (multi-architecture) Mach-O
    const cpuTypes = Array.from({ length: dylib.readUInt32BE(4) }, (_, i) => dylib.readUInt32BE(8 + i * 20));
    const CPU_TYPE_X86 = 7;
    const CPU_TYPE_X86_64 = 0x01000007;
    const CPU_TYPE_ARM64 = 0x0100000c;
    expect(cpuTypes.sort()).toEqual([CPU_TYPE_X86, CPU_TYPE_X86_64].sort());
    expect(cpuTypes).not.toContain(CPU_TYPE_ARM64);
  });
});

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// @electron/fuses FuseV1Options order.
const FUSES = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
] as const;

function readFuses(binary: Buffer): Record<string, boolean> {
  const at = binary.indexOf(SENTINEL) + SENTINEL.length;
  const length = binary[at + 1] ?? 0;
  const wire = binary.subarray(at + 2, at + 2 + length).toString('latin1');
  return Object.fromEntries(FUSES.map((name, i) => [name, wire[i] === '1']));
}

describe.skipIf(!linux || !built)('electron-builder --linux dir', () => {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-eb-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('packs a lean app.asar, flips the fuses and unpacks a loadable addon', () => {
    // A stand-in Electron: electron-builder copies the folder and flips the fuse wire found in the binary
    // (as in Electron 38: version 1, every fuse at its default "on"/"off").
    const fake = join(dir, 'electron-dist');
    mkdirSync(join(fake, 'resources'), { recursive: true });
    mkdirSync(join(fake, 'locales'));
    writeFileSync(join(fake, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n'), Buffer.from(SENTINEL), Buffer.from([1, 8]), Buffer.from('10110011\n')]));
    chmodSync(join(fake, 'electron'), 0o755);
    writeFileSync(join(fake, 'chrome-sandbox'), '');
    writeFileSync(join(fake, 'LICENSE'), '');
    const out = join(dir, 'out');
    const cli = require.resolve('electron-builder/cli.js', { paths: [ROOT] });
    const run = spawnSync(process.execPath, [cli, '--linux', 'dir', `-c.electronDist=${fake}`, '-c.electronVersion=38.8.6', `-c.directories.output=${out}`], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const app = join(out, 'linux-unpacked');

    expect(readFuses(readFileSync(join(app, 'softphone')))).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });

    const asar = createRequire(require.resolve('app-builder-lib/package.json', { paths: [ROOT] }))('@electron/asar') as {
      listPackage(archive: string): string[];
    };
    const listed = asar.listPackage(join(app, 'resources', 'app.asar')).map((p) => p.replace(/\\/g, '/'));
    const files = listed.filter((p) => /\.[a-z0-9]+$/i.test(p));
    expect(files).toEqual(expect.arrayContaining(['/dist/app/electron-main.js', '/dist/app/preload.js', '/dist/media-worker.js', '/dist/renderer/index.html', '/package.json']));
    // No headless CLI/bench bundles, source maps, object files, other OSes' PortAudio, or bundled-in deps.
    expect(files.filter((p) => /^\/dist\/(cli|ui|bench)\.js$|\.map$|\.o$|\.d$|\.mk$|\/portaudio\/|\.dll$|\.dylib$|\.lib$/.test(p))).toEqual([]);
    const modules = [...new Set(listed.map((p) => /^\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1]).filter(Boolean))].sort();
    expect(modules).toEqual(['async-limiter', 'naudiodon', 'sip']);
    // Every package the shipped bundles require is in the archive (electron is built in).
    for (const bundle of ['dist/app/electron-main.js', 'dist/app/preload.js', 'dist/media-worker.js']) {
      const required = [...readFileSync(join(ROOT, bundle), 'utf8').matchAll(/require\("([^".][^"]*)"\)/g)].map((m) => m[1] as string);
      for (const name of required.filter((n) => !n.startsWith('node:') && n !== 'electron')) {
        expect(listed, `${bundle} requires ${name}`).toContain(`/node_modules/${name}/package.json`);
      }
    }

    const release = join(app, UNPACKED_RELEASE);
    expect(execFileSync('ls', ['-A', release], { encoding: 'utf8' }).trim().split('\n').sort()).toEqual(['libportaudio.so.2', 'naudiodon.node']);
    if (hasReadelf) expect(runpathOf(join(release, 'naudiodon.node'))).toBe('$ORIGIN');
    expect(loadInChild(join(release, 'naudiodon.node')).mapped).toEqual([join(release, 'libportaudio.so.2')]);
    expect(existsSync(join(dirname(release), '..', 'package.json'))).toBe(true);
  });
});
