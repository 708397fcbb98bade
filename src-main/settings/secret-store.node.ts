// Web and CLI mode's SecretBox: the OS keyring through @napi-rs/keyring (Secret Service, macOS Keychain,
// Windows Credential Manager) when one answers, else secrets.json beside settings.json, mode 0600 and
// NOT encrypted: the UI and README say "stored unencrypted (file readable only by you)".
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../util/logger';
import { decodePlainBlob, isPlainBlob, isSecretSlot, type SecretBox, type SecretSlot } from './secret-box';

export const SECRETS_FILE = 'secrets.json';
const KEYRING_PREFIX = 'keyring:';
const FILE_PREFIX = 'file:';
const SERVICE = 'softphone';

/** One keyring entry (the subset of @napi-rs/keyring's Entry we use). */
export interface KeyringEntry {
  setPassword(password: string): void;
  getPassword(): string | null | undefined;
  deletePassword(): boolean | void;
}
export type KeyringFactory = (service: string, account: string) => KeyringEntry;

/**
 * Required by a name in a variable: bundlers then leave it to Node at run time instead of trying to
 * inline the platform's .node binary (which esbuild cannot), whatever their `external` list says.
 */
const KEYRING_MODULE = '@napi-rs/keyring';

/** The real binding, loaded only when asked for (a native module: absent or unloadable is "no keyring"). */
export function loadKeyring(): KeyringFactory | Error {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Entry } = require(KEYRING_MODULE) as { Entry: new (service: string, account: string) => KeyringEntry };
    return (service, account) => new Entry(service, account);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * Whether the keyring really stores and returns a secret: on Linux the binding loads fine without a
 * Secret Service daemon and only fails when used ("Couldn't access platform storage").
 */
export function probeKeyring(factory: KeyringFactory): { ok: true } | { ok: false; reason: string } {
  const probe = `probe-${randomBytes(6).toString('hex')}`;
  const value = randomBytes(12).toString('hex');
  try {
    const entry = factory(SERVICE, probe);
    entry.setPassword(value);
    const back = entry.getPassword();
    try {
      entry.deletePassword();
    } catch {
      // a leftover probe entry holds no secret
    }
    return back === value ? { ok: true } : { ok: false, reason: 'the keyring did not return what was stored' };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

export interface SecretStoreOptions {
  /** The data folder (secrets.json goes here; keyring entries are named after it). */
  dir: string;
  /** The keyring binding; null = do not use one (tests, SOFTPHONE_KEYRING=off); default: load it. */
  keyring?: KeyringFactory | null;
  logger?: Logger;
}

interface SecretsFile {
  version: 1;
  note: string;
  secrets: Partial<Record<SecretSlot, string>>;
}

const NOTE = 'Passwords stored unencrypted (file readable only by you). Where an OS keyring works, softphone keeps them there instead.';

export interface HeadlessSecretBox extends SecretBox {
  /** Why the keyring is not used (for the log and diagnostics); undefined when it is. */
  readonly keyringProblem?: string;
  readonly filePath: string;
}

export function createHeadlessSecretBox(options: SecretStoreOptions): HeadlessSecretBox {
  const filePath = join(options.dir, SECRETS_FILE);
  const factory = options.keyring === undefined ? loadKeyring() : options.keyring;
  let keyringProblem: string | undefined;
  let keyring: KeyringFactory | null = null;
  if (factory === null) keyringProblem = 'not used';
  else if (factory instanceof Error) keyringProblem = `binding not loadable: ${factory.message}`;
  else {
    const probe = probeKeyring(factory);
    if (probe.ok) keyring = factory;
    else keyringProblem = probe.reason;
  }
  if (keyringProblem) options.logger?.info('no OS keyring: passwords go to a file readable only by you, unencrypted', { file: filePath, why: keyringProblem });

  // Entries are per data folder, so two folders (a test's, the user's) never share a password.
  const entry = (slot: SecretSlot): KeyringEntry => (keyring as KeyringFactory)(SERVICE, `${slot}@${options.dir}`);

  function readFile(): SecretsFile {
    let text: string;
    try {
      text = readFileSync(filePath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, note: NOTE, secrets: {} };
      throw new Error(`${SECRETS_FILE} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    try {
      const parsed = JSON.parse(text) as Partial<SecretsFile>;
      const secrets: SecretsFile['secrets'] = {};
      const stored = parsed.secrets as Record<string, unknown> | undefined;
      for (const slot of Object.keys(stored ?? {})) {
        const v = stored?.[slot];
        if (isSecretSlot(slot) && typeof v === 'string') secrets[slot] = v;
      }
      return { version: 1, note: NOTE, secrets };
    } catch {
      throw new Error(`${SECRETS_FILE} is not valid JSON`);
    }
  }

  /** Temp file with mode 0600 in the same folder, then rename (a reader sees the old or the new file). */
  function writeFile(file: SecretsFile): void {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    const tmp = `${filePath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(file, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
      renameSync(tmp, filePath);
      chmodSync(filePath, 0o600);
    } catch (err) {
      try {
        unlinkSync(tmp);
      } catch {
        // never created
      }
      throw err;
    }
  }

  function storeInFile(text: string, slot: SecretSlot): string {
    const file = readFile();
    file.secrets[slot] = text;
    writeFile(file);
    return FILE_PREFIX + slot;
  }

  return {
    available: keyring !== null,
    storage: keyring ? 'keyring' : 'file',
    keyringProblem,
    filePath,
    encrypt(text, slot) {
      if (keyring) {
        try {
          entry(slot).setPassword(text);
          return KEYRING_PREFIX + slot;
        } catch (err) {
          options.logger?.warn('the keyring refused the password; it goes to the unencrypted file', { error: (err as Error).message });
        }
      }
      return storeInFile(text, slot);
    },
    decrypt(blob) {
      if (isPlainBlob(blob)) return decodePlainBlob(blob);
      if (blob.startsWith('safe:')) throw new Error('it was encrypted by the desktop app and can only be opened there');
      const slot = blob.slice(blob.indexOf(':') + 1);
      if (!isSecretSlot(slot)) throw new Error('unknown password format');
      if (blob.startsWith(KEYRING_PREFIX)) {
        if (!keyring) throw new Error('the system keyring is not available');
        const value = entry(slot).getPassword();
        if (typeof value !== 'string') throw new Error('the system keyring has no such password');
        return value;
      }
      if (blob.startsWith(FILE_PREFIX)) {
        const value = readFile().secrets[slot];
        if (value === undefined) throw new Error(`${SECRETS_FILE} has no such password`);
        return value;
      }
      throw new Error('unknown password format');
    },
  };
}
