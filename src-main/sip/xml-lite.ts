// A small XML reader for NOTIFY bodies (PIDF, dialog-info): elements, attributes and text only. Built
// for hostile input: size, depth and element caps; any DOCTYPE or ENTITY declaration is refused, so no
// entity can expand (billion laughs, external entities); only the five predefined entities and numeric
// character references are decoded. Namespace prefixes are dropped (local names), which is enough for
// the fixed vocabularies we read.

export const MAX_XML_BYTES = 64 * 1024;
const MAX_DEPTH = 32;
const MAX_ELEMENTS = 4000;

export interface XmlElement {
  /** Local name (prefix dropped), as written (case kept). */
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Text directly inside this element, entities decoded, trimmed. */
  text: string;
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '';
    }
    return PREDEFINED[ref] ?? whole;
  });
}

const localName = (qname: string) => qname.slice(qname.indexOf(':') + 1);

/** The document's root element, or null when the text is not (acceptable) XML. */
export function parseXml(input: string): XmlElement | null {
  if (input.length > MAX_XML_BYTES) return null;
  if (/<!DOCTYPE|<!ENTITY/i.test(input)) return null;
  const text = input.replace(/<\?[\s\S]*?\?>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let count = 0;
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|<!\[CDATA\[([\s\S]*?)\]\]>/g;
  let last = 0;
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    const between = text.slice(last, m.index);
    if (between.includes('<')) return null; // something that is not a tag we accept
    const top = stack.at(-1);
    if (top) top.text += decode(between);
    else if (between.trim() !== '') return null;
    last = tag.lastIndex;
    if (m[5] !== undefined) {
      if (!top) return null;
      top.text += m[5];
      continue;
    }
    const [, closing, qname = '', rawAttrs = '', selfClosing] = m;
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== localName(qname)) return null;
      open.text = open.text.trim();
      continue;
    }
    if (++count > MAX_ELEMENTS || stack.length >= MAX_DEPTH) return null;
    if (root && stack.length === 0) return null; // a second root
    const attrs: Record<string, string> = {};
    for (const a of rawAttrs.matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      const key = a[1] ?? '';
      if (key === 'xmlns' || key.startsWith('xmlns:')) continue;
      attrs[localName(key)] = decode(a[2] ?? a[3] ?? '');
    }
    const el: XmlElement = { name: localName(qname), attrs, children: [], text: '' };
    if (top) top.children.push(el);
    else root = el;
    if (!selfClosing) stack.push(el);
  }
  if (stack.length > 0 || !root) return null;
  if (text.slice(last).trim() !== '') return null;
  return root;
}

/** Direct children with this local name. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

export function childNamed(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** Every descendant with this local name, depth first. */
export function descendantsNamed(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    for (const c of e.children) {
      if (c.name === name) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}
