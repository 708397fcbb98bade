// The README states facts that live elsewhere: the packages `npm test` installs (test/setup-system.sh)
// and the Node versions (package.json engines). This keeps the two from drifting apart.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');

describe('README facts', () => {
  it('names every Debian package test/setup-system.sh may install', () => {
    const script = readFileSync(resolve(root, 'test/setup-system.sh'), 'utf8');
    const packages = new Set<string>();
    for (const m of script.matchAll(/^check \S+ (\S+)$/gm)) packages.add(m[1] as string);
    for (const m of script.matchAll(/need\+=\(([^)]+)\)/g)) if (!(m[1] as string).startsWith('"')) packages.add(m[1] as string);
    for (const m of script.matchAll(/"\$\{need\[@\]\}" (.+?) >/g)) for (const p of (m[1] as string).split(/\s+/)) packages.add(p);
    expect(packages.size).toBeGreaterThan(10);
    for (const p of packages) expect(readme, `README does not list ${p}`).toContain(`\`${p}\``);
  });

  it('states the Node range that package.json engines holds, and the stricter one for packaging', () => {
    const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(readme).toContain(`\`${pkg.engines.node}\``);
    const rebuild = JSON.parse(readFileSync(resolve(root, 'node_modules/@electron/rebuild/package.json'), 'utf8')) as { engines: { node: string } };
    const packagingMin = /(\d+\.\d+)/.exec(rebuild.engines.node)?.[1];
    expect(readme).toContain(`Node ${packagingMin}+`);
  });

  it('says npm ci, not npm install, for installing', () => {
    for (const use of readme.match(/[\s\S]{0,12}`npm install`/g) ?? []) expect(use).toMatch(/never\s`npm install`/);
    expect(readme).toMatch(/`npm ci` builds it/);
  });
});
