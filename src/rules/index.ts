/**
 * The rule catalog, listed by hand (typescript-eslint style). A meta-test checks that every file
 * in src/rules/ is listed here, that its id equals its file name, and that it is documented.
 */
import type { Rule } from './support/define.js';
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

export type { Rule, RuleResult } from './support/define.js';

export function ruleById(id: string): Rule | undefined {
  return rules.find((r) => r.id === id);
}
