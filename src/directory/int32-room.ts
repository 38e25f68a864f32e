/**
 * Room in a growing Int32Array (the LDIF scanner's SPN ranges, the index's key/entry pairs and
 * arena ends): the same array while `needed` fits, else a copy of twice the size (or `needed`).
 */
export function withRoom(a: Int32Array<ArrayBuffer>, needed: number): Int32Array<ArrayBuffer> {
  if (needed <= a.length) return a;
  const bigger = new Int32Array(Math.max(needed, 2 * a.length));
  bigger.set(a);
  return bigger;
}
