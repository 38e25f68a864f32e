/**
 * A small, strict DER reader (X.690): just what SPNEGO and Kerberos messages need. Every read is
 * bounds-checked; malformed input throws DerError, never reads past the buffer. Indefinite lengths
 * (BER) are refused: SPNEGO and Kerberos tokens are DER.
 */

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** One tag-length-value element. */
export interface Tlv {
  /** 0 universal, 1 application, 2 context-specific, 3 private. */
  cls: number;
  constructed: boolean;
  /** Tag number (low-tag or high-tag form). */
  tag: number;
  /** The value bytes. */
  value: Buffer;
  /** Bytes the whole element took (header + value). */
  size: number;
}

export const UNIVERSAL = 0;
export const APPLICATION = 1;
export const CONTEXT = 2;

/** Reads the element at `offset`. */
export function readTlv(buf: Buffer, offset = 0): Tlv {
  let p = offset;
  const need = (n: number) => {
    if (p + n > buf.length) throw new DerError(`truncated at byte ${p} (need ${n} more of ${buf.length})`);
  };
  need(1);
  const first = buf.readUInt8(p++);
  const cls = first >> 6;
  const constructed = (first & 0x20) !== 0;
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    for (let i = 0; ; i++) {
      need(1);
      const b = buf.readUInt8(p++);
      tag = tag * 128 + (b & 0x7f);
      if (!(b & 0x80)) break;
      if (i >= 3) throw new DerError('tag number too large');
    }
  }
  need(1);
  let len = buf.readUInt8(p++);
  if (len === 0x80) throw new DerError('indefinite length (BER) is not DER');
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n > 4) throw new DerError(`length of ${n} bytes is too large`);
    need(n);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf.readUInt8(p++);
  }
  need(len);
  return { cls, constructed, tag, value: buf.subarray(p, p + len), size: p + len - offset };
}

/** The children of a constructed element, in order. */
export function children(tlv: Tlv): Tlv[] {
  if (!tlv.constructed) throw new DerError(`tag ${tlv.tag} is primitive, expected a constructed element`);
  const out: Tlv[] = [];
  let p = 0;
  while (p < tlv.value.length) {
    const c = readTlv(tlv.value, p);
    out.push(c);
    p += c.size;
    if (out.length > 4096) throw new DerError('too many elements');
  }
  return out;
}

/** Reads exactly one element filling `buf` (trailing bytes are an error). */
export function readWhole(buf: Buffer): Tlv {
  const t = readTlv(buf, 0);
  if (t.size !== buf.length) throw new DerError(`${buf.length - t.size} trailing bytes after the element`);
  return t;
}

/** Expects tag class and number. */
export function expectTag(t: Tlv, cls: number, tag: number, what: string): Tlv {
  if (t.cls !== cls || t.tag !== tag) throw new DerError(`${what}: expected ${['universal', 'application', 'context', 'private'][cls]} tag ${tag}, found ${['universal', 'application', 'context', 'private'][t.cls]} tag ${t.tag}`);
  return t;
}

/** The fields of a SEQUENCE whose members are context-tagged [n] EXPLICIT: n → inner element. */
export function explicitFields(seq: Tlv, what: string): Map<number, Tlv> {
  expectTag(seq, UNIVERSAL, 16, what);
  const out = new Map<number, Tlv>();
  for (const c of children(seq)) {
    if (c.cls !== CONTEXT) throw new DerError(`${what}: unexpected ${c.cls === UNIVERSAL ? 'universal' : 'non-context'} field`);
    const inner = children(c);
    const [only] = inner;
    if (!only || inner.length !== 1) throw new DerError(`${what}: field [${c.tag}] holds ${inner.length} elements`);
    out.set(c.tag, only);
  }
  return out;
}

export function required(fields: Map<number, Tlv>, n: number, what: string): Tlv {
  const f = fields.get(n);
  if (!f) throw new DerError(`${what}: field [${n}] is missing`);
  return f;
}

/** INTEGER (also ENUMERATED) as a safe JS number. */
export function readInt(t: Tlv, what = 'INTEGER'): number {
  if (t.cls !== UNIVERSAL || (t.tag !== 2 && t.tag !== 10)) throw new DerError(`${what}: not an INTEGER`);
  if (!t.value.length || t.value.length > 6) throw new DerError(`${what}: ${t.value.length}-byte integer`);
  let v = t.value.readUInt8(0) & 0x80 ? -1 : 0; // two's complement: a leading 1 bit starts from -1
  for (const b of t.value) v = v * 256 + b;
  return v;
}

/** OBJECT IDENTIFIER in dotted form. */
export function readOid(t: Tlv): string {
  expectTag(t, UNIVERSAL, 6, 'OBJECT IDENTIFIER');
  if (!t.value.length) throw new DerError('empty OBJECT IDENTIFIER');
  const parts: number[] = [];
  let v = 0;
  for (const b of t.value) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const a = first < 40 ? 0 : first < 80 ? 1 : 2;
  return [a, first - a * 40, ...parts].join('.');
}

/** GeneralString / UTF8String / IA5String etc. (Kerberos strings are ASCII in practice). */
export function readString(t: Tlv): string {
  if (t.cls !== UNIVERSAL || ![12, 19, 22, 26, 27].includes(t.tag)) throw new DerError(`expected a string, found tag ${t.tag}`);
  return t.value.toString('utf8');
}

export function readOctets(t: Tlv): Buffer {
  expectTag(t, UNIVERSAL, 4, 'OCTET STRING');
  return t.value;
}

/** KerberosTime (GeneralizedTime `YYYYMMDDHHMMSSZ`) as ISO-8601. */
export function readTime(t: Tlv): string {
  expectTag(t, UNIVERSAL, 24, 'GeneralizedTime');
  const s = t.value.toString('latin1');
  const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.\d+)?Z$/.exec(s);
  if (!m) throw new DerError(`GeneralizedTime "${s.slice(0, 20)}" is not UTC`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  if (Number.isNaN(d.getTime())) throw new DerError(`GeneralizedTime "${s}" is not a date`);
  return d.toISOString();
}
