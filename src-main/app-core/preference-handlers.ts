// The app core's handlers for preferences (incl. the Transport and Topology tabs, with the write-only TURN
// password) and for the Network view's "Test NAT". Split from app-core.ts to keep that file readable.
import type { NetworkCheckReport, NetworkStatus, PortMapping, PreferencesForm, PreferencesView } from '../ipc/contract';
import type { SettingsFile } from '../settings/settings-schema';
import type { SettingsStore } from '../settings/settings-store';
import type { Logger } from '../util/logger';
import { ApiFailure } from './api-error';
import { buildCheckReport, probeMapping, registrarMapping, type NatProber } from './nat-check-report';
import { natTestServers, nextTurnPasswordBlob, preferenceProblems, toPreferences, userAgentSettingsChanged } from './network-preferences';

export interface PreferenceHandlerContext {
  settings: () => SettingsFile;
  replaceSettings: (next: SettingsFile) => void;
  store: SettingsStore;
  encrypt: (text: string) => string;
  /** Re-creates the user agent (SIP port or keep-alive changed); waits for calls to end. */
  restartUserAgent: () => void;
  /** The SIP port is fixed for this run (CLI --sip-port): a saved one applies next time. */
  sipPortFixed: boolean;
  /** Issue 11: field problems of the ringtone choice (a WAV file that cannot be played). */
  checkRingtone?: (prefs: PreferencesForm) => Promise<Record<string, string>>;
  network: () => NetworkStatus;
  /** True while a user agent owns the SIP socket. */
  sipRunning: () => boolean;
  /** The SIP port this run uses (CLI --sip-port or the preference). */
  sipPort: () => number;
  bindAddress: string;
  probeNat?: NatProber;
  log: Logger;
  now: () => number;
}

export function preferencesView(settings: SettingsFile): PreferencesView {
  return { ...settings.preferences, hasTurnPassword: settings.turnPasswordBlob !== '' };
}

export function createPreferenceHandlers(ctx: PreferenceHandlerContext) {
  let running: Promise<NetworkCheckReport> | null = null;

  async function runCheck(): Promise<NetworkCheckReport> {
    const probe = ctx.probeNat;
    if (!probe) throw new ApiFailure('failed', 'the NAT test is not available in this build');
    const settings = ctx.settings();
    const prefs = settings.preferences;
    const servers = natTestServers(prefs);
    if (!servers) throw new ApiFailure('failed', 'no STUN server is set: enter one in Account settings, Topology tab');
    const base = { stun: servers.primary, ...(servers.secondary ? { secondary: servers.secondary } : {}), bindAddress: ctx.bindAddress };
    let rtp;
    try {
      rtp = await probe({ ...base, ports: { min: prefs.rtpPortMin, max: prefs.rtpPortMax } });
    } catch (err) {
      throw new ApiFailure('failed', `the NAT test could not run: ${(err as Error).message}`);
    }
    // The running user agent owns the SIP socket: its mapping is the registrar's view. Without one, the
    // SIP port itself is free to probe.
    let sip: PortMapping | null = registrarMapping(ctx.network());
    const sipPort = ctx.sipPort();
    if (!ctx.sipRunning() && sipPort > 0) {
      sip = await probe({ ...base, ports: { exact: sipPort } }).then(probeMapping, (err: Error) => {
        ctx.log.debug('SIP port not probed', { error: err.message });
        return null;
      });
    }
    const report = buildCheckReport({ server: servers.primaryText, rtp, sip, now: ctx.now() });
    ctx.log.info('NAT test', { server: report.server, behavior: report.behavior, rtp: report.rtp.mapped, sip: report.sip?.mapped ?? null });
    return report;
  }

  return {
    'preferences.get': async (): Promise<PreferencesView> => preferencesView(ctx.settings()),

    'preferences.save': async (form: PreferencesForm): Promise<PreferencesView> => {
      const current = ctx.settings();
      const fields: Record<string, string> = { ...preferenceProblems(form, current.turnPasswordBlob !== ''), ...(await ctx.checkRingtone?.(form)) };
      if (Object.keys(fields).length > 0) throw new ApiFailure('invalid-request', 'invalid preferences', fields);
      // Issue 11: our presence has its own channel (presence.set); a form holding an older copy does not undo it.
      const { ownPresence: _formCopy, ...rest } = toPreferences(form);
      void _formCopy;
      const preferences = { ...rest, ...(current.preferences.ownPresence ? { ownPresence: current.preferences.ownPresence } : {}) };
      const updated: SettingsFile = { ...current, preferences, turnPasswordBlob: nextTurnPasswordBlob(form, current.turnPasswordBlob, ctx.encrypt) };
      await ctx.store.saveSettings(updated).catch((err: Error) => {
        throw new ApiFailure('failed', `the preferences could not be saved: ${err.message}`);
      });
      ctx.replaceSettings(updated);
      // Devices, RTP ports and STUN/TURN/ICE apply to the next call; the SIP port and keep-alives need a new user agent.
      if (userAgentSettingsChanged(current.preferences, preferences, ctx.sipPortFixed)) ctx.restartUserAgent();
      return preferencesView(updated);
    },

    'network.check': async (): Promise<NetworkCheckReport> => {
      // A second press while a test runs gets the same answer instead of a second set of probes.
      running ??= runCheck().finally(() => {
        running = null;
      });
      return running;
    },
  };
}
