/* ITU-T G.711 µ-law and A-law (G.191 STL algorithm, bit-exact with src-main/codec/g711.ts), table-driven. */
#ifndef SOFTPHONE_G711_H
#define SOFTPHONE_G711_H
#include <stddef.h>
#include <stdint.h>

enum { G711_ULAW = 0, G711_ALAW = 1 };

/* Builds the tables; call once before any other function (idempotent, not thread-safe on first call). */
void g711_init(void);
void g711_encode(int law, const int16_t *pcm, uint8_t *out, size_t n);
void g711_decode(int law, const uint8_t *in, int16_t *pcm, size_t n);

#endif
