// Click-to-call: turns a sip: or tel: link the OS hands us (argv on Windows/Linux, open-url on macOS)
// into what goes in the dial field. Pure; URI headers are dropped so a link cannot add SIP headers.

const MAX_TARGET = 200;

/**
 * RFC 3966 §5.1.1: visual separators ("-", ".", "(", ")") carry no meaning in a tel: number and are
 * removed; parameters (";ext=", ";phone-context=") are not dialled.
 */
function fromTel(rest: string): string | null {
  const number = (rest.split(';')[0] ?? '').replace(/[-.()\s]/g, '');
  return /^\+?[0-9*#A-Da-d]{1,64}$/.test(number) ? number : null;
}

/** RFC 3261 §19.1.1: "?" starts URI headers (Subject, Route, …); they are not ours to accept from a link. */
function fromSip(rest: string): string | null {
  const uri = (rest.split('?')[0] ?? '').replace(/^\/\//, '');
  if (!uri || /[\s<>"]/.test(uri)) return null;
  return `sip:${uri}`;
}

export function dialTargetFromLink(link: string): string | null {
  if (typeof link !== 'string' || link.length > 2048) return null;
  let text: string;
  try {
    text = decodeURIComponent(link.trim());
  } catch {
    return null;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) return null;
  const match = /^(sip|tel):(.*)$/i.exec(text);
  if (!match) return null;
  const scheme = (match[1] ?? '').toLowerCase();
  const target = scheme === 'tel' ? fromTel(match[2] ?? '') : fromSip(match[2] ?? '');
  return target && target.length <= MAX_TARGET ? target : null;
}

/** The first sip:/tel: link on a command line (the OS appends it when a link is clicked). */
export function dialTargetFromArgv(argv: readonly string[]): string | null {
  for (const arg of argv) {
    if (/^(sip|tel):/i.test(arg)) {
      const target = dialTargetFromLink(arg);
      if (target) return target;
    }
  }
  return null;
}
