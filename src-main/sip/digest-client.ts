// The client side of RFC 3261 §22 for one registration or one call: answers a 401/407 with one
// credentials header per accepted realm, keeps them for the next requests (nonce-count + 1), and tells
// a wrong password from a stale or new nonce. Pure.

import { challengeKey, selectChallenges, type AcceptedChallenge, type AuthPolicy, type ChallengeSource, type CredentialsHeader } from './auth-policy';
import { DigestNonceState, type DigestCredentials, type DigestRequest } from './digest-auth';
import { statusText } from './sip-headers';
import type { SipAuthHeader, SipResponse } from './sip-message';

/**
 * One request and its authenticated retries (RFC 3261 §22.2: the retry is a new request with CSeq + 1):
 * how often each protection space was answered in it. A new round starts with each new request the
 * user asked for (a refresh, a BYE) and after an answer that was not a challenge (423, 3xx).
 */
export type AuthRound = Map<string, number>;

export type ChallengeOutcome =
  /** Send the request again (new CSeq) with headersFor(). */
  | { retry: true }
  /**
   * refused: the policy keeps the password from this server (issue 9); none: no usable Digest challenge;
   * rejected: a realm we already answered in this round challenged again without stale=true.
   */
  | { fail: 'refused' | 'none' | 'rejected'; reason: string };

export type CredentialsHeaders = Partial<Record<CredentialsHeader, SipAuthHeader[]>>;

/**
 * stale=true (RFC 7616 §3.3: the password was right, only the nonce was old) may come again, but not
 * forever: a server that calls every nonce stale would keep us sending.
 */
const MAX_ANSWERS_PER_ROUND = 3;

export class DigestClient {
  private readonly credentials: DigestCredentials;
  private readonly policy: AuthPolicy;
  private readonly nonces: DigestNonceState;
  /** The last challenge accepted per protection space, answered again on later requests (RFC 3261 §22.3). */
  private readonly cache = new Map<string, AcceptedChallenge>();

  constructor(credentials: DigestCredentials, policy: AuthPolicy, nonces: DigestNonceState = new DigestNonceState()) {
    this.credentials = credentials;
    this.policy = policy;
    this.nonces = nonces;
  }

  /** Protection spaces we hold a challenge for ("authorization example.com"), in the order learned. */
  get spaces(): string[] {
    return [...this.cache.keys()];
  }

  /**
   * A 401/407 to a request of `round`. Every accepted challenge is remembered (the earlier ones stay: a
   * 407 from an SBC then a 401 from the PBX behind it needs both headers on the next try, §22.3).
   * RFC 3261 §22.2 / RFC 2617 §3.2.1: a realm answered once in this round that challenges again means
   * the password is wrong, unless it says stale=true. Credentials sent from the cache (a refresh) do not
   * count: a server restarted since then rightly asks again, with or without stale.
   */
  onChallenge(res: SipResponse, source: ChallengeSource, round: AuthRound): ChallengeOutcome {
    const choice = selectChallenges(res.headers['www-authenticate'], res.headers['proxy-authenticate'], this.policy, source);
    if ('refused' in choice) return { fail: 'refused', reason: choice.refused };
    if ('none' in choice) return { fail: 'none', reason: `${statusText(res)} (no usable digest challenge)` };
    for (const a of choice.accepted) {
      const tries = round.get(challengeKey(a)) ?? 0;
      if (tries > 0 && (!a.challenge.stale || tries >= MAX_ANSWERS_PER_ROUND)) {
        return { fail: 'rejected', reason: `${statusText(res)} (wrong password?)` };
      }
    }
    for (const a of choice.accepted) {
      const key = challengeKey(a);
      round.set(key, (round.get(key) ?? 0) + 1);
      const old = this.cache.get(key);
      if (old && old.challenge.nonce !== a.challenge.nonce) this.nonces.forget(old.challenge);
      this.cache.set(key, a);
    }
    return { retry: true };
  }

  /**
   * Credentials for a request: one header per protection space held (or only those answered in `only`),
   * the nonce-count going up each time a nonce is used again (RFC 7616 §3.4). `req.body` is hashed for
   * qop=auth-int, so it must be the body that goes on the wire.
   */
  headersFor(req: DigestRequest, only?: AuthRound): CredentialsHeaders {
    const out: CredentialsHeaders = {};
    for (const [key, a] of this.cache) {
      if (only && !only.has(key)) continue;
      const value = this.nonces.authorize(a.challenge, this.credentials, req);
      (out[a.header] ??= []).push(value);
    }
    return out;
  }

  /** Forgets every challenge (a redirect to another target starts over: its realms are its own). */
  clear(): void {
    for (const a of this.cache.values()) this.nonces.forget(a.challenge);
    this.cache.clear();
  }
}

/**
 * The credentials a request carried, for its ACK: RFC 3261 §13.2.2.4, "The ACK MUST contain the same
 * credentials as the INVITE" (copied, not recomputed: same nonce-count, same response).
 */
export function credentialsOf(req: { headers: { authorization?: SipAuthHeader[]; 'proxy-authorization'?: SipAuthHeader[] } }): CredentialsHeaders {
  const out: CredentialsHeaders = {};
  if (req.headers.authorization?.length) out.authorization = req.headers.authorization;
  if (req.headers['proxy-authorization']?.length) out['proxy-authorization'] = req.headers['proxy-authorization'];
  return out;
}
