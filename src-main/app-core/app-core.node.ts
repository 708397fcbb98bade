// Wires the app core to the real world: the SIP user agent, the media engine, PortAudio's device list,
// STUN probes for the Network view and the file store in a data folder. Used by `softphone ui` and by
// the Electron shell.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AudioConfig } from '../audio/audio-config';
import { FileInput } from '../audio/file-device.node';
import { createMediaSession, prewarmMediaThread } from '../rtp/media-session.node';
import type { SecretBox } from '../settings/secret-box';
import { createHeadlessSecretBox } from '../settings/secret-store.node';
import { createFileSettingsStore } from '../settings/settings-store.node';
import { createUserAgent } from '../sip/user-agent.node';
import { createLogger, type Logger } from '../util/logger';
import { version } from '../../package.json';
import { createAppCore, type AppCore } from './app-core';
import { probeNat } from './nat-probe.node';

export interface NodeCoreOptions {
  /** Folder for settings.json and history.json. */
  dataDir: string;
  /**
   * Electron's safeStorage in the app; default the OS keyring, else an unencrypted 0600 secrets.json
   * (SOFTPHONE_KEYRING=off skips the keyring).
   */
  secretBox?: SecretBox;
  /** This run's SIP port instead of the saved preference. */
  sipPort?: number;
  bindAddress?: string;
  /** Every call's audio (tests, headless); default from the environment, else the chosen sound card. */
  audio?: AudioConfig;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
}

/**
 * Audio for machines without a sound card and for tests: SOFTPHONE_AUDIO=null (silence), or
 * SOFTPHONE_AUDIO_PLAY=in.wav (the microphone) and/or SOFTPHONE_AUDIO_RECORD=out.wav (the speaker).
 */
export function audioOverrideFromEnv(env: NodeJS.ProcessEnv): AudioConfig | undefined {
  if (env.SOFTPHONE_AUDIO === 'null') return { kind: 'null' };
  const play = env.SOFTPHONE_AUDIO_PLAY || undefined;
  const record = env.SOFTPHONE_AUDIO_RECORD || undefined;
  if (play || record) return { kind: 'file', play, record, loop: env.SOFTPHONE_AUDIO_LOOP === '1' };
  return undefined;
}

/** Why `path` cannot be the ringtone, or null when it plays (the media worker reads it the same way). */
export async function checkRingtoneFile(path: string): Promise<string | null> {
  const input = new FileInput(path, false);
  try {
    await input.start();
    return input.ended ? `${path} holds no audio` : null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await input.close().catch(() => undefined);
  }
}

export function createNodeAppCore(options: NodeCoreOptions): AppCore {
  const logger = options.logger ?? createLogger('app');
  const env = options.env ?? process.env;
  const secretBox =
    options.secretBox ??
    createHeadlessSecretBox({ dir: options.dataDir, keyring: env.SOFTPHONE_KEYRING === 'off' ? null : undefined, logger: logger.child('secrets') });
  // The media thread starts with the app, not on the first INVITE (it would delay the 180 by ~140 ms).
  prewarmMediaThread();
  return createAppCore({
    store: createFileSettingsStore({ dir: options.dataDir, logger: logger.child('settings') }),
    secretBox,
    createUserAgent,
    createMedia: createMediaSession,
    // Loaded on first use: the native PortAudio module is not needed to start, only to list devices.
    listAudioDevices: async () => (await import('../audio/portaudio-device.node')).listAudioDevices(),
    audioOverride: options.audio ?? audioOverrideFromEnv(env),
    sipPortOverride: options.sipPort,
    bindAddress: options.bindAddress,
    probeNat,
    // Issue 11: call recordings go to <data dir>/recordings (made on the first recording), or SOFTPHONE_RECORDINGS.
    recordingsDir: async () => {
      const dir = env.SOFTPHONE_RECORDINGS || join(options.dataDir, 'recordings');
      await mkdir(dir, { recursive: true });
      return dir;
    },
    // Issue 11: a WAV ringtone must open and decode (any rate or channel count) and hold some audio.
    checkRingtoneFile: checkRingtoneFile,
    version,
    logger: logger.child('core'),
  });
}
