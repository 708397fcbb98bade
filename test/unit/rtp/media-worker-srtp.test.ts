// The worker boundary checks SRTP parameters and statistics like everything else that crosses it.
import { describe, expect, it } from 'vitest';
import { checkStartParams, checkStats, emptyStats } from '../../../src-main/rtp/media-worker-protocol';

const key = Buffer.alloc(30, 1).toString('base64');
const base = { remoteAddress: '127.0.0.1', remotePort: 4000, codec: 'PCMU', payloadType: 0, ptime: 20 };

describe('worker protocol: srtp', () => {
  it('passes valid SRTP parameters through, MKI included', () => {
    const srtp = { suite: 'AES_CM_128_HMAC_SHA1_32', localKey: key, remoteKey: key.replace('A', 'B'), remoteMki: { value: 3, length: 1 } };
    expect(checkStartParams({ ...base, srtp })).toEqual({ ok: true, value: { ...base, srtp } });
  });

  it('refuses unknown suites, bad keys and MKIs, without echoing a key', () => {
    const bad = [
      { suite: 'AES_256_CM_HMAC_SHA1_80', localKey: key, remoteKey: key },
      { suite: 'AES_CM_128_HMAC_SHA1_80', localKey: key.slice(0, 30), remoteKey: key },
      { suite: 'AES_CM_128_HMAC_SHA1_80', localKey: key, remoteKey: 42 },
      { suite: 'AES_CM_128_HMAC_SHA1_80', localKey: key, remoteKey: key, remoteMki: { value: 256, length: 1 } },
      'AES_CM_128_HMAC_SHA1_80',
    ];
    for (const srtp of bad) {
      const r = checkStartParams({ ...base, srtp });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).not.toContain(key.slice(0, 20));
    }
  });

  it('accepts SRTP statistics and refuses malformed ones', () => {
    const stats = { ...emptyStats(), srtp: { suite: 'AES_CM_128_HMAC_SHA1_80', authFailures: 2, replayed: 0 } };
    expect(checkStats(stats).ok).toBe(true);
    expect(checkStats({ ...stats, srtp: { suite: 'x', authFailures: 0, replayed: 0 } }).ok).toBe(false);
    expect(checkStats({ ...stats, srtp: { suite: 'AES_CM_128_HMAC_SHA1_80', authFailures: -1, replayed: 0 } }).ok).toBe(false);
  });
});
