// Our own presence document (RFC 3863 PIDF, with an RFC 4480 RPID activity for away and busy) for
// PUBLISH (RFC 3903, RFC 3856 §6.2's body). Pure; the entity is our address of record.

/** What the user picks: Available, Away, Busy, or Appear offline. */
export type OwnPresence = 'available' | 'away' | 'busy' | 'offline';
export const OWN_PRESENCE_VALUES: readonly OwnPresence[] = ['available', 'away', 'busy', 'offline'];

const NOTES: Record<OwnPresence, string> = { available: 'Available', away: 'Away', busy: 'Busy', offline: 'Offline' };

/** XML text escaping for attribute and element content (the AOR is already a checked URI). */
function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The PIDF body. RFC 3863 §4.1.4: basic is open unless we appear offline (closed); RFC 4480 §3.2: away
 * and busy are person activities, which watchers (and our own presence-body.ts) read as such.
 */
export function pidfDocument(entity: string, presence: OwnPresence, tupleId = 'softphone'): string {
  const basic = presence === 'offline' ? 'closed' : 'open';
  const activity = presence === 'away' ? '<rpid:away/>' : presence === 'busy' ? '<rpid:busy/>' : '';
  const person = activity ? `<dm:person id="p-${escapeXml(tupleId)}"><rpid:activities>${activity}</rpid:activities></dm:person>` : '';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${escapeXml(entity)}">` +
    `<tuple id="${escapeXml(tupleId)}"><status><basic>${basic}</basic></status><contact>${escapeXml(entity)}</contact><note>${NOTES[presence]}</note></tuple>` +
    `${person}</presence>\r\n`
  );
}
