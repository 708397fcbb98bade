// electron-builder afterPack hook (electron-builder.yml): refuses a package whose PortAudio module would
// not load on the user's machine, before any installer is made: the unpacked naudiodon addon must sit
// next to this platform's PortAudio library and, on Linux, find it through a relative RUNPATH ($ORIGIN)
// rather than the folder it was built in (issue 8, point 1).
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const PORTAUDIO = { linux: 'libportaudio.so.2', darwin: 'libportaudio.dylib', win32: 'portaudio_x64.dll' };

/** @param {{ appOutDir: string, electronPlatformName: string, packager: { appInfo: { productFilename: string } } }} context */
module.exports = async function afterPack(context) {
  const platform = context.electronPlatformName;
  const resources =
    platform === 'darwin' || platform === 'mas'
      ? join(context.appOutDir, `${context.packager.appInfo.productFilename}.app`, 'Contents', 'Resources')
      : join(context.appOutDir, 'resources');
  const release = join(resources, 'app.asar.unpacked', 'node_modules', 'naudiodon', 'build', 'Release');
  const addon = join(release, 'naudiodon.node');
  const library = join(release, PORTAUDIO[platform === 'mas' ? 'darwin' : platform] ?? '');
  const problems = [];
  if (!existsSync(addon)) problems.push(`${addon} is missing`);
  if (!existsSync(library)) problems.push(`${library} is missing`);
  if (platform === 'linux' && existsSync(addon)) {
    const { absoluteSearchPaths } = await import('./elf-runpath.mjs');
    const absolute = absoluteSearchPaths(readFileSync(addon));
    if (absolute.length > 0) problems.push(`naudiodon.node has the absolute RUNPATH ${absolute.join(':')} (run npm ci: scripts/rebuild-naudiodon.mjs)`);
  }
  if (problems.length > 0) throw new Error(`PortAudio would not load in the package:\n  ${problems.join('\n  ')}`);
};
