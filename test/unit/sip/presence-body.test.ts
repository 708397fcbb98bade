// PIDF (RFC 3863, with RFC 4480 RPID) and dialog-info (RFC 4235) bodies from fixtures, and the XML reader's
// defences: no DOCTYPE/ENTITY (billion laughs), size and depth caps, malformed documents.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { availability, lineState, parseDialogInfo, parsePidf } from '../../../src-main/sip/presence-body';
import { MAX_XML_BYTES, parseXml } from '../../../src-main/sip/xml-lite';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/presence', name), 'utf8');

describe('PIDF', () => {
  it('reads the RFC 3863 §6 example: open if any tuple is open, the first note, numeric references decoded', () => {
    const p = parsePidf(fixture('pidf-rfc3863.xml'));
    expect(p).toEqual({ entity: 'pres:someone@example.com', basic: 'open', activities: [], note: "Don't Disturb Please!" });
    expect(availability(p!)).toBe('available');
    const fr = parseXml(fixture('pidf-rfc3863.xml'));
    expect(fr?.children[0]?.children.filter((c) => c.name === 'note')[1]?.text).toBe("Ne dérangez pas, s'il vous plaît");
  });

  it('reads RPID on-the-phone with namespace prefixes and a Korean note', () => {
    const p = parsePidf(fixture('pidf-rpid-on-the-phone.xml'));
    expect(p).toEqual({ entity: 'sip:1001@pbx.example.com', basic: 'open', activities: ['on-the-phone'], note: '통화 중 & 바쁨' });
    expect(availability(p!)).toBe('busy');
    expect(availability({ entity: '', basic: 'closed', activities: [] })).toBe('offline');
  });
});

describe('dialog-info', () => {
  it('reads the RFC 4235 example (an incoming call ringing) and a partial update to confirmed', () => {
    const early = parseDialogInfo(fixture('dialog-rfc4235-early.xml'));
    expect(early).toEqual({ entity: 'sip:alice@example.com', version: 0, full: true, dialogs: [{ id: 'as7d900as8', state: 'early', direction: 'recipient' }] });
    expect(lineState(early!.dialogs)).toBe('ringing');
    const partial = parseDialogInfo(fixture('dialog-partial-confirmed.xml'));
    expect(partial).toMatchObject({ version: 1, full: false, dialogs: [{ id: 'as7d900as8', state: 'confirmed' }] });
    expect(lineState(partial!.dialogs)).toBe('busy');
    expect(lineState([{ state: 'terminated' }])).toBe('idle');
    expect(parseDialogInfo('<dialog-info version="3" entity="sip:a@b"/>')).toEqual({ entity: 'sip:a@b', version: 3, full: true, dialogs: [] });
  });
});

describe('XML reader defences', () => {
  it('refuses DOCTYPE and ENTITY declarations (no entity expansion)', () => {
    expect(parseXml(fixture('billion-laughs.xml'))).toBeNull();
    expect(parsePidf(fixture('billion-laughs.xml'))).toBeNull();
    expect(parseXml('<presence><note>&lol;</note></presence>')?.children[0]?.text).toBe('&lol;');
  });

  it('refuses oversize, too deep, unbalanced, two roots and stray text', () => {
    expect(parseXml(`<a>${'x'.repeat(MAX_XML_BYTES)}</a>`)).toBeNull();
    expect(parseXml('<a>'.repeat(40) + '</a>'.repeat(40))).toBeNull();
    expect(parseXml('<a><b></a></b>')).toBeNull();
    expect(parseXml('<a/><b/>')).toBeNull();
    expect(parseXml('junk<a/>')).toBeNull();
    expect(parseXml('<a><b x="1" < /></a>')).toBeNull();
    expect(parsePidf('<dialog-info/>')).toBeNull();
    expect(parseDialogInfo('not xml')).toBeNull();
  });

  it('keeps CDATA as text and drops comments', () => {
    expect(parseXml('<a><!-- c --><![CDATA[<b>]]></a>')?.text).toBe('<b>');
  });
});
