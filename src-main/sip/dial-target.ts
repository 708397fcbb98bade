// Turns what the user typed into a Request-URI: number cleanup, the X-Lite dial plan, tel: and direct-IP
// calls (RFC 3261 §19.1, RFC 3966). Pure.
//
// X-Lite / Bria dial plan, as documented in the X-Lite 3.0 and 4.x user guides (Appendix B), and how we
// read the parts those guides leave open:
//   plan     = group *(";" group)        group = patterns ";" *(option ";")
//   patterns = pattern *("|" pattern)    option = "match=" n | prestrip=n | poststrip=n | pre=s | post=s | replace=s
//   Patterns are numbered from 1 within their group; "match=n" selects the pattern the following
//   transformations belong to. A token without "=" after some options starts a new group, so several
//   "#1..." plans can be chained ("#1\a\a.T;match=1;prestrip=2;#2\a\a.T;match=1;prestrip=2;"). Values
//   may be quoted (pre="9"). Spaces are allowed only inside values; line breaks separate like ";".
//   Pattern elements (digit-map rules of RFC 2705 plus a few regular-expression rules):
//     0-9 # * + @ letters ...  literal (letters compared case-insensitively); "\x", "\t", "\." etc. escape
//     x (or X)                 any one digit
//     \a                       any one character of an address. The guides say "alphanumeric", but their
//                              own example "\a\a.T|xxxxxxx.T" uses it to catch SIP addresses, so it also
//                              matches "@", ".", ":", "+", ... (anything but whitespace).
//     [2-9] [1,3,5-7] [a-c]    one character from the set
//     .                        the previous element zero or more times ("xxxx." = three or more digits)
//     T (or t)                 the inter-digit timer: ignored here, we only see complete input
//   The whole input must match a pattern. When several patterns match, the one that constrains the
//   input most wins: each input character scores 3 if matched by a literal, 2 by x or a set, 1 by \a;
//   the highest sum wins, ties go to the earlier pattern. (The guides' example 1 only works that way:
//   with first-match, "\a\a.T" would swallow the numbers meant for "xxxxxxx.T".) No match: dial as typed.
//   Transformations run in the documented order prestrip > poststrip > pre > post > replace.

import { escapeUser, isIPv4, isIPv6, parseHostPort, parseNameAddr, parseSipUri, formatHostPort } from './sip-uri';

export interface DialContext {
  /** The account's domain, host[:port]; absent in direct-IP mode. */
  domain?: string;
  /** X-Lite dial plan; empty or absent = dial as typed. */
  dialPlan?: string;
}

export type DialTargetResult = { uri: string } | { error: string };

export interface DialPlanTransforms {
  prestrip?: number;
  poststrip?: number;
  pre?: string;
  post?: string;
  replace?: string;
}

export interface DialPlanRule {
  pattern: string;
  transforms: DialPlanTransforms;
}

interface CompiledRule extends DialPlanRule {
  elements: PatternElement[];
}

const NO_DOMAIN = 'no domain: set up an account or dial a full SIP URI';
const VISUAL_SEPARATORS = /[\s\-.()/]/g;
const PHONE_CHARS = /^\+?[0-9*#\s\-.()/]+$/;
const MAX_INPUT = 2048;

/** One pattern element: which characters it accepts, its specificity score, and "." repetition. */
interface PatternElement {
  accepts: (c: string) => boolean;
  score: number;
  repeated: boolean;
}

const literal = (ch: string): PatternElement => {
  const lower = ch.toLowerCase();
  return { accepts: (c) => c.toLowerCase() === lower, score: 3, repeated: false };
};

/** Compiles one pattern; null when it is malformed (unclosed or bad set, dangling "\\", empty). */
function compilePattern(pattern: string): PatternElement[] | null {
  const elements: PatternElement[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined) return null;
      i++;
      elements.push(n === 'a' ? { accepts: (ch) => !/\s/.test(ch), score: 1, repeated: false } : literal(n));
    } else if (c === 'x' || c === 'X') {
      elements.push({ accepts: (ch) => ch >= '0' && ch <= '9', score: 2, repeated: false });
    } else if (c === 'T' || c === 't') {
      continue;
    } else if (c === '.') {
      const last = elements[elements.length - 1];
      if (!last || last.repeated) return null;
      last.repeated = true;
    } else if (c === '[') {
      const close = pattern.indexOf(']', i);
      if (close < 0) return null;
      const body = pattern.slice(i + 1, close).replace(/[,\s]/g, '');
      if (body === '' || !/^[0-9A-Za-z#*+](?:-?[0-9A-Za-z#*+])*$/.test(body)) return null;
      let set: RegExp;
      try {
        // A single-character class only: no backtracking risk from user input.
        set = new RegExp(`^[${body.replace(/[#*+]/g, (m) => `\\${m}`)}]$`, 'i');
      } catch {
        return null; // e.g. a reversed range [9-2]
      }
      elements.push({ accepts: (ch) => set.test(ch), score: 2, repeated: false });
      i = close;
    } else if (/\s/.test(c) || c === '|' || c === ';') {
      return null;
    } else {
      elements.push(literal(c));
    }
  }
  return elements.length > 0 ? elements : null;
}

/**
 * Whole-input match by dynamic programming (O(elements x input), no backtracking), returning the
 * highest specificity score over all ways to match, or null when the pattern does not match.
 */
function scoreMatch(elements: PatternElement[], input: string): number | null {
  const chars = Array.from(input);
  const n = chars.length;
  // next[j]: best score matching elements[i+1..] against chars[j..]; -Infinity = impossible.
  let next = new Array<number>(n + 1).fill(-Infinity);
  next[n] = 0;
  for (let i = elements.length - 1; i >= 0; i--) {
    const e = elements[i] as PatternElement;
    const cur = new Array<number>(n + 1).fill(-Infinity);
    for (let j = n; j >= 0; j--) {
      const ch = chars[j];
      const take = ch !== undefined && e.accepts(ch);
      if (e.repeated) {
        const more = take ? e.score + (cur[j + 1] ?? -Infinity) : -Infinity;
        cur[j] = Math.max(next[j] ?? -Infinity, more);
      } else {
        cur[j] = take ? e.score + (next[j + 1] ?? -Infinity) : -Infinity;
      }
    }
    next = cur;
  }
  const best = next[0] ?? -Infinity;
  return best === -Infinity ? null : best;
}

/** Splits on ';' and line breaks outside double quotes. */
function tokens(plan: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const c of plan) {
    if (c === '"') quoted = !quoted;
    if (!quoted && (c === ';' || c === '\n' || c === '\r')) {
      out.push(cur.trim());
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur.trim());
  return out.filter((t) => t !== '');
}

function unquoteValue(v: string): string {
  const t = v.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/** Parses a plan into rules (in plan order) and a list of problems (for the account dialog). */
export function parseDialPlan(plan: string): { rules: DialPlanRule[]; errors: string[] } {
  const { rules, errors } = compilePlan(plan);
  return { rules: rules.map(({ pattern, transforms }) => ({ pattern, transforms })), errors };
}

function compilePlan(plan: string): { rules: CompiledRule[]; errors: string[] } {
  const rules: CompiledRule[] = [];
  const errors: string[] = [];
  let group: (CompiledRule | null)[] = [];
  let current: CompiledRule | null = null;
  let inOptions = true;

  for (const token of tokens(typeof plan === 'string' ? plan : '')) {
    const eq = token.indexOf('=');
    const key = eq < 0 ? '' : token.slice(0, eq).trim().toLowerCase();
    const isOption = ['match', 'prestrip', 'poststrip', 'pre', 'post', 'replace'].includes(key);
    if (!isOption) {
      if (eq >= 0) {
        errors.push(`unknown dial plan keyword "${token.slice(0, eq)}"`);
        continue;
      }
      if (!inOptions) errors.push(`"${token}": patterns must be separated by "|"`);
      // A new group of patterns.
      group = token
        .split('|')
        .filter((p) => p !== '')
        .map((p) => {
          const elements = compilePattern(p);
          if (!elements) {
            errors.push(`invalid pattern "${p}"`);
            return null;
          }
          const rule: CompiledRule = { pattern: p, transforms: {}, elements };
          rules.push(rule);
          return rule;
        });
      current = null;
      inOptions = false;
      continue;
    }
    inOptions = true;
    const value = unquoteValue(token.slice(eq + 1));
    if (key === 'match') {
      const n = Number(value);
      current = Number.isInteger(n) && n >= 1 ? (group[n - 1] ?? null) : null;
      if (!current) errors.push(`match=${value}: no such pattern`);
      continue;
    }
    if (!current) {
      errors.push(`${key}= must follow a valid match=n`);
      continue;
    }
    if (key === 'prestrip' || key === 'poststrip') {
      const n = Number(value);
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) errors.push(`${key}=${value}: not a number`);
      else current.transforms[key] = n;
    } else if (key === 'pre' || key === 'post' || key === 'replace') {
      current.transforms[key] = value;
    }
  }
  return { rules, errors };
}

function transform(input: string, t: DialPlanTransforms): string {
  let s = input;
  if (t.prestrip !== undefined) s = s.slice(Math.min(t.prestrip, s.length));
  if (t.poststrip !== undefined) s = s.slice(0, Math.max(0, s.length - t.poststrip));
  if (t.pre !== undefined) s = t.pre + s;
  if (t.post !== undefined) s = s + t.post;
  if (t.replace !== undefined) s = t.replace;
  return s;
}

/** Applies an X-Lite dial plan to complete input (see the file header); no match = unchanged. */
export function applyDialPlan(digits: string, plan: string): string {
  if (typeof digits !== 'string') return '';
  if (typeof plan !== 'string' || plan.trim() === '') return digits;
  let best: { rule: CompiledRule; score: number } | null = null;
  for (const rule of compilePlan(plan).rules) {
    const score = scoreMatch(rule.elements, digits);
    if (score !== null && (!best || score > best.score)) best = { rule, score };
  }
  return best ? transform(digits, best.rule.transforms) : digits;
}

/** X-Lite's cleanup: removes spaces, dashes, dots, brackets and slashes from phone numbers only. */
export function cleanupDialInput(input: string): string {
  const t = input.trim();
  return PHONE_CHARS.test(t) && /[0-9]/.test(t) ? t.replace(VISUAL_SEPARATORS, '') : t;
}

function withDomain(user: string, domain: string | undefined, suffix = ''): DialTargetResult {
  if (domain === undefined || domain.trim() === '') return { error: NO_DOMAIN };
  const hp = parseHostPort(domain);
  if (!hp) return { error: `invalid domain "${domain}"` };
  return { uri: `sip:${escapeUser(user)}@${formatHostPort(hp)}${suffix}` };
}

function checkUri(uri: string): DialTargetResult {
  if (/\s/.test(uri)) return { error: `spaces are not allowed in a SIP URI: "${uri}"` };
  return parseSipUri(uri) ? { uri } : { error: `invalid SIP URI: "${uri}"` };
}

/** RFC 3261 §19.1.6: tel:+number;params becomes sip:+number;params@domain;user=phone. */
function telToSip(tel: string, domain: string | undefined): DialTargetResult {
  const body = tel.slice(4);
  const semi = body.indexOf(';');
  // RFC 3966 §5.1.1: visual separators carry no meaning, so they are dropped.
  const number = (semi < 0 ? body : body.slice(0, semi)).replace(/[-.()\s]/g, '');
  const params = semi < 0 ? '' : body.slice(semi);
  if (!/^\+?[0-9*#A-Da-d]+$/.test(number)) return { error: `invalid tel URI: "${tel}"` };
  if (/\s/.test(params)) return { error: `spaces are not allowed in a tel URI: "${tel}"` };
  return withDomain(number + params, domain, ';user=phone');
}

/** "192.0.2.7", "192.0.2.7:5062", "[2001:db8::1]:5060", "2001:db8::1": a direct call, or null. */
function directIp(s: string): DialTargetResult | null {
  const hp = parseHostPort(s);
  const looksLikeIp = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?::.*)?$/.test(s) || /^\[.*\](?::.*)?$/.test(s);
  if (!hp) return looksLikeIp ? { error: `invalid IP address "${s}"` } : null;
  if (looksLikeIp && !hp.host.startsWith('[') && !isIPv4(hp.host)) return { error: `invalid IP address "${s}"` };
  const ip = hp.host.startsWith('[') ? isIPv6(hp.host.slice(1, -1)) : isIPv4(hp.host);
  return ip ? { uri: `sip:${formatHostPort(hp)}` } : null;
}

/** Classifies an already cleaned and dial-planned string. */
function classify(s: string, ctx: DialContext): DialTargetResult {
  if (/^sips?:/i.test(s)) return checkUri(s);
  if (/^tel:/i.test(s)) return telToSip(s, ctx.domain);
  const ip = directIp(s);
  if (ip) return ip;
  if (/\s/.test(s)) return { error: `spaces are not allowed in a SIP address: "${s}"` };
  const at = s.lastIndexOf('@');
  if (at >= 0) {
    const user = s.slice(0, at);
    if (user === '') return { error: `missing user before "@" in "${s}"` };
    return checkUri(`sip:${escapeUser(user)}@${s.slice(at + 1)}`);
  }
  return withDomain(s, ctx.domain);
}

/**
 * What the user typed -> Request-URI. sip:/sips:/tel: URIs and pasted name-addrs are taken as URIs
 * (no dial plan); an IP address is a direct call; anything else is cleaned up (phone numbers lose
 * their visual separators), run through the dial plan and completed with the account's domain.
 */
export function resolveDialTarget(input: string, ctx: DialContext = {}): DialTargetResult {
  if (typeof input !== 'string') return { error: 'nothing to dial' };
  if (input.length > MAX_INPUT) return { error: `dial string too long (over ${MAX_INPUT} characters)` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(input.replace(/^\s+|\s+$/g, ''))) {
    return { error: 'control characters are not allowed in a dial string' };
  }
  let s = input.trim();
  if (s === '') return { error: 'nothing to dial' };
  if (s.includes('<')) {
    const na = parseNameAddr(s);
    if (!na) return { error: `invalid address "${s}"` };
    s = na.uri;
  }
  if (/^(?:sips?|tel):/i.test(s)) return classify(s, ctx);
  const ip = directIp(s);
  if (ip) return ip;
  const planned = applyDialPlan(cleanupDialInput(s), ctx.dialPlan ?? '').trim();
  if (planned === '') return { error: `the dial plan turned "${s}" into nothing` };
  return classify(planned, ctx);
}
