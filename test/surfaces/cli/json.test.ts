/**
 * The CLI's streamed --json must be exactly what JSON.stringify(value, null, 2) writes: scripts
 * parse it and diff it between runs.
 */
import { describe, expect, it } from 'vitest';
import { jsonChunks, writeJson } from '../../../src/surfaces/cli/json.js';

const account = (i: number) => ({
  sAMAccountName: `svc-f${i}`,
  kind: 'user',
  spns: [`HTTP/fapp${i}.contoso.test`, `HTTP/fapp${i}`],
  supportedEncryptionTypes: { value: i % 3 ? null : 4, hex: i % 3 ? undefined : '0x4', names: [] as string[] },
  pwdLastSet: i % 2 ? null : new Date(Date.UTC(2020, 0, 1 + (i % 28))),
  reasons: [`reason "${i}" with \\ and \n newline`, 'é ✓ 𝄞'],
  fix: { summary: 'Set-ADUser', commands: Array.from({ length: i % 70 }, (_, k) => `cmd ${k}`) },
  skip: undefined,
  fn: () => 1,
});

const docs: [string, unknown][] = [
  ['an etypes-like document with 2 000 accounts', { aesSince: '2008-01-01T00:00:00.000Z', krbtgt: account(0), accounts: Array.from({ length: 2000 }, (_, i) => account(i)) }],
  ['an empty long-array-free object', { a: [], b: {}, c: null, d: 'x' }],
  ['a top-level long array with holes and undefined', Array.from({ length: 100 }, (_, i) => (i % 7 === 0 ? undefined : i % 5 === 0 ? [] : { i, nested: Array.from({ length: 65 }, (_, k) => k) }))],
  ['arrays exactly at the split size', { exact: Array.from({ length: 64 }, (_, i) => i), below: Array.from({ length: 63 }, (_, i) => i) }],
  ['scalars', 'text'],
  ['null', null],
];

describe('streamed --json', () => {
  it.each(docs)('is byte-identical to JSON.stringify(…, null, 2): %s', (_name, doc) => {
    expect([...jsonChunks(doc)].join('')).toBe(JSON.stringify(doc, null, 2));
    const out: string[] = [];
    writeJson(doc, (s) => out.push(s));
    expect(out.join('')).toBe(`${JSON.stringify(doc, null, 2)}\n`);
  });

  it('writes a big document in pieces, never as one string', () => {
    const doc = { accounts: Array.from({ length: 5000 }, (_, i) => account(i)) };
    const out: string[] = [];
    writeJson(doc, (s) => out.push(s));
    expect(out.length).toBeGreaterThan(10);
    expect(Math.max(...out.map((s) => s.length))).toBeLessThan(65_536 + 20_000);
  });
});
