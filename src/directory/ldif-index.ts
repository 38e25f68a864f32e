/**
 * The LDIF directory's index structures (issue 15: a 200 000-object export in bounded memory): byte
 * ranges in one typed array, DN keys as 30-bit hashes (small integers) confirmed against the entry read back, and
 * hit lists that stay a plain number for the usual single entry.
 */

/** Where an indexed entry is in the file. */
export interface Slot {
  start: number;
  end: number;
  line: number;
}

/** Several index entries may share a key (two accounts with one SPN): one slot or a list. */
export type Hits = number | number[];

export function addHit<K>(map: Map<K, Hits>, key: K, idx: number): void {
  const cur = map.get(key);
  if (cur === undefined) map.set(key, idx);
  else if (typeof cur === 'number') {
    if (cur !== idx) map.set(key, [cur, idx]);
  } else if (!cur.includes(idx)) cur.push(idx);
}
export const hitsOf = (h: Hits | undefined): number[] => (h === undefined ? [] : typeof h === 'number' ? [h] : h);

/** Byte ranges of the indexed entries, three numbers each in one growing typed array (not an object per entry). */
export class Slots {
  private a = new Float64Array(3 * 1024);
  length = 0;
  push(start: number, end: number, line: number): number {
    if (3 * this.length + 3 > this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    const at = 3 * this.length;
    this.a[at] = start;
    this.a[at + 1] = end;
    this.a[at + 2] = line;
    return this.length++;
  }
  get(i: number): Slot | undefined {
    if (!(i >= 0 && i < this.length)) return undefined;
    return { start: this.a[3 * i]!, end: this.a[3 * i + 1]!, line: this.a[3 * i + 2]! };
  }
}

/** A 30-bit hash (a small integer) of a lower-cased DN: the DN index keeps numbers, and a hit is confirmed by the entry read back. */
export function dnKey(dn: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < dn.length; i++) {
    let c = dn.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h & 0x3fffffff;
}
