// Issue 9: a settings file the user may not read (EACCES) is reported as such, left in place, and never
// overwritten. Root reads any file, so the store runs in a child process as "nobody" (uid 65534) against
// a settings.json owned by root with mode 0600; as a normal user, a chmod 000 file does the same.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { defaultSettings, encodeSettings } from '../../../src-main/settings/settings-schema';

const ROOT = resolve(__dirname, '../../..');
const isRoot = process.getuid?.() === 0;

/** The store, bundled so a plain `node` child (another user) can run it: load, then try to save. */
async function childScript(dir: string): Promise<string> {
  const entry = join(dir, 'child.ts');
  writeFileSync(
    entry,
    `import { createFileSettingsStore } from ${JSON.stringify(join(ROOT, 'src-main/settings/settings-store.node'))};
     import { defaultSettings } from ${JSON.stringify(join(ROOT, 'src-main/settings/settings-schema'))};
     (async () => {
       const store = createFileSettingsStore({ dir: process.argv[2] });
       const loaded = await store.load();
       let save = 'saved';
       await store.saveSettings({ ...defaultSettings(), preferences: { ...defaultSettings().preferences, sipPort: 5999 } }).catch((e) => { save = e.message; });
       console.log(JSON.stringify({ problems: loaded.problems, sipPort: loaded.settings.preferences.sipPort, save }));
     })();`,
  );
  const out = join(dir, 'child.js');
  await build({ entryPoints: [entry], outfile: out, bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent' });
  return out;
}

describe('settings file without read permission', () => {
  it('is reported as a permission problem, left in place and not overwritten', async () => {
    const work = mkdtempSync(join(tmpdir(), 'softphone-perm-'));
    chmodSync(work, 0o755);
    const script = await childScript(work);
    const dataDir = join(work, 'data');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dataDir, { mode: 0o755 });
    const settingsPath = join(dataDir, 'settings.json');
    const original = encodeSettings({ ...defaultSettings(), preferences: { ...defaultSettings().preferences, sipPort: 5070 } });
    writeFileSync(settingsPath, original, { mode: 0o600 });
    if (isRoot) {
      chmodSync(script, 0o644);
      chownSync(dataDir, 65534, 65534); // nobody may write in the folder (so it could move the file) ...
    } else {
      chmodSync(settingsPath, 0o000); // ... but not read the file
    }
    const run = spawnSync(process.execPath, [script, dataDir], { encoding: 'utf8', ...(isRoot ? { uid: 65534, gid: 65534 } : {}) });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as { problems: string[]; sipPort: number; save: string };
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(/^settings\.json cannot be read: permission denied \(EACCES\)\. It was left in place and will not be overwritten/);
    expect(result.problems[0]).not.toMatch(/corrupt|kept as/);
    expect(result.sipPort).toBe(5060); // defaults in use
    expect(result.save).toMatch(/not overwriting it/);
    if (!isRoot) chmodSync(settingsPath, 0o600);
    expect(readdirSync(dataDir).sort()).toEqual(['settings.json']);
    expect(readFileSync(settingsPath, 'utf8')).toBe(original);
  });
});
