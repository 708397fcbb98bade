// What the app core needs from storage: load settings, history and contacts once (with problems found), save each.
// Implemented on files by settings-store.node.ts; an in-memory one serves pure tests.
import type { Contact } from '../contacts/contact-schema';
import type { HistoryEntry } from '../ipc/contract';
import type { Conversation } from '../messages/chat-log';
import { defaultSettings, type SettingsFile } from './settings-schema';

export interface LoadedData {
  settings: SettingsFile;
  history: HistoryEntry[];
  /** The address book (issue 11), contacts.json. */
  contacts: Contact[];
  /** The chat history (issue 11, part 6), messages.json; absent from stores before it. */
  messages?: Conversation[];
  /** Human-readable, e.g. "settings.json was corrupt (not valid JSON); kept as settings.json.corrupt-…". */
  problems: string[];
}

export interface SettingsStore {
  /** Where the files live (for messages). */
  readonly location: string;
  load(): Promise<LoadedData>;
  /** Rejects when the file could not be written (the caller reports it). */
  saveSettings(settings: SettingsFile): Promise<void>;
  saveHistory(entries: readonly HistoryEntry[]): Promise<void>;
  saveContacts(contacts: readonly Contact[]): Promise<void>;
  /** Issue 11, part 6; absent = the chat history is kept in memory only. */
  saveMessages?(conversations: readonly Conversation[]): Promise<void>;
  /** Resolves when every queued write has finished. */
  flush(): Promise<void>;
}

/** A store that keeps everything in memory (tests, or `--data-dir` unusable). */
export function createMemoryStore(initial?: Partial<LoadedData>): SettingsStore & { saved: { settings: SettingsFile; history: HistoryEntry[]; contacts: Contact[]; messages: Conversation[] } } {
  const saved = {
    settings: structuredClone(initial?.settings ?? defaultSettings()),
    history: structuredClone(initial?.history ?? []),
    contacts: structuredClone(initial?.contacts ?? []),
    messages: structuredClone(initial?.messages ?? []),
  };
  return {
    location: 'memory',
    saved,
    load: async () => ({
      settings: structuredClone(saved.settings),
      history: structuredClone(saved.history),
      contacts: structuredClone(saved.contacts),
      messages: structuredClone(saved.messages),
      problems: [...(initial?.problems ?? [])],
    }),
    saveSettings: async (settings) => {
      saved.settings = structuredClone(settings);
    },
    saveHistory: async (entries) => {
      saved.history = structuredClone([...entries]);
    },
    saveContacts: async (contacts) => {
      saved.contacts = structuredClone([...contacts]);
    },
    saveMessages: async (conversations) => {
      saved.messages = structuredClone([...conversations]);
    },
    flush: async () => {},
  };
}
