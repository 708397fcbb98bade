// The contacts.* request channels (issue 11): the address book held by the core, saved to contacts.json
// after each change and pushed to every window as 'contacts.changed'.
import { deleteContact, exportContacts, importContacts, saveContact, sortContacts } from '../contacts/address-book';
import type { Contact } from '../contacts/contact-schema';
import type { RequestPayload, ResponseMap } from '../ipc/contract';
import type { SettingsStore } from '../settings/settings-store';
import { randomHex } from '../sip/sip-random';
import { ApiFailure } from './api-error';

type ContactChannel = 'contacts.list' | 'contacts.save' | 'contacts.delete' | 'contacts.import' | 'contacts.export';
export type ContactHandlers = { [C in ContactChannel]: (payload: RequestPayload<C>) => Promise<ResponseMap[C]> };

export interface ContactBook {
  handlers: ContactHandlers;
  /** The list loaded at start-up. */
  load(list: readonly Contact[]): void;
  list(): readonly Contact[];
}

const randomId = () => `c-${randomHex(9)}`;

export function createContactBook(deps: { store: SettingsStore; changed: (list: Contact[]) => void; newId?: () => string }): ContactBook {
  let contacts: Contact[] = [];
  const newId = deps.newId ?? randomId;

  /** Saves first: a change the disk refused is not shown as done. */
  async function commit(next: Contact[]): Promise<void> {
    await deps.store.saveContacts(next).catch((err: Error) => {
      throw new ApiFailure('failed', `the contacts could not be saved: ${err.message}`);
    });
    contacts = next;
    deps.changed(contacts);
  }

  const handlers: ContactHandlers = {
    'contacts.list': async () => contacts,
    'contacts.save': async (input) => {
      const r = saveContact(contacts, input, newId);
      if ('error' in r) throw new ApiFailure(input.id !== undefined ? 'not-found' : 'failed', r.error);
      await commit(r.list);
      return r.contact;
    },
    'contacts.delete': async ({ id }) => {
      const next = deleteContact(contacts, id);
      if (next) await commit(next);
      return null;
    },
    'contacts.import': async ({ format, text }) => {
      const r = importContacts(contacts, text, format, newId);
      if (r.added > 0) await commit(r.list);
      return { added: r.added, duplicates: r.duplicates, skipped: r.skipped };
    },
    'contacts.export': async ({ format, version }) => {
      const text = exportContacts(contacts, format, version);
      return format === 'csv'
        ? { text, fileName: 'contacts.csv', mimeType: 'text/csv;charset=utf-8' }
        : { text, fileName: 'contacts.vcf', mimeType: 'text/vcard;charset=utf-8' };
    },
  };

  return {
    handlers,
    load(list) {
      contacts = sortContacts(list);
    },
    list: () => contacts,
  };
}
