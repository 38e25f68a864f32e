/**
 * An export of the Samba lab, taken with the real `ldapsearch -LLL` (folded lines, base64 values)
 * and reshaped as ldifde writes it (CRLF, `changetype: add`), answers `spn list|query|dupes`
 * exactly as the live DC does. Only where the answer came from (`server`) and the time taken differ.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { EXPORT_ACCOUNT_ATTRIBUTES, EXPORT_ACCOUNT_FILTER, EXPORT_CONFIG_ATTRIBUTES, EXPORT_CONFIG_FILTER } from '../../src/directory/export-commands.js';
import { labEnv, type Lab } from '../helpers/lab-env.js';
import { run } from '../lab/lab.js';

let lab: Lab;
let ldapsearchFile: string;
let ldifdeFile: string;
const saved = { ...process.env };

async function ldapsearch(base: string, filter: string, attrs: string[]): Promise<string> {
  // No -o ldif-wrap=no: the export keeps ldapsearch's folding at 76 columns.
  const r = await run('ldapsearch', ['-LLL', '-x', '-H', lab.ldapsUrl, '-D', lab.bindUpn, '-w', lab.bindPassword, '-E', 'pr=500/noprompt', '-b', base, filter, ...attrs], {
    env: { ...process.env, LDAPTLS_CACERT: lab.caFile, LDAPTLS_REQCERT: 'demand' },
  });
  if (!r.ok) throw new Error(`ldapsearch failed (${r.exitCode}): ${r.stderr}`);
  return r.stdout;
}

/** ldifde's shape, derived without krbops' reader: unfold, `changetype: add` after each dn, CRLF, no comments. */
function asLdifde(ldif: string): string {
  const logical: string[] = [];
  for (const line of ldif.split('\n')) {
    if (line.startsWith(' ')) logical[logical.length - 1] += line.slice(1);
    else logical.push(line);
  }
  const out: string[] = [''];
  for (const line of logical) {
    if (line.startsWith('#')) continue;
    out.push(line);
    if (/^dn::? /.test(line)) out.push('changetype: add');
  }
  return out.join('\r\n').replace(/(\r\n){3,}/g, '\r\n\r\n');
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

/** The answer without where it came from and how long it took. */
async function answer(...argv: string[]): Promise<unknown> {
  const r = await cli(...argv, '--json');
  expect(r.code, r.err).toBe(0);
  const { server: _s, durationMs: _d, ...rest } = JSON.parse(r.out);
  return rest;
}

beforeAll(async () => {
  lab = await labEnv();
  Object.assign(process.env, lab.env());
  const dir = mkdtempSync(path.join(tmpdir(), 'krbops-export-'));
  const text = (await ldapsearch(lab.baseDn, EXPORT_ACCOUNT_FILTER, EXPORT_ACCOUNT_ATTRIBUTES)) + (await ldapsearch(`CN=Configuration,${lab.baseDn}`, EXPORT_CONFIG_FILTER, EXPORT_CONFIG_ATTRIBUTES));
  ldapsearchFile = path.join(dir, 'contoso-ldapsearch.ldif');
  ldifdeFile = path.join(dir, 'contoso-ldifde.ldf');
  writeFileSync(ldapsearchFile, text);
  writeFileSync(ldifdeFile, asLdifde(text));
});
afterAll(() => {
  process.env = saved;
});

describe('an export answers as the live DC does', () => {
  it('has both shapes: folded ldapsearch lines with base64 values, and ldifde CRLF with changetype: add', async () => {
    const { readFileSync } = await import('node:fs');
    const a = readFileSync(ldapsearchFile, 'utf8');
    expect(a).toMatch(/\n [^\n]/); // at least one folded line
    expect(a).toMatch(/^objectSid:: /m);
    const b = readFileSync(ldifdeFile, 'utf8');
    expect(b).toContain('\r\nchangetype: add\r\n');
    expect(b).not.toMatch(/[^\r]\n/);
  });

  for (const [shape, file] of [['ldapsearch -LLL', () => ldapsearchFile], ['ldifde', () => ldifdeFile]] as const) {
    describe(shape, () => {
      it('spn dupes --json: the same duplicates, alias collisions and counts', async () => {
        const live = await answer('spn', 'dupes');
        expect(await answer('spn', 'dupes', '--ldif', file())).toEqual(live);
        expect((live as { duplicates: unknown[] }).duplicates.length).toBeGreaterThan(0);
      });

      it.each([['HTTP/crm.contoso.test'], ['http/NDCRMSRV1'], ['MSSQLSvc/ndsqlsrv1.contoso.test:1433'], ['HTTP/nowhere.contoso.test']])('spn query %s --json: the same holders', async (spn) => {
        expect(await answer('spn', 'query', spn, '--ldif', file())).toEqual(await answer('spn', 'query', spn));
      });

      it.each([['crmweb'], ['CONTOSO\\crmweb'], ['NDCRMSRV1$'], ['ndcrmsrv1.contoso.test'], ['krbops-reader@contoso.test']])('spn list %s --json: the same account facts', async (account) => {
        expect(await answer('spn', 'list', account, '--ldif', file())).toEqual(await answer('spn', 'list', account));
      });

      it('an unknown account: the same error and the same close matches (the DC lists them in no set order)', async () => {
        const live = await cli('spn', 'list', 'crmwe', '--json');
        const exp = await cli('spn', 'list', 'crmwe', '--json', '--ldif', file());
        expect(exp.code).toBe(live.code);
        const [a, b] = [JSON.parse(exp.out).error, JSON.parse(live.out).error];
        expect(a.code).toBe('ACCOUNT_NOT_FOUND');
        expect([...a.suggestions].sort()).toEqual([...b.suggestions].sort());
        expect(a.suggestions).toContain('crmweb');
      });
    });
  }

  it.each([
    [['spn', 'list', 'crmweb'], /Answered by:\s+file:contoso-ldifde\.ldf \(export written \d{4}-\d\d-\d\d \d\d:\d\d UTC, newest change \d{4}-/],
    [['spn', 'query', 'HTTP/crm.contoso.test'], /Read from file:contoso-ldifde\.ldf \(export written \d{4}-/],
    [['spn', 'dupes'], /Read from file:contoso-ldifde\.ldf \(export written \d{4}-/],
  ])('names the export and its date in the answer to %j', async (argv, expected) => {
    const r = await cli(...argv, '--ldif', ldifdeFile);
    expect(r.out).toMatch(expected);
  });

  it('why-401 on an export: the clock check is unknown because an export has no clock', async () => {
    const r = await cli('krb', 'why-401', 'http://crm.contoso.test', '--ldif', ldapsearchFile, '--json');
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out);
    const text = JSON.stringify(doc);
    expect(text).toContain('this is an export (contoso-ldapsearch.ldif), not a DC: it has no clock to compare');
    expect(text).toMatch(/HTTP\/crm\.contoso\.test/);
  });
});
