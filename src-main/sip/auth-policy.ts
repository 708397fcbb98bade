// Who gets a digest of the password (issue 9): only a challenge for a realm of the account, sent by the
// account's registrar or outbound proxy; among those, the strongest offer. Pure.
//
// RFC 3261 §22.1 leaves the choice of realm to the server and §26.3.2.2 warns that a UAC should not hand
// credentials to whoever asks: a callee (or a 3xx target) can answer an INVITE with 401/407 for a realm of
// its choosing, and a digest without qop/cnonce is a dictionary attack away from the password.

import { parseChallenge, type AuthHeader, type DigestChallenge } from './digest-auth';

export interface AuthPolicy {
  /** Realms the password may be used for, lower-cased: the account's domain (host[:port] and host) and authRealms. */
  realms: string[];
  /** Refuse MD5 digests in RFC 2069 mode (no qop: no cnonce, so a captured response is offline-crackable). */
  refuseMd5WithoutQop: boolean;
}

/** The realms an account answers: its domain as written, the domain's host alone, and the extra list. */
export function accountRealms(domain: string, extra: readonly string[] = []): string[] {
  const out = new Set<string>();
  const d = domain.trim().replace(/^sips?:/i, '').toLowerCase();
  if (d !== '') {
    out.add(d);
    // host[:port] -> host; IPv6 "[::1]:5060" -> "[::1]" and "::1".
    const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(d);
    if (m?.[1]) {
      out.add(m[1]);
      if (m[1].startsWith('[')) out.add(m[1].slice(1, -1));
    }
  }
  for (const r of extra) if (r.trim() !== '') out.add(r.trim().toLowerCase());
  return [...out];
}

export function realmAllowed(realm: string, policy: AuthPolicy): boolean {
  return policy.realms.includes(realm.trim().toLowerCase());
}

/** Ranking among acceptable challenges: SHA-256 before MD5 (RFC 8760), qop=auth before none (RFC 7616 §3.3). */
function rank(ch: DigestChallenge): number {
  const sha = ch.algorithm.startsWith('SHA-256') ? 4 : 0;
  const qop = ch.qop?.includes('auth') ? 2 : ch.qop?.includes('auth-int') ? 1 : 0;
  return sha + qop;
}

export type ChallengeChoice =
  /** Answer this one. */
  | { challenge: DigestChallenge }
  /** Challenges were offered but none may have the password: end with this reason. */
  | { refused: string }
  /** Nothing usable (no Digest, unknown algorithm, no realm/nonce). */
  | { none: true };

export interface ChallengeSource {
  /** Who challenged, for the message: the next hop as "host:port". */
  host: string;
  /** True when the request went to the account's registrar or outbound proxy (so the answer came from it). */
  accountHop: boolean;
}

/**
 * Picks the one challenge to answer, or says why none may be. Order of the checks: the realm, the hop (a
 * challenge from a callee or redirect target reached directly), then the MD5-without-qop option.
 */
export function selectChallenge(headers: AuthHeader[] | undefined, policy: AuthPolicy, source: ChallengeSource): ChallengeChoice {
  const choice = selectChallenges(headers, undefined, policy, source);
  if (!('accepted' in choice)) return choice;
  let best = choice.accepted[0] as AcceptedChallenge;
  for (const c of choice.accepted) if (rank(c.challenge) > rank(best.challenge)) best = c;
  return { challenge: best.challenge };
}

/** Which header answers a challenge: WWW-Authenticate -> Authorization, Proxy-Authenticate -> Proxy-Authorization (RFC 3261 §22.2, §22.3). */
export type CredentialsHeader = 'authorization' | 'proxy-authorization';

export interface AcceptedChallenge {
  challenge: DigestChallenge;
  header: CredentialsHeader;
}

export type ChallengesChoice = { accepted: AcceptedChallenge[] } | { refused: string } | { none: true };

/**
 * All the challenges of a 401/407 we answer: one per (header, realm), the strongest of each, in the
 * order first seen. RFC 3261 §22.3: a response can carry challenges of several proxies and the UAS, and
 * the retry carries one credentials header per realm. Realms that are not the account's get nothing; the
 * refusal only applies when none is, so a proxy's foreign realm does not stop us answering our own.
 */
export function selectChallenges(
  www: AuthHeader[] | undefined,
  proxy: AuthHeader[] | undefined,
  policy: AuthPolicy,
  source: ChallengeSource,
): ChallengesChoice {
  const offered: AcceptedChallenge[] = [];
  for (const [list, header] of [[www, 'authorization'], [proxy, 'proxy-authorization']] as const) {
    for (const h of list ?? []) {
      const challenge = parseChallenge(h);
      if (challenge) offered.push({ challenge, header });
    }
  }
  if (offered.length === 0) return { none: true };
  const ours = offered.filter((c) => realmAllowed(c.challenge.realm, policy));
  if (ours.length === 0) {
    const realm = offered[0]?.challenge.realm ?? '';
    return { refused: `not sending your password to ${source.host}: realm "${realm}" is not your account's` };
  }
  if (!source.accountHop) {
    return { refused: `not sending your password to ${source.host}: it is not your account's registrar or outbound proxy` };
  }
  const usable = policy.refuseMd5WithoutQop ? ours.filter((c) => c.challenge.qop !== undefined || !c.challenge.algorithm.startsWith('MD5')) : ours;
  if (usable.length === 0) {
    return { refused: `not sending your password to ${source.host}: it offers only MD5 digest without qop, which this account refuses` };
  }
  const best = new Map<string, AcceptedChallenge>();
  for (const c of usable) {
    const key = challengeKey(c);
    const prev = best.get(key);
    if (!prev || rank(c.challenge) > rank(prev.challenge)) best.set(key, c);
  }
  return { accepted: [...best.values()] };
}

/** Identifies a protection space for the retry bookkeeping: the answering header and the realm (case-insensitive). */
export function challengeKey(c: AcceptedChallenge): string {
  return `${c.header} ${c.challenge.realm.trim().toLowerCase()}`;
}
