import type { SpnChange, SpnIssueEvidence } from '../model/index.js';
import { defineRule, notApplicable, type RuleResult } from './support/define.js';
import { aliasHolders, domainAccount, exactHolders, identityOf, kdcAnswer, norm, sameAccount, uniqueBy } from './support/evidence-view.js';
import { accountLine, accountName } from './support/spn-issue-view.js';
import { duplicateSpnFix, setspn } from '../fix/index.js';

const SEED_002 = 'seed 002: "all SPN\'s must be unique … neither will function properly"; setspn -X / setspn -Q';

const meta = {
  id: 'spn-duplicate',
  title: 'The same SPN is registered on more than one account',
  severity: 'critical',
  why: 'The KDC cannot pick one key to encrypt the ticket: it refuses (KDC_ERR_S_PRINCIPAL_UNKNOWN, KDC event 11) or the server cannot decrypt (KRB_AP_ERR_MODIFIED), and the browser prompts or falls back to NTLM.',
  checks: 'duplicate SPNs',
} as const;

/**
 * The same rule over a duplicate found by the duplicate-SPN watch (src/jobs/duplicates.ts): the watch
 * cannot tell which account runs the service, so the fix is src/fix/duplicate.ts's blocks and choices.
 */
export const issueRule = defineRule<SpnIssueEvidence>({
  ...meta,
  references: [SEED_002],
  check({ issue, domain }): RuleResult[] {
    if (issue.kind !== 'duplicate') return [];
    return [
      {
        title: `${issue.spn} is registered on ${issue.accounts.length} accounts`,
        evidence: [`${issue.spn} is held by ${issue.accounts.length} accounts:`, ...issue.accounts.map((a) => `  ${accountLine(a, domain)}`)],
        // Which holder runs the service is unknown here: one block per holder, never one for all.
        fix: duplicateSpnFix(issue.spn, issue.accounts.map((a) => ({ account: accountName(a, domain), dn: a.dn }))),
        certainty: 1,
        subject: issue.spn,
      },
    ];
  },
});

export default defineRule({
  ...meta,
  references: ['seed 001: Duplicate SPNs, event ID 11', SEED_002],
  check(ev): RuleResult[] {
    if (!ev.directory?.ok) return notApplicable('needs the directory (reported by the SPN checks)');
    const id = identityOf(ev);
    const out: RuleResult[] = [];
    for (const l of uniqueBy(ev.directory.spns, (x) => norm(x.spn))) {
      let holders = exactHolders(l);
      let via = 'exact';
      if (holders.length === 0 && aliasHolders(l).length > 1) {
        holders = aliasHolders(l);
        via = 'alias';
      }
      holders = uniqueBy(holders, (h) => norm(h.dn));
      const [firstHolder] = holders;
      if (!firstHolder || holders.length < 2) continue;
      const spn = via === 'alias' ? firstHolder.matched : l.spn;
      // Keep the SPN on the app-pool identity when it is one of the holders (for backends we cannot tell).
      const runs = l.role !== 'backend' ? id.facts : undefined;
      const keep = runs ? holders.find((h) => sameAccount(h, runs)) : undefined;
      const remove = keep ? holders.filter((h) => !sameAccount(h, keep)) : holders;
      const kdc = kdcAnswer(ev, l.spn);
      const evidence = [`${spn} is held by ${holders.length} accounts:`, ...holders.map((h) => `  ${domainAccount(ev, h)} (${h.dn})${h.whenChanged ? `, changed ${h.whenChanged}` : ''}`)];
      if (kdc && kdc.outcome !== 'ticket') evidence.push(`The KDC answered "${kdc.message ?? kdc.outcome}" for ${l.spn}`);
      if (!runs) {
        // Nobody known runs the service: one block per holder and a "Keep on" choice each, never one block for all.
        const fix = duplicateSpnFix(spn, holders.map((h) => ({ account: domainAccount(ev, h), dn: h.dn })));
        out.push({ subject: spn, certainty: 1, evidence, fix: { ...fix, summary: `${fix.summary} Pass --identity (the app pool account) to get the one command for it.` } });
        continue;
      }
      const commands = remove.map((h) => setspn.remove(spn, domainAccount(ev, h)));
      const spnChanges: SpnChange[] = remove.map((h) => ({ action: 'remove', spn, account: domainAccount(ev, h), accountDn: h.dn }));
      let summary: string;
      if (keep) summary = `Keep ${spn} only on ${domainAccount(ev, keep)} (the app pool identity) and remove it from the others.`;
      else {
        commands.push(setspn.add(spn, domainAccount(ev, runs)));
        spnChanges.push({ action: 'add', spn, account: domainAccount(ev, runs), accountDn: runs.dn });
        summary = `None of the holders is the app pool identity ${domainAccount(ev, runs)}: remove ${spn} from all of them and register it there.`;
      }
      out.push({ subject: spn, certainty: 1, evidence, fix: { summary, commands, spnChanges } });
    }
    return out;
  },
});
