/**
 * Meta-test (typescript-eslint style) over every catalog the engine runs (why-401, ADFS, the
 * duplicate-SPN watch, the encryption-type watch): every rule file in src/rules/ is registered in
 * a catalog, its id is its file name, it is documented (title, severity, why = the text
 * `krb explain <rule id>` shows, what it checks), and each rule has a case in its catalog's table
 * where it fires with evidence and a fix, and one where it does not. Plus the engine: a rule that
 * throws becomes a `rule-error` finding and the others still run.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rankFindings, runRules, verdictFor, why401Result } from '../../src/engine.js';
import { explainText } from '../../src/explain/index.js';
import { catalogs, ruleById, rules, type AnyRule } from '../../src/rules/index.js';
import { defineRule } from '../../src/rules/support/define.js';
import type { Finding } from '../../src/model/index.js';
import { anEvidence } from './builders.js';
import { adfsCases } from './adfs-cases.js';
import { etypeCases, spnIssueCases } from './watch-cases.js';
import { cases as why401Cases } from './why401-cases.js';

const RULES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src/rules');
const ruleFiles = readdirSync(RULES_DIR)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'types.ts')
  .map((f) => f.replace(/\.ts$/, ''));

/** The rule ids issue 3 requires. */
const REQUIRED = [
  'spn-missing-fqdn', 'spn-missing-short-name', 'spn-port-mismatch', 'spn-duplicate', 'spn-wrong-account', 'spn-holder-disabled',
  'kernel-mode-without-app-pool-credentials', 'negotiate-not-offered', 'keepalive-disabled', 'dns-cname-target', 'dns-reverse-mismatch',
  'clock-skew', 'delegation-not-trusted', 'delegation-target-missing', 'user-not-delegatable', 'backend-spn-missing',
  'encryption-types-mismatch', 'claims-auth-certificate-rollover',
];

/** Issue 9: the ADFS checks and the watch findings are rules of the catalog. */
const ADFS_AND_WATCH = [
  'adfs-unreachable', 'adfs-metadata-invalid', 'adfs-signature-invalid', 'adfs-cert-expired', 'adfs-cert-expiring',
  'adfs-new-signing-cert', 'adfs-primary-changed', 'adfs-thumbprint-mismatch', 'spn-duplicate', 'spn-alias-collision', 'encryption-types-mismatch',
];

/** Each catalog's table, as (evidence → findings) runs. */
const tables: Record<string, { name: string; run(): Finding[] }[]> = {
  'why-401': why401Cases.map((c) => ({ name: c.name, run: () => runRules(c.evidence, rules).findings })),
  adfs: adfsCases.map((c) => ({ name: c.name, run: () => runRules(c.evidence, catalogRules('adfs')).findings })),
  'spn-issues': spnIssueCases.map((c) => ({ name: c.name, run: () => runRules(c.evidence, catalogRules('spn-issues')).findings })),
  etypes: etypeCases.map((c) => ({ name: c.name, run: () => runRules(c.evidence, catalogRules('etypes')).findings })),
};

function catalogRules(name: string): readonly AnyRule[] {
  const c = catalogs.find((x) => x.name === name);
  if (!c) throw new Error(`no catalog ${name}`);
  return c.rules;
}

const everyRule = catalogs.flatMap((c) => c.rules.map((r) => [`${c.name}: ${r.id}`, c.name, r] as const));

describe('rule catalog', () => {
  it('registers every rule file in a catalog, and every catalogued rule has its file', () => {
    const ids = new Set(catalogs.flatMap((c) => c.rules.map((r) => r.id)));
    expect([...ids].sort()).toEqual([...ruleFiles].sort());
  });

  it('lists each rule once per catalog', () => {
    for (const c of catalogs) expect(new Set(c.rules.map((r) => r.id)).size, c.name).toBe(c.rules.length);
  });

  it('contains every rule the issues require, ADFS and watch findings included', () => {
    const ids = catalogs.flatMap((c) => c.rules.map((r) => r.id));
    for (const id of [...REQUIRED, ...ADFS_AND_WATCH]) expect(ids).toContain(id);
  });

  it.each(everyRule)('documents %s: title, severity, why, references and what it checks', async (_label, catalog, rule) => {
    const mod = (await import(`../../src/rules/${rule.id}.ts`)) as { default: AnyRule } & Record<string, unknown>;
    // The file's default export is the rule; a second catalog's check of the same id is a named export with the same text.
    expect(Object.values(mod)).toContain(rule);
    for (const k of ['title', 'severity', 'why', 'checks'] as const) expect(rule[k], k).toBe(mod.default[k]);
    expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(rule.title.length).toBeGreaterThan(10);
    expect(rule.title).not.toMatch(/\.$/);
    expect(rule.why.length).toBeGreaterThan(40);
    expect(rule.checks.length).toBeGreaterThan(3);
    expect(['critical', 'high', 'medium', 'low', 'info']).toContain(rule.severity);
    expect(Array.isArray(rule.references)).toBe(true);
    // The watch catalogs' findings carry no references (as their alerts never did); the others name their sources.
    if (catalog === 'why-401' || catalog === 'adfs') expect(rule.references.length).toBeGreaterThan(0);
  });

  it.each(everyRule)('has a firing and a non-firing case for %s', (_label, catalog, rule) => {
    const runs = (tables[catalog] ?? []).map((t) => ({ name: t.name, findings: t.run() }));
    const firing = runs.filter((r) => r.findings.some((f) => f.ruleId === rule.id && f.status === 'fail'));
    expect(firing.length, `a case where ${rule.id} fires`).toBeGreaterThan(0);
    expect(runs.some((r) => !r.findings.some((f) => f.ruleId === rule.id && f.status === 'fail')), `a case where ${rule.id} does not fire`).toBe(true);
    for (const { findings } of firing) {
      for (const f of findings.filter((x) => x.ruleId === rule.id)) {
        expect(f.evidence.length, `${rule.id} evidence`).toBeGreaterThan(0);
        expect(f.fix.summary, `${rule.id} fix`).toBeTruthy();
      }
    }
  });

  it.each(everyRule)('is known to krb explain: %s', (_label, _catalog, rule) => {
    expect(ruleById(rule.id)?.id).toBe(rule.id);
    const r = explainText(rule.id);
    expect(r.matches[0]).toMatchObject({ code: rule.id, rules: [{ ruleId: rule.id, title: rule.title }] });
    expect(r.matches[0]?.meaning).toContain(rule.why);
  });
});

describe('runRules', () => {
  const boom = defineRule({
    id: 'always-throws',
    title: 'A rule with a bug',
    severity: 'high',
    why: 'Exists to show that one broken rule does not stop the others from running.',
    references: ['test'],
    checks: 'nothing',
    check() {
      throw new TypeError("Cannot read properties of undefined (reading 'holders')");
    },
  });

  it('turns a throwing rule into a rule-error finding and still runs the others', () => {
    const ev = anEvidence({ serverOffsetMs: 20 * 60_000 });
    const run = runRules(ev, [boom, ...rules]);
    const err = run.findings.find((f) => f.ruleId === 'rule-error')!;
    expect(err).toMatchObject({ status: 'unknown', severity: 'info', subject: 'always-throws' });
    expect(err.evidence[0]).toContain("TypeError: Cannot read properties of undefined (reading 'holders')");
    expect(run.findings.find((f) => f.ruleId === 'clock-skew')?.status).toBe('fail');
    expect(run.passed.map((p) => p.ruleId)).toContain('spn-duplicate');
  });

  it('treats a rule returning a non-array as an error', () => {
    const bad = defineRule({ ...boom, id: 'returns-null', check: () => null as never });
    const run = runRules(anEvidence(), [bad]);
    expect(run.findings[0].ruleId).toBe('rule-error');
  });

  it('lists not-applicable rules with their reason, separate from passed', () => {
    const run = runRules(anEvidence(), rules);
    const na = run.notApplicable.find((n) => n.ruleId === 'delegation-not-trusted');
    expect(na?.reason).toContain('no --backend');
    expect(run.passed.map((p) => p.ruleId)).not.toContain('delegation-not-trusted');
  });

  it('ranks failures before unknowns, then by severity, then certainty', () => {
    const f = (ruleId: string, status: Finding['status'], severity: Finding['severity'], certainty: number): Finding => ({ ruleId, status, severity, certainty, title: ruleId, why: '', evidence: ['x'], fix: { summary: 's', commands: [] } });
    const ranked = rankFindings([f('a', 'unknown', 'critical', 0.3), f('b', 'fail', 'medium', 0.9), f('c', 'fail', 'critical', 0.5), f('d', 'fail', 'critical', 0.9)]);
    expect(ranked.map((x) => x.ruleId)).toEqual(['d', 'c', 'b', 'a']);
  });

  it('states the top failure as the most likely cause in one sentence', () => {
    const ev = anEvidence({ http: { connection: 'close', closesConnection: true } });
    const run = runRules(ev, rules);
    expect(verdictFor(ev.target, run)).toBe('Most likely cause: the server closes the connection after the 401 (HTTP keep-alive is off) — http://crm.contoso.test/.');
    const healthy = runRules(anEvidence(), rules);
    expect(verdictFor({ url: 'http://crm.contoso.test/' }, healthy)).toMatch(/^No Kerberos problem found for http:\/\/crm\.contoso\.test\/: all \d+ applicable checks passed\.$/);
  });

  it('builds the --json document of the issue', () => {
    const ev = anEvidence({ identity: null });
    const r = why401Result(ev, runRules(ev, rules), 123);
    expect(r).toMatchObject({ kind: 'why-401', url: 'http://crm.contoso.test/', canonicalHost: 'crm.contoso.test', expectedSpns: ['HTTP/crm.contoso.test', 'HTTP/crm'], findings: [], durationMs: 123 });
    expect(r.inferred[0]).toContain('App pool identity: crmweb (holder of HTTP/crm.contoso.test');
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});
