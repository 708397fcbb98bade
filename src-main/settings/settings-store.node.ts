// The file-backed SettingsStore: settings.json, history.json, contacts.json and messages.json in the data folder, written atomically
// and one write at a time per file; a corrupt file is moved aside and reported, one we may not read
// (EACCES/EPERM) is reported as such and left alone.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeContacts, encodeContacts } from '../contacts/contacts-file';
import type { Contact } from '../contacts/contact-schema';
import type { HistoryEntry } from '../ipc/contract';
import type { Conversation } from '../messages/chat-log';
import { decodeMessages, encodeMessages } from '../messages/messages-file';
import type { Logger } from '../util/logger';
import { isPermissionError, moveAside, readTextFile, removeStaleTemps, writeFileAtomic } from './atomic-file.node';
import { accountIdOf } from './account-list';
import { decodeHistory, encodeHistory } from './history';
import { decodeSettings, defaultSettings, encodeSettings, type SettingsFile } from './settings-schema';
import type { LoadedData, SettingsStore } from './settings-store';

export const SETTINGS_FILE = 'settings.json';
export const HISTORY_FILE = 'history.json';
export const CONTACTS_FILE = 'contacts.json';
export const MESSAGES_FILE = 'messages.json';

/** Coalescing writer: while one write runs, only the newest pending content is written after it. */
function serialWriter(path: string) {
  let running: Promise<void> | null = null;
  let pending: { data: string; waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> } | null = null;

  const pump = async (): Promise<void> => {
    while (pending) {
      const job = pending;
      pending = null;
      try {
        await writeFileAtomic(path, job.data);
        for (const w of job.waiters) w.resolve();
      } catch (err) {
        for (const w of job.waiters) w.reject(err as Error);
      }
    }
    running = null;
  };

  return {
    write(data: string): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        if (pending) {
          pending.data = data;
          pending.waiters.push({ resolve, reject });
        } else {
          pending = { data, waiters: [{ resolve, reject }] };
        }
        running ??= pump();
      });
    },
    idle: (): Promise<void> => running ?? Promise.resolve(),
  };
}

export interface FileStoreOptions {
  dir: string;
  logger?: Logger;
  now?: () => Date;
}

export function createFileSettingsStore(options: FileStoreOptions): SettingsStore {
  const { dir } = options;
  const now = options.now ?? (() => new Date());
  const settingsPath = join(dir, SETTINGS_FILE);
  const historyPath = join(dir, HISTORY_FILE);
  const settingsWriter = serialWriter(settingsPath);
  const historyWriter = serialWriter(historyPath);
  const contactsPath = join(dir, CONTACTS_FILE);
  const contactsWriter = serialWriter(contactsPath);
  const messagesPath = join(dir, MESSAGES_FILE);
  const messagesWriter = serialWriter(messagesPath);
  // Set when a file could be neither read nor moved aside: writing would destroy it, so we refuse.
  const blocked = new Set<string>();

  /** Reads one file; a bad one is moved aside and reported, and the default is used in its place. */
  async function loadOne<T>(path: string, name: string, decode: (text: string) => { ok: true; value: T } | { ok: false; reason: string }, fallback: T, problems: string[]): Promise<T> {
    const read = await readTextFile(path);
    if (read.kind === 'missing') return fallback;
    if (read.kind === 'error' && isPermissionError(read.code)) {
      // Issue 9: a file we may not read is not corrupt. Leave it where it is and never overwrite it.
      blocked.add(path);
      problems.push(
        `${name} cannot be read: permission denied (${read.code}). It was left in place and will not be overwritten; defaults are in use until its owner or mode is fixed (${path}).`,
      );
      options.logger?.warn('data file not readable: permission denied', { file: name, code: read.code });
      return fallback;
    }
    const result = read.kind === 'ok' ? decode(read.text) : { ok: false as const, reason: `unreadable (${read.message})` };
    if (result.ok) return result.value;
    try {
      const aside = await moveAside(path, 'corrupt', now());
      problems.push(`${name} could not be used: ${result.reason}. It was kept as ${aside}; defaults are in use.`);
    } catch (err) {
      blocked.add(path);
      problems.push(`${name} could not be used: ${result.reason}, and could not be moved aside (${(err as Error).message}); it will not be overwritten.`);
    }
    options.logger?.warn('data file kept aside', { file: name, reason: result.reason });
    return fallback;
  }

  return {
    location: dir,
    async load(): Promise<LoadedData> {
      const problems: string[] = [];
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
      } catch (err) {
        problems.push(`data folder ${dir} cannot be created (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); settings will not be saved.`);
      }
      await removeStaleTemps(dir, SETTINGS_FILE);
      await removeStaleTemps(dir, HISTORY_FILE);
      await removeStaleTemps(dir, CONTACTS_FILE);
      await removeStaleTemps(dir, MESSAGES_FILE);
      const settings = await loadOne<SettingsFile>(
        settingsPath,
        SETTINGS_FILE,
        (text) => {
          const r = decodeSettings(text);
          return r.ok ? { ok: true, value: r.settings } : r;
        },
        defaultSettings(),
        problems,
      );
      const history = await loadOne<HistoryEntry[]>(
        historyPath,
        HISTORY_FILE,
        (text) => {
          const r = decodeHistory(text);
          return r.ok ? { ok: true, value: r.entries } : r;
        },
        [],
        problems,
      );
      const contacts = await loadOne<Contact[]>(
        contactsPath,
        CONTACTS_FILE,
        (text) => {
          const r = decodeContacts(text);
          return r.ok ? { ok: true, value: r.contacts } : r;
        },
        [],
        problems,
      );
      const messages = await loadOne<Conversation[]>(
        messagesPath,
        MESSAGES_FILE,
        (text) => {
          // Issue 11: messages from before several accounts were the default account's.
          const r = decodeMessages(text, settings.account ? accountIdOf(settings.account) : undefined);
          return r.ok ? { ok: true, value: r.conversations } : r;
        },
        [],
        problems,
      );
      return { settings, history, contacts, messages, problems };
    },
    async saveSettings(settings) {
      if (blocked.has(settingsPath)) throw new Error(`${settingsPath} could not be read or moved aside; not overwriting it`);
      await settingsWriter.write(encodeSettings(settings));
    },
    async saveHistory(entries) {
      if (blocked.has(historyPath)) throw new Error(`${historyPath} could not be read or moved aside; not overwriting it`);
      await historyWriter.write(encodeHistory(entries));
    },
    async saveContacts(contacts) {
      if (blocked.has(contactsPath)) throw new Error(`${contactsPath} could not be read or moved aside; not overwriting it`);
      await contactsWriter.write(encodeContacts(contacts));
    },
    async saveMessages(conversations) {
      if (blocked.has(messagesPath)) throw new Error(`${messagesPath} could not be read or moved aside; not overwriting it`);
      await messagesWriter.write(encodeMessages(conversations));
    },
    async flush() {
      await Promise.all([settingsWriter.idle(), historyWriter.idle(), contactsWriter.idle(), messagesWriter.idle()]);
    },
  };
}
