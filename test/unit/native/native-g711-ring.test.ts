// The native engine's C pieces through the addon: G.711 must equal src-main/codec/g711.ts on every input,
// and the SPSC ring must hand samples across threads in order, none lost or doubled.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alawToLinear, linearToAlaw, linearToUlaw, ulawToLinear } from '../../../src-main/codec/g711';
import { loadNativeAddon, loadNativeMedia, type NativeMediaApi } from '../../../src-main/native/native-addon.node';
import { IN_CI } from '../../support/real-peer-gate';

loadNativeAddon(join(__dirname, '..', '..', '..', 'src-main', 'native'));
const load = loadNativeMedia();
const api: NativeMediaApi | null = load.api;
if (!api && IN_CI) throw new Error(`the native addon must load in CI: ${'error' in load ? load.error : ''}`);

describe.skipIf(!api)('native G.711 (native/src/g711.c)', () => {
  const every = new Int16Array(65536);
  for (let i = 0; i < 65536; i++) every[i] = i - 32768;

  it.each([
    ['µ-law', 0, linearToUlaw, ulawToLinear],
    ['A-law', 1, linearToAlaw, alawToLinear],
  ] as const)('%s encodes all 65536 samples and decodes all 256 codes as g711.ts does', (_name, law, encode, decode) => {
    const codes = api!.g711Encode(law, every);
    const want = Uint8Array.from(every, (s) => encode(s));
    let mismatches = 0;
    for (let i = 0; i < 65536; i++) if (codes[i] !== want[i]) mismatches++;
    expect(mismatches).toBe(0);
    const all = Uint8Array.from({ length: 256 }, (_, c) => c);
    expect(Array.from(api!.g711Decode(law, all))).toEqual(Array.from(all, (c) => decode(c)));
  });

  it('µ-law and A-law differ (the law argument is honoured)', () => {
    const s = Int16Array.of(1000, -1000);
    expect(Array.from(api!.g711Encode(0, s))).not.toEqual(Array.from(api!.g711Encode(1, s)));
  });
});

describe.skipIf(!api)('native SPSC ring (native/src/ring.h)', () => {
  it('carries 2 million samples from a producer thread in order through a 256-sample ring', () => {
    expect(api!.ringCheck(2_000_000, 256)).toEqual({ read: 2_000_000, outOfOrder: 0 });
  });

  it('works at the smallest capacity too (every write and read wraps)', () => {
    expect(api!.ringCheck(20_000, 2)).toEqual({ read: 20_000, outOfOrder: 0 });
  });

  it('rejects a capacity that is not a power of two', () => {
    expect(() => api!.ringCheck(10, 100)).toThrow(/power of two/);
  });
});
