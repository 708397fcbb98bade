// The V8 flags of the installed `softphone` command (its shebang) are the ones the tests, `npm run web`
// and the Electron shell use (bin/node-flags.json): a test measures the process a user runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import nodeFlags from '../../../bin/node-flags.json';

const root = join(__dirname, '..', '..', '..');

describe('node flags of the headless core', () => {
  it('caps the young generation (a flood or a long call would grow it to 2 x 16 MB)', () => {
    expect(nodeFlags).toContain('--max-semi-space-size=4');
  });

  it('the bin shebang, npm run web, the parser bench and the Electron main pass exactly bin/node-flags.json', () => {
    const shebang = readFileSync(join(root, 'bin', 'softphone.js'), 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${nodeFlags.join(' ')}`);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['web']).toContain(`node ${nodeFlags.join(' ')} bin/softphone.js ui`);
    // The parser bench measures the gate and parser under the product's garbage-collector settings.
    expect(pkg.scripts['bench:parser']).toContain(`node ${nodeFlags.join(' ')} dist/parser-bench.js`);
    expect(readFileSync(join(root, 'src-main', 'app', 'electron-main.main.ts'), 'utf8')).toContain("appendSwitch('js-flags', nodeFlags.join(' '))");
  });
});
