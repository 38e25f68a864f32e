/**
 * `--json` output in pieces: the same text as `JSON.stringify(value, null, 2)`, byte for byte, but a
 * long array is written one element at a time. A forest-wide `krb etypes` document (20 000 accounts
 * with reasons and fixes, ≈ 40 MB) then never exists as one string next to the objects it came from
 * (BENCHMARKS.md: that string and its garbage collection were most of the CLI's own time).
 */

/** Arrays at least this long are split; shorter values are stringified whole. */
const SPLIT_AT = 64;

/** Indent every line after the first of a JSON.stringify(…, null, 2) text by `pad`. */
const reindent = (text: string, pad: string) => (pad && text.includes('\n') ? text.replace(/\n/g, `\n${pad}`) : text);

/** The value JSON.stringify would write (toJSON applied), or undefined when it would leave it out. */
function jsonValue(v: unknown, key: string): unknown {
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') return (v as { toJSON(k: string): unknown }).toJSON(key);
  return v;
}

const omitted = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

/** Chunks whose concatenation is `JSON.stringify(value, null, 2)` (undefined for a top-level undefined). */
export function* jsonChunks(value: unknown, pad = '', key = ''): Generator<string> {
  const v = jsonValue(value, key);
  if (Array.isArray(v) && v.length >= SPLIT_AT) {
    yield '[\n';
    for (let i = 0; i < v.length; i++) {
      const el = jsonValue(v[i], String(i));
      yield `${pad}  `;
      if (omitted(el)) yield 'null';
      else yield* jsonChunks(el, `${pad}  `, String(i));
      yield i < v.length - 1 ? ',\n' : '\n';
    }
    yield `${pad}]`;
    return;
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && hasLongArray(v as Record<string, unknown>)) {
    const entries = Object.entries(v as Record<string, unknown>).filter(([k, x]) => !omitted(jsonValue(x, k)));
    if (!entries.length) {
      yield '{}';
      return;
    }
    yield '{\n';
    for (const [i, [k, x]] of entries.entries()) {
      yield `${pad}  ${JSON.stringify(k)}: `;
      yield* jsonChunks(x, `${pad}  `, k);
      yield i < entries.length - 1 ? ',\n' : '\n';
    }
    yield `${pad}}`;
    return;
  }
  const text = JSON.stringify(v, null, 2) as string | undefined;
  if (text !== undefined) yield reindent(text, pad);
}

/** Whether a long array sits directly in this object (only then is it worth splitting here). */
function hasLongArray(o: Record<string, unknown>): boolean {
  for (const x of Object.values(o)) if (Array.isArray(x) && x.length >= SPLIT_AT) return true;
  return false;
}

/** Writes `value` as `JSON.stringify(value, null, 2)` plus a newline, in pieces of about 64 KB. */
export function writeJson(value: unknown, out: (s: string) => void): void {
  let buf = '';
  for (const chunk of jsonChunks(value)) {
    buf += chunk;
    if (buf.length >= 65_536) {
      out(buf);
      buf = '';
    }
  }
  out(`${buf}\n`);
}
