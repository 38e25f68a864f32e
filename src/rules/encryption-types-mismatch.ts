import type { AccountFacts } from '../directory/types.js';
import { defineRule, notApplicable, type RuleResult } from './support/define.js';
import { backendSpns, domainAccount, expectedOf, isComputer, kdcAnswer, kdcTarget, norm, psIdentity, psNoun } from './support/evidence-view.js';

const DES = 0x1 | 0x2;
const RC4 = 0x4;
const AES = 0x8 | 0x10;

function fixFor(a: AccountFacts): string[] {
  const cmds = [`Set-${psNoun(a)} -Identity ${psIdentity(a)} -KerberosEncryptionType AES128,AES256`];
  if (a.userAccountControl.useDesKeyOnly) cmds.unshift(`Set-ADAccountControl -Identity ${psIdentity(a)} -UseDESKeyOnly $false`);
  // New AES keys are derived only at the next password change.
  if (!isComputer(a) && a.kind !== 'gmsa' && a.kind !== 'msa') cmds.push(`Set-ADAccountPassword -Identity ${psIdentity(a)} -Reset`);
  return cmds;
}

export default defineRule({
  id: 'encryption-types-mismatch',
  title: 'The service account allows only encryption types clients or DCs refuse (RC4-only or DES)',
  severity: 'high',
  why: 'The KDC encrypts the ticket with a type both the account and the client support; an account limited to DES, or to RC4 where RC4 is disabled, yields KDC_ERR_ETYPE_NOTSUPP and no ticket, so the browser falls back to NTLM or prompts.',
  references: ['https://learn.microsoft.com/windows-server/security/kerberos/detect-remediate-rc4-kerberos', 'https://learn.microsoft.com/openspecs/windows_protocols/ms-kile/6cfc7b50-11ed-4b4d-846d-6f08f0812919'],
  checks: 'encryption types of the SPN accounts',
  check(ev): RuleResult[] {
    if (!ev.directory?.ok && !ev.kdc?.ok) return notApplicable('needs the directory or the KDC (reported by the SPN checks)');
    const spns = [expectedOf(ev, 'fqdn'), expectedOf(ev, 'short'), ...backendSpns(ev)].filter((s): s is string => !!s);
    const out: RuleResult[] = [];
    const seen = new Set<string>();
    for (const spn of spns) {
      const kdc = kdcAnswer(ev, spn);
      const t = kdcTarget(ev, spn);
      const a = t.kind === 'one' ? t.facts : undefined;
      if (kdc?.outcome === 'etype') {
        const key = a ? norm(a.dn) : norm(spn);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({
          subject: spn,
          certainty: 1,
          evidence: [`The KDC answered "${kdc.message ?? 'no support for encryption type'}" for ${spn}`, ...(a ? [`${domainAccount(ev, a)} msDS-SupportedEncryptionTypes: ${a.supportedEncryptionTypes ?? '(not set)'}${a.encryptionTypeNames.length ? ` (${a.encryptionTypeNames.join(', ')})` : ''}`] : [])],
          fix: !a
            ? { summary: `Allow AES on the account holding ${spn}.`, commands: [`setspn -Q ${spn}`] }
            : a.kind === 'gmsa' || a.kind === 'msa'
              ? {
                  summary: `${a.sAMAccountName} is a managed service account with no usable keys: check that a KDS root key exists and that its password has been generated, then allow AES.`,
                  commands: ['Get-KdsRootKey', `Test-ADServiceAccount -Identity ${psIdentity(a)}`, ...fixFor(a)],
                }
              : { summary: `Allow AES on ${a.sAMAccountName} and create AES keys (password reset).`, commands: fixFor(a) },
        });
        continue;
      }
      if (!a || seen.has(norm(a.dn))) continue;
      const e = a.supportedEncryptionTypes;
      const desOnlyFlag = a.userAccountControl.useDesKeyOnly;
      if (!desOnlyFlag && (e === undefined || e === 0 || e & AES)) continue;
      seen.add(norm(a.dn));
      const name = domainAccount(ev, a);
      const line = `${name} msDS-SupportedEncryptionTypes = ${e ?? '(not set)'}${a.encryptionTypeNames.length ? ` (${a.encryptionTypeNames.join(', ')})` : ''}`;
      if (desOnlyFlag || (e !== undefined && !(e & (RC4 | AES)) && e & DES)) {
        out.push({
          subject: spn,
          certainty: 0.95,
          evidence: [`${spn} resolves to ${name}`, line, ...(desOnlyFlag ? ['userAccountControl has USE_DES_KEY_ONLY'] : []), 'DES is disabled by default since Windows 7 / Server 2008 R2'],
          fix: { summary: `Move ${a.sAMAccountName} off DES: allow AES and reset its password so AES keys exist.`, commands: fixFor(a) },
        });
      } else if (e !== undefined && e & RC4) {
        out.push({
          subject: spn,
          severity: 'medium',
          certainty: 0.6,
          evidence: [`${spn} resolves to ${name}`, line, 'RC4 only: clients or DCs that disable RC4 (hardened policy, newer Windows defaults) get no ticket'],
          fix: { summary: `Allow AES on ${a.sAMAccountName} and reset its password so AES keys exist (then update the app pool password).`, commands: fixFor(a) },
        });
      }
    }
    return out;
  },
});
