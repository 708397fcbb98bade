// The address book as the core keeps it (contacts.list / contacts.changed): the search box, the contact
// being edited, save / delete / import / export, and the matches the dial field and history use.
import type { Api, Contact, ContactInput, ContactPresence, ContactsImportReport } from '../lib/api';
import { contactForUri, matchContacts, resolveDialTarget } from '../lib/contact-match';

export type ContactFormat = 'vcard' | 'csv';

export class ContactsState {
  list = $state.raw<Contact[]>([]);
  query = $state('');
  error = $state('');
  /** Field -> message from the core's validation of the last save. */
  fieldErrors = $state.raw<Record<string, string>>({});
  /** The contact in the editor (no id = new), or null when the editor is closed. */
  editing = $state.raw<ContactInput | null>(null);
  /** Presence and BLF of watched contacts, by id (presence.changed). */
  presence = $state.raw<Record<string, ContactPresence>>({});
  /** What the last import did. */
  lastImport = $state.raw<ContactsImportReport | null>(null);

  constructor(private readonly api: Api | null) {}

  readonly visible: Contact[] = $derived.by(() => matchContacts(this.list, this.query));

  apply(list: readonly Contact[]): void {
    if (!Array.isArray(list)) return;
    this.list = list.filter((c) => c && typeof c.id === 'string' && typeof c.name === 'string');
  }

  applyPresence(all: Record<string, ContactPresence> | undefined): void {
    if (all && typeof all === 'object' && !Array.isArray(all)) this.presence = all;
  }

  async load(): Promise<void> {
    if (!this.api) return;
    const r = await this.api.request('contacts.list', {});
    if (r.ok) this.apply(r.value);
    else this.error = r.error.message;
  }

  /** Suggestions for the dial field. */
  suggestions(text: string, limit = 8): Contact[] {
    return matchContacts(this.list, text, limit);
  }

  resolve(text: string): string {
    return resolveDialTarget(this.list, text);
  }

  byUri(uri: string): Contact | null {
    return contactForUri(this.list, uri);
  }

  edit(contact: Contact | null): void {
    this.fieldErrors = {};
    this.error = '';
    this.editing = contact ? structuredClone($state.snapshot(contact)) : { name: '', sipUri: '', numbers: [], favorite: false };
  }

  cancel(): void {
    this.editing = null;
    this.fieldErrors = {};
  }

  async save(input: ContactInput): Promise<boolean> {
    if (!this.api) return false;
    const r = await this.api.request('contacts.save', input);
    if (!r.ok) {
      this.fieldErrors = r.error.fields ?? {};
      this.error = r.error.fields ? '' : r.error.message;
      return false;
    }
    this.fieldErrors = {};
    this.error = '';
    this.editing = null;
    // In place: the core's sorted list (contacts.changed, favourites first) may already have arrived, and
    // appending put a just-starred contact at the bottom of it. A new contact goes last until that push.
    const saved = r.value;
    this.list = this.list.some((c) => c.id === saved.id) ? this.list.map((c) => (c.id === saved.id ? saved : c)) : [...this.list, saved];
    return true;
  }

  async toggleFavorite(c: Contact): Promise<void> {
    await this.save({ ...c, favorite: !c.favorite });
  }

  async remove(id: string): Promise<void> {
    if (!this.api) return;
    const r = await this.api.request('contacts.delete', { id });
    if (r.ok) this.list = this.list.filter((c) => c.id !== id);
    else this.error = r.error.message;
  }

  async importText(format: ContactFormat, text: string): Promise<void> {
    if (!this.api) return;
    this.lastImport = null;
    const r = await this.api.request('contacts.import', { format, text });
    if (r.ok) this.lastImport = r.value;
    else this.error = r.error.fields?.text ?? r.error.message;
  }

  async exportText(format: ContactFormat, version?: '3.0' | '4.0'): Promise<{ text: string; fileName: string; mimeType: string } | null> {
    if (!this.api) return null;
    const r = await this.api.request('contacts.export', version ? { format, version } : { format });
    if (r.ok) return r.value;
    this.error = r.error.message;
    return null;
  }
}
