/**
 * Meta-test (typescript-eslint style): every rule file in src/rules/ is registered in index.ts,
 * its id is its file name, and it is documented (title, why, references, checks). Plus the engine:
 * a rule that throws becomes a `rule-error` finding and the others still run.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rankFindings, runRules, verdictFor, why401Result } from '../../src/engine.js';
import { rules } from '../../src/rules/index.js';
import { defineRule } from '../../src/rules/support/define.js';
import type { Finding } from '../../src/model/index.js';
import { anEvidence } from './builders.js';

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

describe('rule catalog', () => {
  it('registers every rule file in src/rules/index.ts, once', () => {
    expect(rules.map((r) => r.id).sort()).toEqual([...ruleFiles].sort());
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
  });

  it('contains every rule the issue requires', () => {
    for (const id of REQUIRED) expect(rules.map((r) => r.id)).toContain(id);
  });

  it.each(rules.map((r) => [r.id, r] as const))('documents %s: title, why, references and what it checks', async (id, rule) => {
    const mod = (await import(`../../src/rules/${id}.ts`)) as { default: typeof rule };
    expect(mod.default).toBe(rule);
    expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(rule.title.length).toBeGreaterThan(10);
    expect(rule.title).not.toMatch(/\.$/);
    expect(rule.why.length).toBeGreaterThan(40);
    expect(rule.references.length).toBeGreaterThan(0);
    expect(rule.checks.length).toBeGreaterThan(3);
    expect(['critical', 'high', 'medium', 'low', 'info']).toContain(rule.severity);
  });

  it('has a named case for every rule in the table test', async () => {
    const src = (await import('node:fs')).readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'rules.test.ts'), 'utf8');
    for (const r of rules) expect(src, `a failing case for ${r.id}`).toContain(`'${r.id}'`);
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
