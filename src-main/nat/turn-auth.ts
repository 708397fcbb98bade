// Long-term credential state of a TURN client (RFC 8489 §9.2): realm and nonce from the 401 challenge,
// stale-nonce updates (438), PASSWORD-ALGORITHMS negotiation, the key, and response authentication.

import { longTermKey, PasswordAlgorithm } from './stun-credentials';
import { getAttr, hasIntegrity, verifyIntegrity, type DecodedStun, type StunAttribute } from './stun-message';
import type { PasswordAlgorithmValue } from './stun-attributes';

export class TurnCredentials {
  private realm: string | null = null;
  private nonce: string | null = null;
  private keyValue: Uint8Array | null = null;
  private algorithms: PasswordAlgorithmValue[] | null = null;
  private algorithm: PasswordAlgorithmValue | null = null;

  constructor(
    private readonly username: string,
    private readonly password: string,
  ) {}

  /** The HMAC key once challenged; null before the first 401. */
  get key(): Uint8Array | null {
    return this.keyValue;
  }

  /** §9.2.4: USERNAME, REALM, NONCE (and the password algorithm echo) for an authenticated request. */
  attributes(): StunAttribute[] {
    if (!this.keyValue || this.realm === null || this.nonce === null) return [];
    const out: StunAttribute[] = [
      { name: 'username', value: this.username },
      { name: 'realm', value: this.realm },
      { name: 'nonce', value: this.nonce },
    ];
    // §9.2.4: echo the server's PASSWORD-ALGORITHMS and name the one used.
    if (this.algorithms && this.algorithm) {
      out.push({ name: 'passwordAlgorithms', value: this.algorithms });
      out.push({ name: 'passwordAlgorithm', value: this.algorithm });
    }
    return out;
  }

  /** §9.2.3: takes realm and nonce from a 401; false if they are missing (the request cannot be retried). */
  challenge(response: DecodedStun): boolean {
    const realm = getAttr(response, 'realm');
    const nonce = getAttr(response, 'nonce');
    if (!realm || !nonce) return false;
    this.realm = realm;
    this.nonce = nonce;
    this.chooseAlgorithm(getAttr(response, 'passwordAlgorithms'));
    this.derive();
    return true;
  }

  /** §9.2.5: 438 Stale Nonce: take the new nonce (and realm if it changed); false without one. */
  staleNonce(response: DecodedStun): boolean {
    const nonce = getAttr(response, 'nonce');
    if (!nonce || !this.keyValue) return false;
    this.nonce = nonce;
    const realm = getAttr(response, 'realm');
    if (realm && realm !== this.realm) {
      this.realm = realm;
      this.derive();
    }
    return true;
  }

  /**
   * §9.2.5: 401 and 438 are not integrity-protected; a success to an authenticated request must be; other
   * errors are checked when they carry MESSAGE-INTEGRITY (servers differ on whether they add it).
   */
  trusted(response: DecodedStun, requestWasAuthenticated: boolean): boolean {
    if (!requestWasAuthenticated || !this.keyValue) return true;
    const code = response.cls === 'error' ? getAttr(response, 'errorCode')?.code : undefined;
    if (code === 401 || code === 438) return true;
    if (response.cls === 'success') return verifyIntegrity(response, this.keyValue);
    return !hasIntegrity(response) || verifyIntegrity(response, this.keyValue);
  }

  private derive(): void {
    this.keyValue = longTermKey(this.username, this.realm ?? '', this.password, this.algorithm?.algorithm ?? PasswordAlgorithm.Md5);
  }

  private chooseAlgorithm(offered: PasswordAlgorithmValue[] | undefined): void {
    if (!offered || offered.length === 0) {
      this.algorithms = null;
      this.algorithm = null;
      return;
    }
    // §9.2.4: pick one we support: the first offered (the server's preference) among MD5 and SHA-256.
    this.algorithms = offered;
    this.algorithm = offered.find((a) => a.algorithm === PasswordAlgorithm.Md5 || a.algorithm === PasswordAlgorithm.Sha256) ?? null;
  }
}
