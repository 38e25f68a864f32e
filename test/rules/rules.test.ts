/**
 * The rule catalog against plain evidence: one named case per failure mode of the seeds, and
 * healthy configurations that yield no failing finding. Each case lists the exact set of failing
 * rules, so a rule that fires where it should not is caught too.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/index.js';
import { runRules } from '../../src/engine.js';
import { rules } from '../../src/rules/index.js';
import { anAccount, anEvidence, contoso, NOW } from './builders.js';
import { cases, type Expect } from './why401-cases.js';

const crmweb = contoso.crmweb;
const computers = contoso.computers;

function matches(f: Finding, e: Expect): boolean {
  if (f.ruleId !== e.ruleId) return false;
  if (e.status && f.status !== e.status) return false;
  if (e.subject && f.subject !== e.subject) return false;
  return true;
}

describe('rule catalog over plain evidence', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const run = runRules(c.evidence, rules);
    const ruleErrors = run.findings.filter((f) => f.ruleId === 'rule-error');
    expect(ruleErrors.map((f) => f.evidence.join(' '))).toEqual([]);
    const fails = run.findings.filter((f) => f.status === 'fail');
    expect(fails.map((f) => f.ruleId).sort(), JSON.stringify(fails.map((f) => [f.ruleId, f.subject, f.evidence]), null, 1)).toEqual([...c.fails].sort());
    const unknowns = run.findings.filter((f) => f.status === 'unknown').map((f) => f.ruleId);
    for (const u of c.unknowns ?? []) expect(unknowns, `unknown ${u}`).toContain(u);
    if (!c.unknowns) expect(unknowns).toEqual([]);
    for (const e of c.expect ?? []) {
      const f = run.findings.find((x) => matches(x, e));
      expect(f, `finding ${e.ruleId} ${e.subject ?? ''}`).toBeDefined();
      if (e.severity) expect(f!.severity).toBe(e.severity);
      for (const cmd of e.commands ?? []) expect(f!.fix.commands.join('\n'), `command "${cmd}"`).toContain(cmd);
      if (e.alternatives) expect(f!.fix.alternatives).toEqual(e.alternatives);
      if (e.choices) expect(f!.fix.choices?.map((c) => [c.label, c.spnChanges.map((x) => `${x.action} ${x.account}`)])).toEqual(e.choices.map(([l, a]) => [l, a.map((x) => `remove ${x}`)]));
      for (const ev of e.evidence ?? []) expect(f!.evidence.join('\n'), `evidence "${ev}"`).toContain(ev);
      for (const m of e.missing ?? []) expect((f!.missing ?? []).join('\n'), `missing "${m}"`).toContain(m);
    }
    for (const f of run.findings) {
      expect(f.evidence.length + (f.missing?.length ?? 0), `${f.ruleId} has evidence`).toBeGreaterThan(0);
      expect(f.fix.summary, `${f.ruleId} has a fix summary`).toBeTruthy();
      if (f.status === 'fail') expect(f.fix.commands.length + (f.fix.alternatives?.length ?? 0), `${f.ruleId} has fix commands`).toBeGreaterThan(0);
      // Never one block that removes an SPN from every holder: a duplicate's removals are one per block.
      if (f.ruleId === 'spn-duplicate') for (const block of [f.fix.commands, ...(f.fix.alternatives ?? []).map((a) => a.commands)]) expect(block.filter((c) => c.startsWith('setspn -D')).length).toBeLessThan(new Set(f.evidence.filter((e) => e.startsWith('  ')).map((e) => e.trim())).size);
    }
  });

  it('ranks the most severe, most certain failure first', () => {
    const run = runRules(anEvidence({ accounts: [anAccount({ sam: 'crmweb', spns: ['HTTP/crm.contoso.test'], trustedForDelegation: true }), ...computers()], serverOffsetMs: 9 * 60_000 }), rules);
    expect(run.findings.map((f) => f.ruleId)).toEqual(['clock-skew', 'spn-missing-short-name']);
  });

  it('builds setspn changes the approvals flow can use', () => {
    const run = runRules(anEvidence({ accounts: [crmweb(), contoso.crmweb2(['HTTP/crm.contoso.test']), ...computers()] }), rules);
    const dup = run.findings.find((f) => f.ruleId === 'spn-duplicate')!;
    expect(dup.fix.spnChanges).toEqual([{ action: 'remove', spn: 'HTTP/crm.contoso.test', account: 'CONTOSO\\crmweb2', accountDn: 'CN=crmweb2,OU=Service Accounts,DC=contoso,DC=test' }]);
  });

  it('the evidence clock is the fixed test clock', () => {
    expect(anEvidence().collectedAt).toBe(NOW.toISOString());
  });
});
