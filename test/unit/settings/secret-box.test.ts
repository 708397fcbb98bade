// The headless SecretBox: marker-prefixed, reversible (it is not encryption), UTF-8 safe.
import { describe, expect, it } from 'vitest';
import { createPlainSecretBox, decodePlainBlob, isPlainBlob } from '../../../src-main/settings/secret-box';

describe('plain secret box', () => {
  it('encodes behind the marker and decodes back, including non-ASCII text', () => {
    const box = createPlainSecretBox();
    expect(box.available).toBe(false);
    for (const password of ['secret', 'p@ss:w0rd;=', '비밀번호', '']) {
      const blob = box.encrypt(password, 'sip-password');
      expect(blob.startsWith('plain:')).toBe(true);
      expect(isPlainBlob(blob)).toBe(true);
      if (password) expect(blob).not.toContain(password);
      expect(box.decrypt(blob)).toBe(password);
      expect(decodePlainBlob(blob)).toBe(password);
    }
  });

  it('refuses blobs it did not write', () => {
    const box = createPlainSecretBox();
    expect(() => box.decrypt('safe:AAAA')).toThrow(/not a plain/);
    expect(() => box.decrypt('plain:@@@')).toThrow();
  });
});
