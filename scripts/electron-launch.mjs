// Why Electron died before its window opened, in words for the person who ran `npm start` (scripts/start.mjs
// then falls back to the browser UI). Pure: reads the exit and the end of Electron's stderr.

/**
 * @param {{ code: number | null, signal: string | null, stderr: string, platform?: string, env?: Record<string, string | undefined> }} exit
 * @returns {string} one paragraph: what happened, why, and what to do
 */
export function explainLaunchFailure({ code, signal, stderr, platform = 'linux', env = {} }) {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  // Ubuntu 24.04+ (kernel.apparmor_restrict_unprivileged_userns=1): Chromium's namespace sandbox is refused and
  // node_modules' chrome-sandbox is not setuid root, so Electron aborts (SIGTRAP) rather than run unsandboxed.
  if (/setuid_sandbox|SUID sandbox helper|No usable sandbox|unprivileged_userns|Failed to move to new namespace|clone\(\) failed|credentials\.cc/i.test(stderr)) {
    return [
      `Electron ${how} at launch: its sandbox could not start. This system restricts unprivileged user namespaces`,
      '(AppArmor on Ubuntu 24.04 and later), which Chromium\'s sandbox needs, and the development copy of',
      'node_modules/electron/dist/chrome-sandbox is not setuid root. The installed .deb sets this up itself. To run the',
      'window from the source tree, either make the helper setuid root',
      '(sudo chown root:root node_modules/electron/dist/chrome-sandbox && sudo chmod 4755 node_modules/electron/dist/chrome-sandbox)',
      'or give node_modules/electron/dist/electron an AppArmor profile that allows userns. Running without the sandbox',
      '(--no-sandbox) is not offered: the window shows remote SIP data.',
    ].join(' ');
  }
  if (/Missing X server|cannot open display|Failed to connect to Wayland|ozone_platform|Platform failed to initialize/i.test(stderr) || (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY)) {
    return `Electron ${how} at launch: there is no graphical display (DISPLAY and WAYLAND_DISPLAY are not set or not reachable).`;
  }
  const missing = /error while loading shared libraries: ([^:\s]+)/.exec(stderr)?.[1];
  if (missing) return `Electron ${how} at launch: the system library ${missing} is missing (install Electron's runtime libraries, e.g. libgtk-3-0 libnss3 libasound2).`;
  return `Electron ${how} before its window opened.`;
}
