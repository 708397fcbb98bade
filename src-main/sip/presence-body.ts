// Presence (RFC 3863 PIDF, with the RPID activities of RFC 4480 that phones send) and dialog state
// (RFC 4235 dialog-info) from NOTIFY bodies, read with the capped XML reader; summarised into what a
// contact list shows: available / away / offline, and the line idle / ringing / busy.
import { childNamed, childrenNamed, descendantsNamed, parseXml } from './xml-lite';

export interface PresenceInfo {
  entity: string;
  /** RFC 3863 §4.1.4 basic status: open if any tuple is open; null when no tuple says. */
  basic: 'open' | 'closed' | null;
  /** RPID activities (RFC 4480 §3.2) that matter for a phone: on-the-phone, busy, away… */
  activities: string[];
  note?: string;
}

const MAX_TEXT = 200;

/** Null when the body is not a PIDF document. */
export function parsePidf(body: string): PresenceInfo | null {
  const root = parseXml(body);
  if (!root || root.name !== 'presence') return null;
  const tuples = childrenNamed(root, 'tuple');
  const basics = tuples.map((t) => childNamed(childNamed(t, 'status') ?? t, 'basic')?.text.toLowerCase()).filter((b) => b === 'open' || b === 'closed');
  const basic = basics.includes('open') ? 'open' : basics.includes('closed') ? 'closed' : null;
  const activities = descendantsNamed(root, 'activities')
    .flatMap((a) => a.children.map((c) => c.name))
    .filter((n) => /^[a-z-]{1,40}$/.test(n))
    .slice(0, 10);
  const note = descendantsNamed(root, 'note').find((n) => n.text !== '')?.text.slice(0, MAX_TEXT);
  const info: PresenceInfo = { entity: (root.attrs.entity ?? '').slice(0, 300), basic, activities: [...new Set(activities)] };
  if (note) info.note = note;
  return info;
}

export type DialogStateValue = 'trying' | 'proceeding' | 'early' | 'confirmed' | 'terminated';

export interface DialogInfo {
  entity: string;
  version: number;
  /** full: these are all the dialogs; partial: changes to merge (RFC 4235 §4.1). */
  full: boolean;
  dialogs: Array<{ id: string; state: DialogStateValue; direction?: 'initiator' | 'recipient' }>;
}

const STATES: readonly DialogStateValue[] = ['trying', 'proceeding', 'early', 'confirmed', 'terminated'];

export function parseDialogInfo(body: string): DialogInfo | null {
  const root = parseXml(body);
  if (!root || root.name !== 'dialog-info') return null;
  const version = Number(root.attrs.version ?? '0');
  const dialogs: DialogInfo['dialogs'] = [];
  for (const d of childrenNamed(root, 'dialog').slice(0, 100)) {
    const state = childNamed(d, 'state')?.text.toLowerCase() as DialogStateValue | undefined;
    if (!state || !STATES.includes(state)) continue;
    const direction = d.attrs.direction === 'initiator' || d.attrs.direction === 'recipient' ? d.attrs.direction : undefined;
    dialogs.push({ id: (d.attrs.id ?? '').slice(0, 200), state, ...(direction ? { direction } : {}) });
  }
  return { entity: (root.attrs.entity ?? '').slice(0, 300), version: Number.isFinite(version) ? version : 0, full: root.attrs.state !== 'partial', dialogs };
}

export type LineState = 'idle' | 'ringing' | 'busy';

/** BLF: busy if any dialog is confirmed, ringing if any is being set up, else idle. */
export function lineState(dialogs: ReadonlyArray<{ state: DialogStateValue }>): LineState {
  if (dialogs.some((d) => d.state === 'confirmed')) return 'busy';
  if (dialogs.some((d) => d.state === 'early' || d.state === 'proceeding' || d.state === 'trying')) return 'ringing';
  return 'idle';
}

export type Availability = 'available' | 'busy' | 'away' | 'offline';

/** A contact list's word for a PIDF document. */
export function availability(p: PresenceInfo): Availability {
  if (p.basic === 'closed') return 'offline';
  if (p.activities.some((a) => a === 'on-the-phone' || a === 'busy' || a === 'meeting')) return 'busy';
  if (p.activities.some((a) => a === 'away' || a === 'vacation' || a === 'sleeping')) return 'away';
  return p.basic === 'open' ? 'available' : 'offline';
}
