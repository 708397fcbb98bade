// electron-builder.yml checked the way electron-builder 26 reads it: validated against its own JSON schema
// (app-builder-lib/scheme.json, with the ajv and js-yaml electron-builder itself depends on), then the
// choices issue 8 asks for: fuses, deb with libportaudio2, desktopName = the deb's .desktop file, no
// linux.mimeTypes, macOS entitlements/x64/sip only, lean files, author and homepage for the deb.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
// Both are electron-builder's own dependencies (app-builder-lib): the same parser and validator it uses.
const fromBuilder = createRequire(require.resolve('app-builder-lib/package.json', { paths: [ROOT] }));
const yaml = fromBuilder('js-yaml') as { load(text: string): unknown };
const AjvClass = fromBuilder('ajv').default as new (opts: object) => {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
};
const schema = JSON.parse(readFileSync(fromBuilder.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;

type Config = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const config = yaml.load(readFileSync(resolve(ROOT, 'electron-builder.yml'), 'utf8')) as Config;
const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as Config;

function validator() {
  // strict: false because the schema uses a keyword ajv does not know ("typeof", for function-valued hooks);
  // unknown *properties* are still refused through the schema's additionalProperties: false.
  const validate = new AjvClass({ allErrors: true, strict: false }).compile(schema);
  return (data: unknown) => (validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

describe('electron-builder.yml', () => {
  it('is valid against electron-builder 26 scheme.json (and the check rejects a wrong config)', () => {
    const check = validator();
    expect(check(config)).toEqual([]);
    expect(check({ ...config, linux: { ...config.linux, target: 5 } }).length).toBeGreaterThan(0);
    expect(check({ ...config, electronFuses: { runAsNodes: false } }).length).toBeGreaterThan(0);
  });

  it('sets the fuses: no Node runtime, no NODE_OPTIONS or --inspect, code only from an integrity-checked app.asar', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('builds the .deb as the Linux package, with libportaudio2, a .desktop file named as desktopName says', () => {
    expect(config.linux.target).toEqual(['deb']);
    expect(config.deb.depends).toContain('libportaudio2');
    // electron-builder's own defaults stay (setting depends replaces them).
    expect(config.deb.depends).toEqual(expect.arrayContaining(['libgtk-3-0', 'libnss3', 'libsecret-1-0', 'xdg-utils']));
    expect(pkg.desktopName).toBe(`${config.linux.executableName}.desktop`);
    expect(config.linux.syncDesktopName).toBe(true);
    // MimeType comes from protocols; a mimeTypes list would repeat it.
    expect(config.linux.mimeTypes).toBeUndefined();
    expect(config.deb.mimeTypes).toBeUndefined();
    expect(config.linux.protocols.flatMap((p: Config) => p.schemes)).toEqual(['sip', 'tel']);
    expect(config.protocols).toBeUndefined();
  });

  it('has the author e-mail and homepage the deb target requires', () => {
    expect(pkg.author.email).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
    expect(pkg.homepage).toMatch(/^https:\/\//);
  });

  it('gives macOS the microphone entitlement, the usage text, x64 only and sip: only', () => {
    expect(config.mac.hardenedRuntime).toBe(true);
    const plist = readFileSync(resolve(ROOT, config.mac.entitlements), 'utf8');
    expect(plist).toMatch(/<key>com\.apple\.security\.device\.audio-input<\/key>\s*<true\/>/);
    expect(plist).toMatch(/<key>com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\/>/);
    expect(config.mac.entitlementsInherit).toBe(config.mac.entitlements);
    expect(config.mac.extendInfo.NSMicrophoneUsageDescription).toMatch(/microphone/);
    // naudiodon's libportaudio.dylib has no arm64 slice (checked in the package test on the file itself).
    expect(config.mac.target).toEqual([{ target: 'dmg', arch: ['x64'] }]);
    expect(config.mac.protocols.flatMap((p: Config) => p.schemes)).toEqual(['sip']);
  });

  it('packages only the Electron bundles, naudiodon build/Release and our own addon, unpacked', () => {
    const files: string[] = config.files;
    expect(files).toEqual(expect.arrayContaining(['dist/app/**', 'dist/media-worker.js', 'dist/renderer/**', '!**/*.map']));
    expect(files.some((f) => f === 'dist/**' || /dist\/(cli|bench|ui)\.js$/.test(f) && !f.startsWith('!'))).toBe(false);
    expect(config.asarUnpack).toEqual(['node_modules/naudiodon/build/Release/**', 'native/build/Release/softphone_native.node']);
    // The native media engine (issue 12): native-addon.node.ts looks in app.asar.unpacked/native/build/Release.
    expect(files).toContain('native/build/Release/softphone_native.node');
    // The packaged addon is the one npm ci built with the patch (see the package test for the file itself).
    expect(config.npmRebuild).toBe(false);
    expect(existsSync(resolve(ROOT, config.afterPack))).toBe(true);
    expect(pkg.scripts.postinstall).toBe('patch-package && node scripts/rebuild-naudiodon.mjs && node scripts/build-native.mjs');
    const patch = readFileSync(resolve(ROOT, 'patches/naudiodon+2.3.6.patch'), 'utf8');
    expect(patch).toContain(`+                  "-Wl,-rpath,'$$ORIGIN'"`);
    expect(patch).not.toMatch(/^\+.*-rpath,<@\(module_root_dir\)/m);
  });
});
