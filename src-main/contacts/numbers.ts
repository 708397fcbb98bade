// Phone numbers as imported: keep digits and the separators people write, drop anything else; a value
// with no digit left is no number.
import { phoneNumberSchema } from './contact-schema';

/** The number tidied for the contact list, or null when nothing dialable is in it. */
export function cleanNumber(raw: string): string | null {
  const kept = raw
    .replace(/[^0-9+*#().\- /pwPW]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 64);
  if (!/[0-9]/.test(kept)) return null;
  return phoneNumberSchema.safeParse(kept).success ? kept : null;
}
