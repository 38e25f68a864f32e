/**
 * The rule catalog, listed by hand (typescript-eslint style): the why-401 rules here, the ADFS and
 * watch rules in src/rules/catalog/. A meta-test (test/rules/catalog.test.ts) checks that every
 * file in src/rules/ is listed in a catalog, that its id equals its file name, that it is
 * documented, and that each rule has a firing and a non-firing case.
 */
import type { AnyRule, Rule } from './support/define.js';
import { adfsRules } from './catalog/adfs.js';
import { etypeRules, spnIssueRules } from './catalog/watch.js';
import { krbops } from '../fix/index.js';
import spnMissingFqdn from './spn-missing-fqdn.js';
import spnMissingShortName from './spn-missing-short-name.js';
import spnPortMismatch from './spn-port-mismatch.js';
import spnDuplicate from './spn-duplicate.js';
import spnWrongAccount from './spn-wrong-account.js';
import spnHolderDisabled from './spn-holder-disabled.js';
import kernelModeWithoutAppPoolCredentials from './kernel-mode-without-app-pool-credentials.js';
import negotiateNotOffered from './negotiate-not-offered.js';
import keepaliveDisabled from './keepalive-disabled.js';
import dnsCnameTarget from './dns-cname-target.js';
import dnsReverseMismatch from './dns-reverse-mismatch.js';
import clockSkew from './clock-skew.js';
import delegationNotTrusted from './delegation-not-trusted.js';
import delegationTargetMissing from './delegation-target-missing.js';
import userNotDelegatable from './user-not-delegatable.js';
import userAccountDisabled from './user-account-disabled.js';
import backendSpnMissing from './backend-spn-missing.js';
import encryptionTypesMismatch from './encryption-types-mismatch.js';
import claimsAuthCertificateRollover from './claims-auth-certificate-rollover.js';
import urlIpAddress from './url-ip-address.js';
import hostUnresolvable from './host-unresolvable.js';
import kerberosExchangeFailed from './kerberos-exchange-failed.js';
import keytabKeyVersionMismatch from './keytab-key-version-mismatch.js';
import serverCannotDecrypt from './server-cannot-decrypt.js';
import mutualAuthenticationFailed from './mutual-authentication-failed.js';

export const rules: readonly Rule[] = [
  spnMissingFqdn,
  spnMissingShortName,
  spnPortMismatch,
  spnDuplicate,
  spnWrongAccount,
  spnHolderDisabled,
  kernelModeWithoutAppPoolCredentials,
  negotiateNotOffered,
  keepaliveDisabled,
  dnsCnameTarget,
  dnsReverseMismatch,
  clockSkew,
  delegationNotTrusted,
  delegationTargetMissing,
  userNotDelegatable,
  userAccountDisabled,
  backendSpnMissing,
  encryptionTypesMismatch,
  claimsAuthCertificateRollover,
  urlIpAddress,
  hostUnresolvable,
  kerberosExchangeFailed,
  keytabKeyVersionMismatch,
  serverCannotDecrypt,
  mutualAuthenticationFailed,
];

export type { AnyRule, Rule, RuleResult } from './support/define.js';

/** One list of rules over one kind of evidence, and the krbops command that runs it. */
export interface Catalog {
  name: 'why-401' | 'adfs' | 'spn-issues' | 'etypes';
  /** What its rules read. */
  evidence: string;
  /** The command whose answer shows the catalog's findings (the watch catalogs also post them as alerts). */
  command: string;
  rules: readonly AnyRule[];
}

/** Every catalog the engine runs. A rule id in two catalogs is one rule over two kinds of evidence. */
export const catalogs: readonly Catalog[] = [
  { name: 'why-401', evidence: 'the directory, DNS, HTTP, clock, IIS and KDC evidence of one URL', command: krbops.why401('<url>'), rules },
  { name: 'adfs', evidence: 'one AD FS federation metadata source and the state of its last check', command: krbops.adfsCheck(), rules: adfsRules },
  { name: 'spn-issues', evidence: 'a duplicate SPN or alias collision of the duplicate-SPN watch', command: krbops.spnDupes(), rules: spnIssueRules },
  { name: 'etypes', evidence: 'one account of the encryption-type scan', command: krbops.etypes(), rules: etypeRules },
];

/** The why-401 rule of that id, else the first catalog's that has it (what `krb explain <rule id>` shows). */
export function ruleById(id: string): AnyRule | undefined {
  for (const c of catalogs) {
    const r = c.rules.find((x) => x.id === id);
    if (r) return r;
  }
  return undefined;
}
