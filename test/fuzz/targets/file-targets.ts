// Disk-format fuzz targets: WAV files (in memory and streamed, as file-device.node.ts reads them) and
// the settings/history JSON files (decode, and a decoded file must survive encode -> decode unchanged).
import { decodeWavData, encodeWav, parseWav, parseWavHeader } from '../../../src-main/audio/wav';
import { decodeHistory, encodeHistory } from '../../../src-main/settings/history';
import { decodeSettings, defaultSettings, encodeSettings, SETTINGS_VERSION } from '../../../src-main/settings/settings-schema';
import { check, isInt, text, utf8, type FuzzTarget } from '../target';

/** parseWav documents Error('not a WAV file: …'); nothing else may come out of it. */
function isWavError(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('not a WAV file:');
}

function wavWithFormat(tag: number, bits: number, channels: number, samples: Uint8Array, extra: Uint8Array = new Uint8Array(0)): Uint8Array {
  const fmtSize = tag === 0xfffe ? 40 : 16;
  const out = new Uint8Array(12 + 8 + fmtSize + extra.length + 8 + samples.length);
  const v = new DataView(out.buffer);
  out.set(utf8.encode('RIFF'), 0);
  v.setUint32(4, out.length - 8, true);
  out.set(utf8.encode('WAVEfmt '), 8);
  v.setUint32(16, fmtSize, true);
  v.setUint16(20, tag, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, 8000, true);
  v.setUint32(28, (8000 * channels * bits) / 8, true);
  v.setUint16(32, (channels * bits) / 8, true);
  v.setUint16(34, bits, true);
  if (tag === 0xfffe) {
    v.setUint16(36, 22, true);
    v.setUint16(38, bits, true);
    v.setUint16(44, 1, true); // SubFormat: PCM
  }
  let o = 20 + fmtSize;
  out.set(extra, o);
  o += extra.length;
  out.set(utf8.encode('data'), o);
  v.setUint32(o + 4, samples.length, true);
  out.set(samples, o + 8);
  return out;
}

export const wavTarget: FuzzTarget = {
  name: 'wav',
  description: 'parseWav, and parseWavHeader + decodeWavData as the streamed file device reads them (wav.ts)',
  seeds: () => {
    const tone = new Int16Array(400).map((_, i) => Math.round(8000 * Math.sin(i / 3)));
    const list = Uint8Array.from([...utf8.encode('LIST'), 4, 0, 0, 0, ...utf8.encode('INFO')]);
    return [
      encodeWav(tone, 8000),
      encodeWav(tone, 48_000, 2),
      wavWithFormat(7, 8, 1, new Uint8Array(200).fill(0xff)),
      wavWithFormat(6, 8, 1, new Uint8Array(200).fill(0xd5), list),
      wavWithFormat(3, 32, 1, new Uint8Array(400)),
      wavWithFormat(1, 24, 2, new Uint8Array(300)),
      wavWithFormat(0xfffe, 16, 1, new Uint8Array(300)),
    ];
  },
  text: false,
  maxBytes: 65_536,
  run(input) {
    try {
      const w = parseWav(input);
      check(isInt(w.channels, 1, 32) && isInt(w.sampleRate, 1000, 384_000), 'WAV format fields out of range');
      check(w.samples.length % w.channels === 0, 'samples are not whole frames');
    } catch (err) {
      if (!isWavError(err)) throw err;
    }
    // The streamed reader: the first bytes, the file's size, then the data chunk piece by piece.
    const head = input.subarray(0, Math.min(input.length, 1024));
    try {
      const layout = parseWavHeader(head, input.length);
      check(layout.frameBytes > 0 && layout.dataStart >= 0 && layout.dataBytes >= 0, 'WAV layout out of range');
      const end = Math.min(input.length, layout.dataStart + layout.dataBytes);
      const bytes = input.subarray(Math.min(layout.dataStart, end), end);
      const usable = bytes.length - (bytes.length % layout.frameBytes);
      decodeWavData(bytes.subarray(0, usable), layout);
    } catch (err) {
      if (!isWavError(err)) throw err;
    }
  },
};

export const settingsTarget: FuzzTarget = {
  name: 'settings',
  description: 'settings.json through decodeSettings (every migration); a file that decodes must re-encode to one that decodes the same',
  seeds: () => {
    const withAccount = {
      ...defaultSettings(),
      account: {
        accountName: 'Work', userId: 'alice', domain: 'example.com', displayName: 'Alice', authorizationName: '', registerWithDomain: true,
        sendOutboundVia: 'domain', proxyAddress: '', dialPlan: '', registerExpires: 3600, passwordBlob: 'plain:c2VjcmV0',
      },
    };
    const v1 = { version: 1, account: null, preferences: { sipPort: 5060, rtpPortMin: 10001, rtpPortMax: 10100 } };
    return [encodeSettings(defaultSettings()), JSON.stringify(withAccount), JSON.stringify(v1), '{}', JSON.stringify({ version: SETTINGS_VERSION })].map((s) => utf8.encode(s));
  },
  text: true,
  maxBytes: 65_536,
  run(input) {
    const decoded = decodeSettings(text(input));
    if (!decoded.ok) {
      check(typeof decoded.reason === 'string' && decoded.reason.length > 0, 'a refused settings file has no reason');
      return;
    }
    const again = decodeSettings(encodeSettings(decoded.settings));
    check(again.ok, `a decoded settings file does not decode after saving: ${again.ok ? '' : again.reason}`);
    check(JSON.stringify(again.settings) === JSON.stringify(decoded.settings), 'settings change when saved and loaded again');
  },
};

export const historyTarget: FuzzTarget = {
  name: 'history',
  description: 'history.json through decodeHistory; a file that decodes must re-encode to one that decodes the same',
  seeds: () => {
    const entries = [
      { id: 'c1', direction: 'outgoing', missed: false, remoteUri: 'sip:bob@example.com', remoteDisplayName: 'Bob', startedAt: 1_764_000_000_000, durationSeconds: 12, endReason: 'hung up' },
      { id: 'c2', direction: 'incoming', missed: true, remoteUri: 'sip:carol@example.com', remoteDisplayName: '', startedAt: 1_764_000_100_000, durationSeconds: 0, endReason: 'missed' },
    ];
    return [JSON.stringify({ version: 1, entries }), JSON.stringify({ version: 1, entries: [] })].map((s) => utf8.encode(s));
  },
  text: true,
  maxBytes: 65_536,
  run(input) {
    const decoded = decodeHistory(text(input));
    if (!decoded.ok) return;
    const again = decodeHistory(encodeHistory(decoded.entries));
    check(again.ok, 'a decoded history does not decode after saving');
    check(JSON.stringify(again.entries) === JSON.stringify(decoded.entries), 'history changes when saved and loaded again');
  },
};
