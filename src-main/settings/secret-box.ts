// How a stored password is kept: an injected SecretBox (Electron safeStorage in the app; the OS keyring
// or an unencrypted 0600 secrets file in web/CLI mode, secret-store.node.ts). settings.json holds only
// what the box returns. Pure: no Node or Electron imports.

/** Which password a blob holds: a box that stores passwords elsewhere keeps one entry per slot. */
export type SecretSlot = 'sip-password' | 'turn-password' | `sip-password.${string}`;

/**
 * Issue 11: each account's password has its own slot, named after the account id (ids are unique in a
 * settings file), so saving one account never replaces another's password. The first account keeps the
 * slot it always had, so blobs written before several accounts still open.
 */
export function sipPasswordSlot(accountId: string | undefined): SecretSlot {
  return accountId === undefined || accountId === 'account-1' ? 'sip-password' : `sip-password.${accountId}`;
}

/** A slot name a box may store under (a blob's slot comes from settings.json: checked before use). */
export function isSecretSlot(name: string): name is SecretSlot {
  return name === 'sip-password' || name === 'turn-password' || /^sip-password\.[a-z0-9-]{1,40}$/.test(name);
}

/**
 * Where passwords are, as the UI and README say it: encrypted by the OS keychain (safeStorage), in the
 * OS keyring (Secret Service, Keychain, Credential Manager), in a file only the user can read but NOT
 * encrypted, or (legacy, before issue 9) base64 in settings.json.
 */
export type SecretStorage = 'keychain' | 'keyring' | 'file' | 'plain';

export interface SecretBox {
  /** True when encrypt() really encrypts (an OS keychain is behind it). */
  readonly available: boolean;
  readonly storage: SecretStorage;
  /** Stores `text` for `slot`; returns the blob to keep in settings.json (never the password itself). */
  encrypt(text: string, slot: SecretSlot): string;
  /** Throws when the blob cannot be opened (other machine's keychain, damaged blob). */
  decrypt(blob: string): string;
}

/** Prefix of the headless encoding. */
export const PLAIN_PREFIX = 'plain:';

function toBase64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(b64: string): string {
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

export function isPlainBlob(blob: string): boolean {
  return blob.startsWith(PLAIN_PREFIX);
}

/** Opens a blob written by the plain box (any SecretBox accepts these, so headless data moves to the app). */
export function decodePlainBlob(blob: string): string {
  if (!isPlainBlob(blob)) throw new Error('not a plain password blob');
  return fromBase64(blob.slice(PLAIN_PREFIX.length));
}

/**
 * The pre-issue-9 headless encoding, kept for tests and to read old files. THIS IS NOT ENCRYPTION:
 * base64 behind a marker. Files holding such blobs are migrated to the real box at start-up.
 */
export function createPlainSecretBox(): SecretBox {
  return {
    available: false,
    storage: 'plain',
    encrypt: (text) => PLAIN_PREFIX + toBase64(text),
    decrypt: (blob) => decodePlainBlob(blob),
  };
}
