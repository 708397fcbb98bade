// Reads DT_RUNPATH / DT_RPATH of an ELF shared object (what `readelf -d` shows), in plain JavaScript so
// the install step and the packaging hook can check the naudiodon addon without binutils installed.

const DT_NULL = 0;
const DT_RPATH = 15;
const DT_RUNPATH = 29;
const SHT_DYNAMIC = 6;

/**
 * @param {Buffer} elf the file's bytes
 * @returns {{ runpath: string[], rpath: string[] }} each entry split on ':'
 */
export function elfSearchPaths(elf) {
  if (elf.length < 52 || elf.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file');
  const is64 = elf[4] === 2;
  const le = elf[5] === 1;
  const u16 = (o) => (le ? elf.readUInt16LE(o) : elf.readUInt16BE(o));
  const u32 = (o) => (le ? elf.readUInt32LE(o) : elf.readUInt32BE(o));
  const word = (o) => (is64 ? Number(le ? elf.readBigUInt64LE(o) : elf.readBigUInt64BE(o)) : u32(o));
  const shoff = word(is64 ? 0x28 : 0x20);
  const shentsize = u16(is64 ? 0x3a : 0x2e);
  const shnum = u16(is64 ? 0x3c : 0x30);
  const section = (i) => {
    const at = shoff + i * shentsize;
    return {
      type: u32(at + 4),
      offset: word(at + (is64 ? 0x18 : 0x10)),
      size: word(at + (is64 ? 0x20 : 0x14)),
      link: u32(at + (is64 ? 0x28 : 0x18)),
    };
  };
  const out = { runpath: [], rpath: [] };
  for (let i = 0; i < shnum; i++) {
    const dyn = section(i);
    if (dyn.type !== SHT_DYNAMIC) continue;
    const strtab = section(dyn.link);
    const entry = is64 ? 16 : 8;
    for (let at = dyn.offset; at + entry <= dyn.offset + dyn.size; at += entry) {
      const tag = word(at);
      if (tag === DT_NULL) break;
      if (tag !== DT_RUNPATH && tag !== DT_RPATH) continue;
      const start = strtab.offset + word(at + entry / 2);
      const end = elf.indexOf(0, start);
      const paths = elf.toString('utf8', start, end).split(':');
      (tag === DT_RUNPATH ? out.runpath : out.rpath).push(...paths);
    }
  }
  return out;
}

/** The search paths the dynamic loader would take literally (neither $ORIGIN-relative nor empty). */
export function absoluteSearchPaths(elf) {
  const { runpath, rpath } = elfSearchPaths(elf);
  return [...runpath, ...rpath].filter((p) => p !== '' && !/^\$(ORIGIN|\{ORIGIN\})(\/|$)/.test(p));
}
