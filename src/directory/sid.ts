/** Binary security identifiers and GUIDs as AD stores them, to and from their text forms. */

/** Binary objectSid → S-1-5-21-… */
export function sidToString(buf: Buffer): string {
  const revision = buf.readUInt8(0);
  const count = buf.readUInt8(1);
  const authority = buf.readUIntBE(2, 6);
  const subs: number[] = [];
  for (let i = 0; i < count; i++) subs.push(buf.readUInt32LE(8 + 4 * i));
  return `S-${revision}-${authority}${subs.map((s) => `-${s}`).join('')}`;
}

export function sidToBuffer(sid: string): Buffer {
  const parts = sid.split('-').slice(1).map(Number);
  const [revision = NaN, authority = NaN, ...subs] = parts;
  const buf = Buffer.alloc(8 + 4 * subs.length);
  buf[0] = revision;
  buf[1] = subs.length;
  buf.writeUIntBE(authority, 2, 6);
  subs.forEach((s, i) => buf.writeUInt32LE(s, 8 + 4 * i));
  return buf;
}

/** A GUID as AD stores it (little-endian first three groups) → its usual text form. */
export function guidToString(b: Buffer): string {
  const hex = (x: Buffer) => x.toString('hex');
  return [hex(Buffer.from(b.subarray(0, 4)).reverse()), hex(Buffer.from(b.subarray(4, 6)).reverse()), hex(Buffer.from(b.subarray(6, 8)).reverse()), hex(b.subarray(8, 10)), hex(b.subarray(10, 16))].join('-');
}
