/**
 * The ADFS and watch catalogs against plain evidence, run by the engine as `adfs check`, the ADFS
 * watch, the duplicate-SPN watch and the encryption-type watch run them: each case lists the exact
 * set of failing rules, and every finding has evidence and a fix.
 */
import { describe, expect, it } from 'vitest';
import { runRules } from '../../src/engine.js';
import type { Finding } from '../../src/model/index.js';
import { adfsRules, checkAdfs } from '../../src/rules/catalog/adfs.js';
import { etypeRules, spnIssueRules } from '../../src/rules/catalog/watch.js';
import { adfsCases } from './adfs-cases.js';
import { etypeCases, spnIssueCases } from './watch-cases.js';

function expectUseful(findings: Finding[], fails: string[]): void {
  expect(findings.filter((f) => f.ruleId === 'rule-error').map((f) => f.evidence.join(' '))).toEqual([]);
  expect(findings.filter((f) => f.status === 'fail').map((f) => f.ruleId).sort()).toEqual([...fails].sort());
  for (const f of findings) {
    expect(f.evidence.length, `${f.ruleId} has evidence`).toBeGreaterThan(0);
    expect(f.fix.summary, `${f.ruleId} has a fix summary`).toBeTruthy();
    // Commands run together, or one block per alternative (a duplicate whose service account is unknown).
    const commands = [...f.fix.commands, ...(f.fix.alternatives ?? []).flatMap((a) => a.commands)];
    expect(commands.length, `${f.ruleId} has fix commands`).toBeGreaterThan(0);
  }
}

describe('the ADFS catalog', () => {
  it.each(adfsCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expectUseful(runRules(c.evidence, adfsRules).findings, c.fails);
    // checkAdfs is the same run, shaped as AdfsFindings with their alert keys under the source.
    const fs = checkAdfs(c.evidence.snapshot, c.evidence.previous, c.evidence.options);
    expect(fs.map((f) => f.ruleId).sort()).toEqual([...c.fails].sort());
    for (const f of fs) expect(f.alertKey.startsWith(`adfs:${c.evidence.snapshot.source}:`)).toBe(true);
  });

  it('ranks by severity, then certainty, as the why-401 findings are', () => {
    const c = adfsCases.find((x) => x.fails.includes('adfs-unreachable'))!;
    expect(checkAdfs(c.evidence.snapshot, c.evidence.previous, c.evidence.options).map((f) => [f.ruleId, f.severity])).toEqual([
      ['adfs-unreachable', 'high'],
      ['adfs-cert-expiring', 'high'],
    ]);
  });

  it('turns a rule that throws into a rule-error finding with its own alert key, and still runs the others', () => {
    const c = adfsCases.find((x) => x.fails.includes('adfs-cert-expired'))!;
    const broken = { ...c.evidence, options: { ...c.evidence.options, warnDays: null as unknown as number[] } };
    const fs = checkAdfs(broken.snapshot, broken.previous, broken.options);
    expect(fs.map((f) => f.ruleId)).toEqual(['adfs-cert-expired', 'rule-error']);
    expect(fs[1]).toMatchObject({ status: 'unknown', subject: 'adfs-cert-expiring', alertKey: `adfs:${c.evidence.snapshot.source}:rule-error:adfs-cert-expiring` });
  });
});

describe('the SPN-issue catalog (duplicate-SPN watch)', () => {
  it.each(spnIssueCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expectUseful(runRules(c.evidence, spnIssueRules).findings, c.fails);
  });
});

describe('the encryption-type catalog (encryption-type watch)', () => {
  it.each(etypeCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const findings = runRules(c.evidence, etypeRules).findings;
    expect(findings.map((f) => f.ruleId)).toEqual(c.fails);
    if (c.fails.length) expectUseful(findings, c.fails);
  });
});
