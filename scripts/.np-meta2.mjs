import { build } from 'esbuild';
const r = await build({ absWorkingDir: process.cwd(), entryPoints: { cli: 'src-main/cli/main.node.ts' }, outdir: '/tmp/np-meta-out', bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['naudiodon', 'sip', 'ws', 'electron', 'segfault-handler', '@napi-rs/keyring'], metafile: true, write: false,
 plugins: [{ name: 'ui', setup(b) { b.onResolve({ filter: /[\\/]web[\\/]ui-command\.node$/ }, () => ({ path: './ui.js', external: true })); } }] });
const ins = r.metafile.inputs;
const target = process.argv[2];
// reverse graph
const rev = {};
for (const [f, v] of Object.entries(ins)) for (const i of v.imports) (rev[i.path] ??= []).push(f);
// BFS from files matching target up to entry
const start = Object.keys(ins).filter((f) => f.includes(target) && !ins[f].imports.some(i=>i.path.includes(target)) ? true : f.includes(target));
const seen = new Set(); const q = start.map(s=>[s,[s]]);
const printed = new Set();
while (q.length) { const [f, path] = q.shift(); if (seen.has(f)) continue; seen.add(f);
  for (const p of rev[f] ?? []) { if (!p.includes(target) && !printed.has(p) && p.startsWith('src')) { printed.add(p); console.log(p, '->', f); } q.push([p, [...path, p]]); } }
