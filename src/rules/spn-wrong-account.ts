import type { SpnChange } from '../model/index.js';
import { defineRule, notApplicable, type RuleResult } from './support/define.js';
import { cnameAlias, iisPath, describeIdentity, domainAccount, expectedOf, identityOf, iisEffective, isComputer, kdcTarget, nlbComputers, sameAccount, urlComputer } from './support/evidence-view.js';
import { appcmd, IIS_SECTION, setspn } from '../fix/index.js';

/**
 * The SPN (or the HOST/ SPN answering for it through sPNMappings) sits on another account than
 * the one that decrypts tickets on the web server: the app pool runs as a domain user but the SPN
 * is on the computer (or another user), or several NLB nodes share a URL whose SPN is on one
 * node's computer account (seed 000, seed 002).
 */
export default defineRule({
  id: 'spn-wrong-account',
  title: 'The HTTP SPN is registered on a different account than the one that runs the site',
  severity: 'critical',
  why: 'The KDC encrypts the service ticket with the key of the account holding the SPN; when IIS decrypts with another account (the app pool user, or another NLB node\'s computer) decryption fails with KRB_AP_ERR_MODIFIED and the user is prompted.',
  references: ['seed 000: NLB address, app pool as domain user, same service account on every node', 'seed 002: one identity hosts the service; register SPNs on contoso\\crmweb', 'seed 003: SPN on the app pool domain account'],
  checks: 'SPN holder versus app pool identity',
  check(ev): RuleResult[] {
    if (ev.target.isIpAddress) return notApplicable('the URL uses an IP address');
    if (!ev.directory?.ok) return notApplicable('needs the directory (reported by the SPN checks)');
    if (cnameAlias(ev)?.aliasHolder) return notApplicable('the URL host is a CNAME with the SPN on the alias: dns-cname-target reports it');
    const id = identityOf(ev);
    const iis = iisEffective(ev);
    const nodes = nlbComputers(ev);
    const nlb = nodes.length > 1;
    const serverComputer = urlComputer(ev);
    const out: RuleResult[] = [];
    const targets = (['fqdn', 'short'] as const)
      .map((form) => ({ form, spn: expectedOf(ev, form) }))
      .filter((x): x is { form: 'fqdn' | 'short'; spn: string } => !!x.spn)
      .map((x) => ({ ...x, target: kdcTarget(ev, x.spn) }));

    for (const { spn, target } of targets) {
      if (target.kind !== 'one') continue;
      const holder = target.holder;
      const holderIsComputer = isComputer(target.facts ?? holder);
      const holderName = domainAccount(ev, holder);
      const via = target.via === 'alias' ? ` through ${holder.matched} (sPNMappings: HTTP → HOST)` : '';
      const evidence = [`${spn} resolves to ${holderName}${via}`];
      let problem: 'other-user' | 'computer-for-user' | 'nlb-computer' | 'user-for-builtin' | undefined;

      if (nlb && holderIsComputer) {
        problem = 'nlb-computer';
        evidence.push(`The URL is served by ${nodes.length} NLB nodes (${nodes.map((n) => n.host).join(', ')}): only ${holder.sAMAccountName} can decrypt tickets, the other nodes fail`);
      } else if (id.builtin) {
        if (!holderIsComputer) problem = 'user-for-builtin';
        else if (serverComputer && !sameAccount(serverComputer, holder)) problem = 'other-user';
      } else if (id.facts && id.declared) {
        if (sameAccount(id.facts, holder)) continue;
        if (holderIsComputer && isComputer(id.facts)) problem = 'other-user';
        else if (holderIsComputer) {
          // Kernel mode without app-pool credentials decrypts with the machine key: fine on a single server whose computer holds it.
          const machineDecrypts = iis ? iis.useKernelMode && !iis.useAppPoolCredentials : false;
          if (machineDecrypts && (!serverComputer || sameAccount(serverComputer, holder))) continue;
          problem = 'computer-for-user';
          if (!iis) evidence.push('Unless IIS decrypts with the machine key (kernel mode without useAppPoolCredentials, the IIS default) — paste the windowsAuthentication config with --iis to decide');
        } else problem = 'other-user';
      } else if (!id.declared && id.facts && !sameAccount(id.facts, holder)) {
        // Identity inferred from the other form's holder: the two forms disagree.
        problem = 'other-user';
        evidence.push('The FQDN and short-name SPNs resolve to different accounts; at most one of them runs the site');
      }
      if (!problem) continue;
      if (id.facts || id.builtin) evidence.push(describeIdentity(ev, id));
      if (iis) evidence.push(`IIS: useKernelMode=${iis.useKernelMode}${iis.stated.has('useKernelMode') ? '' : ' (default)'}, useAppPoolCredentials=${iis.useAppPoolCredentials}${iis.stated.has('useAppPoolCredentials') ? '' : ' (default)'}`);

      const commands: string[] = [];
      const spnChanges: SpnChange[] = [];
      let summary: string;
      const userIdentity = id.facts && !isComputer(id.facts) ? id.facts : undefined;
      if (problem === 'nlb-computer') {
        const acct = userIdentity ? domainAccount(ev, userIdentity) : `${domainAccount(ev, { sAMAccountName: '<service-account>' })}`;
        if (target.via === 'exact') {
          commands.push(setspn.remove(spn, holderName));
          spnChanges.push({ action: 'remove', spn, account: holderName, accountDn: holder.dn });
        }
        commands.push(setspn.add(spn, acct));
        if (userIdentity) spnChanges.push({ action: 'add', spn, account: acct, accountDn: userIdentity.dn });
        commands.push(appcmd.setConfig(iisPath(ev), IIS_SECTION.windowsAuthentication, appcmd.attribute('useAppPoolCredentials', true)));
        summary = `Run the app pool on every NLB node as one domain account${userIdentity ? ` (${acct})` : ''}, register ${spn} on it, and set useAppPoolCredentials=true on each node (seed 000).`;
      } else if (problem === 'user-for-builtin') {
        const comp = serverComputer;
        const compName = comp ? domainAccount(ev, comp) : `${domainAccount(ev, { sAMAccountName: '<server>$' })}`;
        commands.push(setspn.remove(spn, holderName), setspn.add(spn, compName));
        spnChanges.push({ action: 'remove', spn, account: holderName, accountDn: holder.dn });
        if (comp) spnChanges.push({ action: 'add', spn, account: compName, accountDn: comp.dn });
        summary = `The app pool runs as ${id.builtin}, so the computer account decrypts: move ${spn} from ${holderName} to ${compName} — or run the app pool as ${holderName}.`;
      } else {
        const want = id.builtin ? serverComputer : id.facts;
        const wantName = want ? domainAccount(ev, want) : `${domainAccount(ev, { sAMAccountName: '<app-pool-account>' })}`;
        if (target.via === 'exact') {
          commands.push(setspn.remove(spn, holderName));
          spnChanges.push({ action: 'remove', spn, account: holderName, accountDn: holder.dn });
        }
        commands.push(setspn.add(spn, wantName));
        if (want) spnChanges.push({ action: 'add', spn, account: wantName, accountDn: want.dn });
        summary = target.via === 'alias'
          ? `Register ${spn} explicitly on ${wantName}: an explicit HTTP/ SPN wins over the computer's HOST/ SPN (do not remove the HOST/ SPN).`
          : `Move ${spn} from ${holderName} to ${wantName}, the account that decrypts tickets for this site.`;
      }
      const certainty = problem === 'computer-for-user' && !iis ? 0.5 : id.declared || nlb ? 0.9 : 0.6;
      out.push({ subject: spn, certainty, evidence, fix: { summary, commands, spnChanges } });
    }
    return out;
  },
});
