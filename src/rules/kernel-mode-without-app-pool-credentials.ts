import { defineRule, notApplicable, unknown, type RuleResult } from './support/define.js';
import { domainAccount, iisPath, expectedOf, identityOf, iisEffective, isComputer, kdcTarget } from './support/evidence-view.js';
import { appcmd, IIS_SECTION, iisreset } from '../fix/index.js';

/**
 * Seed 000: IIS kernel-mode authentication decrypts tickets with the machine account unless
 * useAppPoolCredentials is true; when the SPN is on a domain user (the app pool identity, as it
 * must be behind NLB), the machine key cannot decrypt and every user is prompted.
 */
export default defineRule({
  id: 'kernel-mode-without-app-pool-credentials',
  title: 'IIS kernel-mode authentication decrypts with the machine account, but the SPN is on a domain account',
  severity: 'critical',
  why: 'With useKernelMode=true and useAppPoolCredentials=false (the IIS defaults) http.sys decrypts Kerberos tickets with the computer account; a ticket for an SPN held by the app pool\'s domain account cannot be decrypted (KRB_AP_ERR_MODIFIED, 401.1).',
  references: ['seed 000: Enable Kernel-mode authentication + app pool as domain user → set useAppPoolCredentials to True', 'seed 002 step 3: appcmd set config … -useAppPoolCredentials:true /commit:apphost', 'seed 003: IIS 7 kernel mode with useAppPoolCredentials'],
  checks: 'IIS kernel mode versus SPN account',
  check(ev): RuleResult[] {
    if (ev.target.isIpAddress) return notApplicable('the URL uses an IP address');
    const spn = expectedOf(ev, 'fqdn') ?? expectedOf(ev, 'short');
    if (!spn) return notApplicable('no SPN could be derived from the URL');
    const t = kdcTarget(ev, spn);
    const id = identityOf(ev);
    // Which account's key the ticket is encrypted with: the SPN holder, or (if unknown) the declared identity.
    const keyAccount = t.kind === 'one' ? t.facts ?? t.holder : id.declared ? id.facts : undefined;
    if (!keyAccount) return notApplicable('the SPN holder is not known (the SPN checks report it)');
    if (isComputer(keyAccount)) return notApplicable(`${spn} is on a computer account, which kernel mode decrypts with`);
    const iis = iisEffective(ev);
    const acct = domainAccount(ev, keyAccount);
    if (!iis) {
      return [
        unknown(
          ['the site\'s windowsAuthentication settings (useKernelMode, useAppPoolCredentials): paste `appcmd list config` output with --iis'],
          [`${spn} is on the domain account ${acct}: IIS must decrypt with the app pool credentials`],
          { summary: 'Show the Windows authentication settings of the site and paste them with --iis \'<output>\'.', commands: [appcmd.listConfig(iisPath(ev), IIS_SECTION.windowsAuthentication)] },
          spn,
        ),
      ];
    }
    if (!iis.useKernelMode || iis.useAppPoolCredentials) return [];
    const evidence = [
      `${spn} is on the domain account ${acct}${t.kind === 'one' ? '' : ' (the app pool identity)'}`,
      `IIS windowsAuthentication: useKernelMode=${iis.useKernelMode}${iis.stated.has('useKernelMode') ? '' : ' (IIS default)'}, useAppPoolCredentials=${iis.useAppPoolCredentials}${iis.stated.has('useAppPoolCredentials') ? '' : ' (IIS default)'}${iis.section.location ? ` at ${iis.section.location}` : ''}`,
      'http.sys therefore decrypts with the computer account, which does not have the key of ' + keyAccount.sAMAccountName,
    ];
    if (ev.inputs.nlbNodes.length > 1) evidence.push(`Behind NLB (${ev.inputs.nlbNodes.join(', ')}): set it on every node`);
    return [
      {
        subject: spn,
        certainty: iis.stated.has('useAppPoolCredentials') ? 0.95 : 0.8,
        evidence,
        fix: {
          summary: `Set useAppPoolCredentials=true${ev.inputs.nlbNodes.length > 1 ? ' on every NLB node' : ''} so IIS decrypts with ${acct}, then iisreset (seed 000).`,
          commands: [appcmd.setConfig(iisPath(ev), IIS_SECTION.windowsAuthentication, appcmd.attribute('useAppPoolCredentials', true)), iisreset],
        },
      },
    ];
  },
});
