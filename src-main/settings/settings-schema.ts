// Layout of settings.json (schema version, account incl. the password blob, preferences, the TURN
// password blob) and the pure migrations that bring an older file up to the current version.
import { z } from 'zod';
import { accountIdSchema, accountSchema, preferencesSchema, type AccountForm, type Preferences } from '../ipc/contract';

/** 2: Topology tab (STUN/TURN/ICE, keep-alives) and the TURN password blob; RTP ranges start on an even port. */
export const SETTINGS_VERSION = 2;

/** The account as stored: the contract's form fields, the password only as a SecretBox blob. */
/**
 * The id of an account stored without one: the single account of files from before issue 11 (and of
 * cores that never had a second one). Its password keeps the old 'sip-password' slot.
 */
export const FIRST_ACCOUNT_ID = 'account-1';

export const storedAccountSchema = accountSchema.omit({ password: true }).extend({
  /** SecretBox output; '' = no password stored. */
  passwordBlob: z.string().max(8192),
  // Issue 11 (several accounts), optional so files and code from before it stay valid:
  /** Absent = FIRST_ACCOUNT_ID (only ever the default account goes without one). */
  id: accountIdSchema.optional(),
  /** Absent = true: the account runs a user agent (registers when it says so). */
  enabled: z.boolean().optional(),
});
export type StoredAccount = z.infer<typeof storedAccountSchema>;

/** An account besides the default one: always with its id. */
export const storedOtherAccountSchema = storedAccountSchema.extend({ id: accountIdSchema });
export type StoredOtherAccount = z.infer<typeof storedOtherAccountSchema>;

/** X-Lite and Zoiper hold a handful of accounts; a bound keeps a hostile file from starting hundreds of sockets. */
export const MAX_ACCOUNTS = 8;

export const settingsFileSchema = z.object({
  version: z.literal(SETTINGS_VERSION),
  /** The default account (outgoing calls without a chosen account; `account.get`/`account.save`). */
  account: storedAccountSchema.nullable(),
  /**
   * Issue 11: the other accounts, in the order the user added them; absent = none. Additive rather than
   * a new list with a version bump, so everything written for the single account keeps meaning the
   * default one, and older files need no migration.
   */
  otherAccounts: z.array(storedOtherAccountSchema).max(MAX_ACCOUNTS - 1).optional(),
  preferences: preferencesSchema,
  /**
   * The TURN password as a SecretBox blob ('' = none), kept beside the preferences rather than in them so
   * that handing the preferences to the UI can never carry it along.
   */
  turnPasswordBlob: z.string().max(8192),
});
export type SettingsFile = z.infer<typeof settingsFileSchema>;

export const DEFAULT_PREFERENCES: Preferences = {
  language: 'system',
  inputDevice: null,
  outputDevice: null,
  echoCancellation: true,
  // X-Lite listens on 5060 so direct-IP calls reach it without a port; the core falls back to any
  // free port when 5060 is taken.
  sipPort: 5060,
  rtpPortMin: 10000,
  rtpPortMax: 20000,
  stunServer: '',
  turnServer: '',
  turnUser: '',
  // ICE only helps when the peer does it too; off keeps plain symmetric RTP, as before issue 4.
  iceEnabled: false,
  // OPTIONS get an answer, so a lost NAT binding is noticed; 25 s stays under the 30 s UDP timeout of
  // many home routers (RFC 5626 §4.4.1 suggests 95-120 s, too long for those).
  keepAliveMethod: 'options',
  keepAliveSeconds: 25,
};

export const DEFAULT_ACCOUNT: Omit<AccountForm, 'password'> = {
  accountName: '',
  userId: '',
  domain: '',
  displayName: '',
  authorizationName: '',
  registerWithDomain: true,
  sendOutboundVia: 'domain',
  proxyAddress: '',
  dialPlan: '',
  // RFC 3261 §10.2.1.1: 3600 s is the registrar's default when the client asks for none.
  registerExpires: 3600,
  // Issue 9's authRealms, refuseMd5WithoutQop and allowDirectCalls stay absent until set: absent means
  // the safe default ([] / false / false), and files without them need no migration.
};

export function defaultSettings(): SettingsFile {
  return { version: SETTINGS_VERSION, account: null, preferences: { ...DEFAULT_PREFERENCES }, turnPasswordBlob: '' };
}

type Migration = (old: Record<string, unknown>) => Record<string, unknown>;

/**
 * Migrations keyed by the version they read; each returns the next version's layout. Version 0 is a
 * file without a `version` field (pre-release builds, hand-written files): the same layout as v1.
 */
export const settingsMigrations: Record<number, Migration> = {
  0: (old) => ({ ...old, version: 1 }),
  // The Topology fields are filled with their defaults below like any new field; no TURN password yet.
  1: (old) => ({ ...old, version: 2, turnPasswordBlob: '', preferences: isRecord(old.preferences) ? evenRtpRange(old.preferences) : old.preferences }),
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Version 1 accepted any RTP range; RTP takes an even port and RTCP the next one (RFC 3550 §11), so the
 * first port moves up to the next even one. A range left without room for one pair gets the defaults.
 */
function evenRtpRange(prefs: Record<string, unknown>): Record<string, unknown> {
  const { rtpPortMin: min, rtpPortMax: max } = prefs;
  if (typeof min !== 'number' || !Number.isInteger(min) || min % 2 === 0) return prefs;
  const even = min + 1;
  if (typeof max === 'number' && max >= even + 1) return { ...prefs, rtpPortMin: even };
  return { ...prefs, rtpPortMin: DEFAULT_PREFERENCES.rtpPortMin, rtpPortMax: DEFAULT_PREFERENCES.rtpPortMax };
}

export type SettingsDecode =
  | { ok: true; settings: SettingsFile; migratedFrom: number | null }
  | { ok: false; reason: string };

/**
 * Brings parsed JSON to the current layout and validates it. Fields added since the file was written
 * take their defaults (so a new optional setting never makes an old file "corrupt"); a wrong type or
 * an unknown future version is a failure, and the caller keeps the file aside.
 */
export function migrateSettings(raw: unknown): SettingsDecode {
  if (!isRecord(raw)) return { ok: false, reason: 'not a JSON object' };
  let version = raw.version === undefined ? 0 : raw.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    return { ok: false, reason: `bad version field: ${JSON.stringify(version).slice(0, 40)}` };
  }
  if (version > SETTINGS_VERSION) {
    return { ok: false, reason: `written by a newer version of the app (settings version ${version})` };
  }
  const from = version;
  let data: Record<string, unknown> = raw;
  while (version < SETTINGS_VERSION) {
    const step = settingsMigrations[version];
    if (!step) return { ok: false, reason: `no migration from settings version ${version}` };
    data = step(data);
    version += 1;
  }
  const account = isRecord(data.account) ? { ...DEFAULT_ACCOUNT, passwordBlob: '', ...data.account } : data.account ?? null;
  const preferences = isRecord(data.preferences) ? { ...DEFAULT_PREFERENCES, ...data.preferences } : DEFAULT_PREFERENCES;
  const turnPasswordBlob = data.turnPasswordBlob ?? '';
  const otherAccounts = Array.isArray(data.otherAccounts)
    ? data.otherAccounts.map((a: unknown) => (isRecord(a) ? { ...DEFAULT_ACCOUNT, passwordBlob: '', ...a } : a))
    : data.otherAccounts;
  const parsed = settingsFileSchema
    .superRefine((file, ctx) => {
      const problem = accountIdProblem(file);
      if (problem) ctx.addIssue({ code: 'custom', path: ['otherAccounts'], message: problem });
    })
    .safeParse({ ...data, account, ...(otherAccounts !== undefined ? { otherAccounts } : {}), preferences, turnPasswordBlob });
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, reason: first ? `${first.path.join('.') || 'file'}: ${first.message}` : 'invalid settings' };
  }
  return { ok: true, settings: parsed.data, migratedFrom: from === SETTINGS_VERSION ? null : from };
}

/** Two accounts with one id would share a password slot and a registration: the file is refused. */
function accountIdProblem(file: SettingsFile): string | null {
  const others = file.otherAccounts ?? [];
  if (others.length > 0 && !file.account) return 'other accounts without a default account';
  const ids = [file.account ? (file.account.id ?? FIRST_ACCOUNT_ID) : null, ...others.map((a) => a.id)].filter((id): id is string => id !== null);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  return dup ? `account id ${dup} is used twice` : null;
}

/** Parses settings.json text. */
export function decodeSettings(text: string): SettingsDecode {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not valid JSON (${(err as Error).message.slice(0, 100)})` };
  }
  return migrateSettings(raw);
}

export function encodeSettings(settings: SettingsFile): string {
  return JSON.stringify(settings, null, 2) + '\n';
}
