/* G.711 per the ITU-T G.191 STL reference: per-sample functions build 64 KiB encode tables per law
   once, so the real-time path is one lookup per sample (the same design as src-main/codec/g711.ts). */
#include "g711.h"

static uint8_t ulaw_enc[65536];
static uint8_t alaw_enc[65536];
static int16_t ulaw_dec[256];
static int16_t alaw_dec[256];
static int ready = 0;

static int bit_length(unsigned v) {
  int n = 0;
  while (v) { n++; v >>= 1; }
  return n;
}

/* STL alaw_compress: 13-bit magnitude (one's complement for negatives), even-bit inversion. */
static uint8_t linear_to_alaw(int16_t s) {
  int ix = s < 0 ? (~s) >> 4 : s >> 4;
  if (ix > 15) {
    int exp = bit_length((unsigned)ix) - 4; /* ix in [16,2047] -> 1..7 */
    ix = (exp << 4) | ((ix >> (exp - 1)) & 0x0f);
  }
  if (s >= 0) ix |= 0x80;
  return (uint8_t)(ix ^ 0x55);
}

static int16_t alaw_to_linear(uint8_t c) {
  int ix = (c ^ 0x55) & 0x7f;
  int exp = ix >> 4;
  int mant = ix & 0x0f;
  if (exp > 0) mant += 16;
  mant = (mant << 4) + 8;
  if (exp > 1) mant <<= exp - 1;
  return (int16_t)(c > 127 ? mant : -mant);
}

/* STL ulaw_compress: 14-bit magnitude plus the bias of 33. */
static uint8_t linear_to_ulaw(int16_t s) {
  int absno = (s < 0 ? (~s) >> 2 : s >> 2) + 33;
  if (absno > 0x1fff) absno = 0x1fff;
  int segno = bit_length((unsigned)(absno >> 6)) + 1;
  int high = 8 - segno;
  int low = 0x0f - ((absno >> segno) & 0x0f);
  int code = (high << 4) | low;
  return (uint8_t)(s >= 0 ? code | 0x80 : code);
}

static int16_t ulaw_to_linear(uint8_t c) {
  int inv = ~c;
  int exponent = (inv >> 4) & 0x07;
  int mantissa = inv & 0x0f;
  int step = 4 << (exponent + 1);
  int magnitude = (0x80 << exponent) + step * mantissa + step / 2 - 4 * 33;
  return (int16_t)(c < 0x80 ? -magnitude : magnitude);
}

void g711_init(void) {
  if (ready) return;
  for (int i = 0; i < 65536; i++) {
    int16_t s = (int16_t)(uint16_t)i;
    ulaw_enc[i] = linear_to_ulaw(s);
    alaw_enc[i] = linear_to_alaw(s);
  }
  for (int c = 0; c < 256; c++) {
    ulaw_dec[c] = ulaw_to_linear((uint8_t)c);
    alaw_dec[c] = alaw_to_linear((uint8_t)c);
  }
  ready = 1;
}

void g711_encode(int law, const int16_t *pcm, uint8_t *out, size_t n) {
  const uint8_t *t = law == G711_ALAW ? alaw_enc : ulaw_enc;
  for (size_t i = 0; i < n; i++) out[i] = t[(uint16_t)pcm[i]];
}

void g711_decode(int law, const uint8_t *in, int16_t *pcm, size_t n) {
  const int16_t *t = law == G711_ALAW ? alaw_dec : ulaw_dec;
  for (size_t i = 0; i < n; i++) pcm[i] = t[in[i]];
}
