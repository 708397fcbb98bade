// Call recording, the pure parts: the stereo interleaving of sent and heard frames, and file names that
// carry date, direction and peer but nothing a file system or shell could misread.
import { describe, expect, it } from 'vitest';
import { StereoInterleaver, recordingFileName } from '../../../src-main/audio/call-recording';

describe('StereoInterleaver', () => {
  it('puts the sent frame on the left and the heard frame on the right, silence when nothing was sent', () => {
    const out: Int16Array[] = [];
    const rec = new StereoInterleaver({ write: (f) => out.push(f.slice()) });
    rec.sent(new Int16Array(160).fill(7));
    rec.heard(new Int16Array(160).fill(-3));
    rec.heard(new Int16Array(160).fill(5)); // a held call: no sent frame this tick
    expect(out).toHaveLength(2);
    expect(out[0]?.length).toBe(320);
    expect([...(out[0]?.subarray(0, 4) ?? [])]).toEqual([7, -3, 7, -3]);
    expect([...(out[1]?.subarray(0, 4) ?? [])]).toEqual([0, 5, 0, 5]);
  });
});

describe('StereoInterleaver at the call rate (issue 13)', () => {
  it('records a 16 kHz call at 16 kHz when the file is still empty', () => {
    const out: Int16Array[] = [];
    let rate = 8000;
    const rec = new StereoInterleaver({ write: (f) => out.push(f.slice()), get sampleRate() { return rate; }, setSampleRate: (r) => ((rate = r), true) });
    rec.setSampleRate(16000);
    rec.sent(new Int16Array(320).fill(7));
    rec.heard(new Int16Array(320).fill(-3));
    expect(rate).toBe(16000);
    expect(out[0]?.length).toBe(640);
    expect([...(out[0]?.subarray(636) ?? [])]).toEqual([7, -3, 7, -3]);
  });

  it('resamples both sides to the file rate when the file cannot change', () => {
    const out: Int16Array[] = [];
    const rec = new StereoInterleaver({ write: (f) => out.push(f.slice()), sampleRate: 8000, setSampleRate: () => false });
    rec.setSampleRate(16000);
    for (let i = 0; i < 5; i++) {
      rec.sent(new Int16Array(320).fill(1000));
      rec.heard(new Int16Array(320).fill(-1000));
    }
    expect(out.every((f) => f.length === 320)).toBe(true);
    // A constant stays constant through the resampler once its filter is full.
    expect([...(out[4]?.subarray(0, 2) ?? [])]).toEqual([1000, -1000]);
  });
});

describe('recordingFileName', () => {
  const at = new Date(2026, 11, 3, 9, 5, 7);

  it('is local date and time, direction and the peer\'s user@host', () => {
    expect(recordingFileName(at, 'outgoing', 'sip:bob@pbx.example.com:5062;transport=udp')).toBe('2026-12-03_09-05-07_out_bob@pbx.example.com.wav');
    expect(recordingFileName(at, 'incoming', '<sips:+4930123@[2001:db8::1]>')).toBe('2026-12-03_09-05-07_in_+4930123@_2001_db8__1_.wav');
    expect(recordingFileName(at, 'incoming', 'sip:alice@10.0.0.1')).toBe('2026-12-03_09-05-07_in_alice@10.0.0.1.wav');
  });

  it('never lets the peer\'s text make a path, an option or a long name', () => {
    for (const uri of ['sip:../../etc/passwd@x', 'sip:a/b\\c@host', 'sip:-rf@x', `sip:${'x'.repeat(500)}@h`, 'sip:', 'sip:..@..']) {
      const name = recordingFileName(at, 'incoming', uri);
      expect(name, uri).toMatch(/^2026-12-03_09-05-07_in_[A-Za-z0-9@_+][A-Za-z0-9@._+-]{0,63}\.wav$/);
      expect(name).not.toContain('/');
      expect(name).not.toContain('..@');
    }
  });
});
