import type { SpnChange } from '../model/index.js';
import { defineRule, notApplicable, type RuleResult } from './support/define.js';
import { domainAccount, exactHolders, expectedOf, identityOf, kdcAnswer, kdcTarget, norm } from './support/evidence-view.js';
import { setspn } from '../fix/index.js';

/**
 * An SPN registered with a port (HTTP/crm.contoso.com:5555) while browsers ask for the SPN without
 * one. Seed 001: the port belongs on the short-name form at most, never on the FQDN form; the
 * resulting KRB_AP_ERR_MODIFIED (event 4) misleadingly points at duplicate SPNs.
 */
export default defineRule({
  id: 'spn-port-mismatch',
  title: 'The HTTP SPN is registered with a port, but browsers request it without one',
  severity: 'high',
  why: 'Browsers build the SPN from the host name only (no port unless configured to add it), so HTTP/<host>:<port> never matches; the ticket goes to another account or none, and the server reports KRB_AP_ERR_MODIFIED.',
  references: ['seed 001: "use the port number for the short (NetBIOS) name version of the SPN but NOT for the FQDN version"', 'seed 001: event ID 4, KRB_AP_ERR_MODIFIED from a port on the FQDN SPN'],
  checks: 'port forms of the HTTP SPNs',
  check(ev): RuleResult[] {
    if (ev.target.isIpAddress) return notApplicable('the URL uses an IP address');
    if (!ev.directory?.ok) return notApplicable('needs the directory (reported by the SPN checks)');
    const out: RuleResult[] = [];
    const id = identityOf(ev);
    for (const form of ['fqdn', 'short'] as const) {
      const spn = expectedOf(ev, form);
      if (!spn) continue;
      // Port forms found by lookup, plus any port form of this host on the identity account.
      const variants = new Map<string, { spn: string; holders: { dn: string; sAMAccountName: string; domain?: string }[] }>();
      for (const l of ev.directory.spns.filter((x) => x.role === 'port-variant' && x.form === form)) {
        const h = exactHolders(l);
        if (h.length) variants.set(norm(l.spn), { spn: l.spn, holders: h });
      }
      if (id.facts) {
        for (const s of id.facts.servicePrincipalName) {
          if (norm(s).startsWith(`${norm(spn)}:`) && !variants.has(norm(s))) variants.set(norm(s), { spn: s, holders: [id.facts] });
        }
      }
      if (!variants.size) continue;
      const target = kdcTarget(ev, spn);
      for (const v of variants.values()) {
        const [owner] = v.holders;
        if (!owner) continue;
        // The no-port form is registered (here or elsewhere): spn-wrong-account / spn-duplicate judge that.
        if ((target.kind === 'one' && target.via === 'exact') || target.kind === 'duplicate') continue;
        const acct = domainAccount(ev, owner);
        const evidence = [`${v.spn} is registered on ${acct}`];
        if (target.kind === 'none') evidence.push(`${spn} (what browsers request) is registered on no account`);
        else if (target.kind === 'one') evidence.push(`${spn} (what browsers request) resolves to ${target.holder.sAMAccountName}${target.via === 'alias' ? ' through its HOST/ SPN' : ''}, not ${owner.sAMAccountName}`);
        const kdc = kdcAnswer(ev, spn);
        if (kdc?.outcome === 'not-found') evidence.push(`The KDC answered "${kdc.message ?? 'server not found'}" for ${spn}`);
        const commands = [setspn.add(spn, acct)];
        const spnChanges: SpnChange[] = [{ action: 'add', spn, account: acct, accountDn: owner.dn }];
        if (form === 'fqdn') {
          commands.push(setspn.remove(v.spn, acct));
          spnChanges.push({ action: 'remove', spn: v.spn, account: acct, accountDn: owner.dn });
        }
        out.push({
          subject: v.spn,
          severity: form === 'fqdn' ? 'high' : 'medium',
          certainty: kdc?.outcome === 'not-found' ? 1 : 0.9,
          evidence,
          fix: {
            summary: form === 'fqdn'
              ? `Register ${spn} without the port on ${acct} and remove the port form from the FQDN (seed 001: the port never goes on the FQDN SPN).`
              : `Register ${spn} without the port on ${acct}; the port form may stay for clients that add the port.`,
            commands,
            spnChanges,
          },
        });
      }
    }
    return out;
  },
});
