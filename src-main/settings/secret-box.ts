// How a stored password is protected: an injected SecretBox (Electron safeStorage in the app, a plain
// marker-prefixed encoding in headless mode). Pure: no Node or Electron imports.

export interface SecretBox {
  /** True when encrypt() really encrypts (an OS keychain is behind it). */
  readonly available: boolean;
  encrypt(text: string): string;
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
 * Headless fallback. THIS IS NOT ENCRYPTION: base64 behind a marker, only so a password is not
 * readable at a glance in settings.json. The file itself is written with mode 0600; the desktop app
 * uses the OS keychain (safeStorage) instead.
 */
export function createPlainSecretBox(): SecretBox {
  return {
    available: false,
    encrypt: (text) => PLAIN_PREFIX + toBase64(text),
    decrypt: (blob) => decodePlainBlob(blob),
  };
}
