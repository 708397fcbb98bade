// The NSIS include of the Windows installer (build/installer.nsh) cannot run here: this reads it as
// electron-builder will use it. customInstall adds inbound UDP allow rules for Softphone.exe (removing any of
// the same name first), customUnInstall deletes exactly those names, every netsh exit code is popped, the
// ports match the app's defaults, and electron-builder.yml includes the file without packaging it.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES } from '../../../src-main/settings/settings-schema';

const ROOT = resolve(__dirname, '../../..');
const NSH = readFileSync(resolve(ROOT, 'build/installer.nsh'), 'utf8');
const BUILDER_YML = readFileSync(resolve(ROOT, 'electron-builder.yml'), 'utf8');

/** Code lines: comments (; or #) and blank lines dropped. */
function codeLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith(';') && !l.startsWith('#'));
}

function parseNsh(text: string) {
  const defines = new Map<string, string>();
  const macros = new Map<string, string[]>();
  let current: { name: string; body: string[] } | null = null;
  for (const line of codeLines(text)) {
    const macro = /^!macro\s+(\S+)$/.exec(line);
    if (macro) {
      if (current) throw new Error(`!macro ${macro[1]} inside !macro ${current.name}`);
      current = { name: macro[1] as string, body: [] };
      continue;
    }
    if (line === '!macroend') {
      if (!current) throw new Error('!macroend without !macro');
      macros.set(current.name, current.body);
      current = null;
      continue;
    }
    const define = /^!define\s+(\S+)\s+"([^"]*)"$/.exec(line);
    if (define && !current) {
      defines.set(define[1] as string, define[2] as string);
      continue;
    }
    if (!current) throw new Error(`code outside a macro: ${line}`);
    current.body.push(line);
  }
  if (current) throw new Error(`!macro ${current.name} has no !macroend`);
  return { defines, macros };
}

const { defines, macros } = parseNsh(NSH);

/** A macro's lines with its own !insertmacro calls expanded and this file's !defines substituted. */
function expand(name: string, depth = 0): string[] {
  const body = macros.get(name);
  if (!body || depth > 5) throw new Error(`no macro ${name}`);
  return body.flatMap((line) => {
    const insert = /^!insertmacro\s+(\S+)$/.exec(line);
    if (insert) return expand(insert[1] as string, depth + 1);
    return [line.replace(/\$\{(\w+)\}/g, (whole, key: string) => defines.get(key) ?? whole)];
  });
}

interface NetshCall {
  verb: 'add' | 'delete';
  name: string;
  args: Record<string, string>;
}

/** netsh advfirewall calls made through nsExec::ExecToLog, in order. */
function netshCalls(lines: string[]): NetshCall[] {
  const calls: NetshCall[] = [];
  for (const line of lines) {
    const exec = /^nsExec::ExecToLog\s+'(.*)'$/.exec(line);
    if (!exec) continue;
    const m = /^"\$SYSDIR\\netsh\.exe" advfirewall firewall (add|delete) rule (.*)$/.exec(exec[1] as string);
    if (!m) throw new Error(`not a netsh firewall call: ${line}`);
    const args: Record<string, string> = {};
    for (const [, key, quoted, bare] of (m[2] as string).matchAll(/(\w+)=(?:"([^"]*)"|(\S+))/g)) args[key as string] = quoted ?? bare ?? '';
    calls.push({ verb: m[1] as 'add' | 'delete', name: args.name ?? '', args });
  }
  return calls;
}

/** Pushes (Push, and the exit code nsExec leaves) minus Pops: 0 when the macro leaves the stack as it found it. */
function stackBalance(lines: string[]): number {
  let depth = 0;
  for (const line of lines) {
    if (/^Push\s/.test(line) || /^nsExec::ExecToLog\s/.test(line)) depth++;
    if (/^Pop\s/.test(line)) depth--;
    if (depth < 0) return depth;
  }
  return depth;
}

/** `key: value` under a top-level `section:` of electron-builder.yml (the subset this file uses). */
function ymlValue(section: string, key: string): string | undefined {
  const lines = BUILDER_YML.split(/\r?\n/);
  const start = lines.findIndex((l) => l === `${section}:`);
  if (start < 0) return undefined;
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const m = new RegExp(`^\\s+${key}:\\s*(.+?)\\s*$`).exec(line);
    if (m) return m[1];
  }
  return undefined;
}

describe('Windows installer firewall rules (build/installer.nsh)', () => {
  const install = expand('customInstall');
  const uninstall = expand('customUnInstall');
  const added = netshCalls(install).filter((c) => c.verb === 'add');

  it('defines both electron-builder macros, in plain ASCII', () => {
    expect([...macros.keys()]).toEqual(expect.arrayContaining(['customInstall', 'customUnInstall']));
    const odd = [...NSH].filter((ch) => (ch < ' ' || ch > '~') && ch !== '\n' && ch !== '\r' && ch !== '\t');
    expect(odd).toEqual([]);
  });

  it('adds inbound UDP allow rules for the installed Softphone.exe, each after deleting its name', () => {
    expect(added.map((c) => c.name)).toEqual(['Softphone (UDP in)', 'Softphone SIP and RTP ports (UDP in)']);
    const calls = netshCalls(install);
    for (const rule of calls.filter((c) => c.verb === 'add')) {
      expect(rule.args).toMatchObject({ dir: 'in', action: 'allow', protocol: 'UDP', enable: 'yes', program: '$INSTDIR\\${APP_EXECUTABLE_FILENAME}' });
      const deletedAt = calls.findIndex((c) => c.verb === 'delete' && c.name === rule.name);
      expect(deletedAt, `${rule.name} is deleted before it is added`).toBeGreaterThanOrEqual(0);
      expect(deletedAt).toBeLessThan(calls.indexOf(rule));
    }
  });

  it('opens private and domain networks only, never profile=any (issue 8)', () => {
    for (const rule of added) expect(rule.args.profile).toBe('private,domain');
  });

  it('declares the sip:/tel: handler for Default apps on install and removes it, and our HKCU keys, on uninstall', () => {
    const writes = install.filter((l) => l.startsWith('WriteRegStr '));
    expect(writes).toContain('WriteRegStr SHCTX "Software\\Softphone\\Capabilities\\URLAssociations" "sip" "Softphone.Url"');
    expect(writes).toContain('WriteRegStr SHCTX "Software\\Softphone\\Capabilities\\URLAssociations" "tel" "Softphone.Url"');
    expect(writes).toContain('WriteRegStr SHCTX "Software\\RegisteredApplications" "Softphone" "Software\\Softphone\\Capabilities"');
    // Taking the default is the app's job, after the user agreed: the installer never writes Classes\sip or \tel.
    expect(writes.filter((l) => /Classes\\(sip|tel)\b|HKCU/.test(l))).toEqual([]);
    expect(uninstall).toEqual(
      expect.arrayContaining([
        'DeleteRegValue SHCTX "Software\\RegisteredApplications" "Softphone"',
        'DeleteRegKey SHCTX "Software\\Classes\\Softphone.Url"',
        'DeleteRegKey HKCU "Software\\Classes\\sip"',
        'DeleteRegKey HKCU "Software\\Classes\\tel"',
      ]),
    );
    // Only while the key still opens this exe, and not during an update (--updated).
    expect(uninstall).toContain('${GetOptions} $R8 "--updated" $R7');
    expect(uninstall.filter((l) => l === '${if} $R8 == \'"$INSTDIR\\${APP_EXECUTABLE_FILENAME}"\'')).toHaveLength(2);
  });

  it('opens the Transport tab defaults: the SIP port and the RTP range', () => {
    const ports = added.find((c) => c.args.localport)?.args.localport;
    expect(ports).toBe(`${DEFAULT_PREFERENCES.sipPort},${DEFAULT_PREFERENCES.rtpPortMin}-${DEFAULT_PREFERENCES.rtpPortMax}`);
  });

  it('deletes exactly the added rules on uninstall, by name', () => {
    const deleted = netshCalls(uninstall);
    expect(deleted.every((c) => c.verb === 'delete')).toBe(true);
    expect(deleted.map((c) => c.name).sort()).toEqual(added.map((c) => c.name).sort());
  });

  it('pops every netsh exit code and restores the register it uses', () => {
    expect(stackBalance(install)).toBe(0);
    expect(stackBalance(uninstall)).toBe(0);
    // Quotes pair up on every line (an unbalanced one would swallow the rest of the command).
    for (const line of [...install, ...uninstall]) expect((line.match(/"/g) ?? []).length % 2, line).toBe(0);
  });

  it('is included by electron-builder.yml, from buildResources, and not packaged into the app', () => {
    expect(ymlValue('nsis', 'include')).toBe('build/installer.nsh');
    expect(ymlValue('nsis', 'perMachine')).toBe('true');
    expect(ymlValue('directories', 'buildResources')).toBe('build');
    const files = BUILDER_YML.split(/\r?\n/)
      .slice(BUILDER_YML.split(/\r?\n/).indexOf('files:') + 1)
      .filter((l, i, all) => all.slice(0, i + 1).every((x) => /^\s+-/.test(x)))
      .map((l) => l.replace(/^\s+-\s*/, '').replace(/^"|"$/g, ''));
    // The Electron bundles only (issue 8: no CLI/bench bundles in the package).
    expect(files).toContain('dist/app/**');
    for (const pattern of files) expect(pattern.startsWith('build') || pattern === '**/*' || pattern === '**').toBe(false);
  });
});
