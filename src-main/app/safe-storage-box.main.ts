// The desktop app's SecretBox: Electron safeStorage (Keychain, DPAPI, libsecret/kwallet). Linux without
// a keyring ("basic_text") is no real protection, so it counts as unavailable and the plain box is used.
import { safeStorage } from 'electron';
import { createPlainSecretBox, isPlainBlob, type SecretBox } from '../settings/secret-box';

const SAFE_PREFIX = 'safe:';

/** Call after app 'ready' (safeStorage needs it). */
export function createSafeStorageBox(): SecretBox {
  const plain = createPlainSecretBox();
  const available =
    safeStorage.isEncryptionAvailable() && !(process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text');
  return {
    available,
    encrypt: (text) => (available ? SAFE_PREFIX + safeStorage.encryptString(text).toString('base64') : plain.encrypt(text)),
    decrypt: (blob) => {
      if (isPlainBlob(blob)) return plain.decrypt(blob);
      if (!blob.startsWith(SAFE_PREFIX)) throw new Error('unknown password format');
      if (!safeStorage.isEncryptionAvailable()) throw new Error('the system keychain is not available');
      return safeStorage.decryptString(Buffer.from(blob.slice(SAFE_PREFIX.length), 'base64'));
    },
  };
}
