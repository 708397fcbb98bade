// Three-way conference mixing (issue 11, point 4): what we send on one call is our microphone plus what
// the other call's party said, added sample by sample with saturation so loud speech clips instead of
// wrapping around (an Int16Array store wraps modulo 2^16: +30000 + 10000 would become -25536). Pure.

/** dst[i] = clamp(dst[i] + src[i]) over the shorter of the two. */
export function mixSaturating(dst: Int16Array, src: Int16Array): void {
  const n = Math.min(dst.length, src.length);
  for (let i = 0; i < n; i++) {
    const v = (dst[i] as number) + (src[i] as number);
    dst[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
}
