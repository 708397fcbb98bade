// Checks the URI or number given to `softphone call` before anything starts, and says exactly what is
// wrong with it ("invalid SIP URI "sip:bob@@host": two @"). Pure. The user agent's own resolver
// (sip/dial-target.ts) stays the authority on what can be dialled; this only explains its refusals.
import { resolveDialTarget } from '../sip/dial-target';

/**
 * Null when `target` can be dialled (with `domain` as the account's domain, if any), else the problem.
 * Without an account, a bare user or number has nowhere to go: that is reported as such.
 */
export function callTargetProblem(target: string, domain: string | undefined, dialPlan?: string): string | null {
  if (domain === undefined && !target.includes('@') && !/^sips?:/i.test(target)) {
    return `without --user, call needs a SIP URI such as sip:someone@192.168.1.20 (got "${target}")`;
  }
  const resolved = resolveDialTarget(target, domain === undefined ? {} : { domain, ...(dialPlan ? { dialPlan } : {}) });
  if ('uri' in resolved) return null;
  if (!/^invalid SIP URI/.test(resolved.error)) return resolved.error;
  return `invalid SIP URI "${target}": ${uriProblem(target)}`;
}

/** Why a SIP URI (RFC 3261 §19.1.1: sip:[user[:password]@]host[:port][;params][?headers]) is not one. */
export function uriProblem(target: string): string {
  const scheme = /^sips?:/i.exec(target)?.[0];
  const rest = scheme ? target.slice(scheme.length) : target;
  if (rest === '') return `nothing after "${scheme ?? ''}"`;
  const ats = rest.split('@').length - 1;
  if (ats > 1) return ats === 2 ? 'two @' : `${ats} @`;
  const at = rest.indexOf('@');
  if (at === 0) return 'no user before @';
  const hostPart = at < 0 ? rest : rest.slice(at + 1);
  const hostPort = hostPart.split(/[;?]/)[0] ?? '';
  if (hostPort === '') return 'no host after @';
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d*))?$/.exec(hostPort);
  if (!m) return `"${hostPort}" is not a host name or IP address`;
  const port = m[2];
  if (port !== undefined) {
    if (port === '') return 'no port number after ":"';
    if (Number(port) < 1 || Number(port) > 65535) return `port ${port} is not between 1 and 65535`;
  }
  return 'not a SIP URI (sip:user@host[:port])';
}
