// The desktop app's SecretBox: Electron safeStorage (Keychain, DPAPI, libsecret/kwallet). Linux without
// a keyring ("basic_text") is no real protection, so it counts as unavailable and the fallback box (the
// 0600 secrets file, which says it is unencrypted) keeps the passwords instead.
import { safeStorage } from 'electron';
import { createPlainSecretBox, isPlainBlob, type SecretBox } from '../settings/secret-box';

const SAFE_PREFIX = 'safe:';

/** Call after app 'ready' (safeStorage needs it). */
export function createSafeStorageBox(fallback: SecretBox = createPlainSecretBox()): SecretBox {
  const plain = createPlainSecretBox();
  const available =
    safeStorage.isEncryptionAvailable() && !(process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text');
  if (!available) {
    return {
      ...fallback,
      decrypt: (blob) => {
        if (blob.startsWith(SAFE_PREFIX)) throw new Error('the system keychain is not available');
        return fallback.decrypt(blob);
      },
    };
  }
  return {
    available,
    storage: 'keychain',
    encrypt: (text) => SAFE_PREFIX + safeStorage.encryptString(text).toString('base64'),
    decrypt: (blob) => {
      if (isPlainBlob(blob)) return plain.decrypt(blob);
      // Saved while the keychain was unavailable: the fallback box has it.
      if (!blob.startsWith(SAFE_PREFIX)) return fallback.decrypt(blob);
      if (!safeStorage.isEncryptionAvailable()) throw new Error('the system keychain is not available');
      return safeStorage.decryptString(Buffer.from(blob.slice(SAFE_PREFIX.length), 'base64'));
    },
  };
}
