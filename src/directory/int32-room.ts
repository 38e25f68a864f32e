/**
 * Room in a growing typed array (the LDIF scanner's SPN ranges, the index's tables): the same array
 * while `needed` fits, else a copy of twice the size, or `needed`, or the size the caller expects to
 * end with (the index pass knows how much of the file it has read), whichever is largest.
 */
type Growable = Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | Float64Array<ArrayBuffer> | Uint8Array<ArrayBuffer>;
export function withRoom<T extends Growable>(a: T, needed: number, expected = 0): T {
  if (needed <= a.length) return a;
  const bigger = new (a.constructor as new (n: number) => T)(Math.max(needed, 2 * a.length, Math.ceil(expected)));
  bigger.set(a as never);
  return bigger;
}

/** `a` with `src` written from index `at` on, grown as withRoom grows it (`scale`: the final size expected over `at + src.length`). */
export function putAt<T extends Growable>(a: T, at: number, src: ArrayLike<number>, scale = 1): T {
  const need = at + src.length;
  const out = withRoom(a, need, need * scale);
  out.set(src as never, at);
  return out;
}
