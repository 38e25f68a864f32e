/** `spn list <account>` — the account's facts and SPNs, like `setspn -L`. */
import type { SpnListResult } from '../src/model/index.js';
import type { CommandSpec } from './types.js';
import { spnListInfo } from './catalog.js';

const spnList: CommandSpec<SpnListResult> = {
  ...spnListInfo,
  async run(ctx, args) {
    const dir = await ctx.directory();
    const account = await dir.findAccount(args.positionals.account!);
    const info = await dir.info();
    return { kind: 'spn-list', server: info.server, account, spns: [...account.servicePrincipalName].sort((a, b) => a.localeCompare(b)) };
  },
  text(r) {
    const a = r.account;
    const uac = a.userAccountControl;
    const lines = [`Registered ServicePrincipalNames for ${a.dn}:`, ...(r.spns.length ? r.spns.map((s) => `\t${s}`) : ['\t(none)'])];
    lines.push(
      '',
      `Account:        ${a.domain ? `${a.domain}\\` : ''}${a.sAMAccountName} (${a.kind}${uac.disabled ? ', DISABLED' : ''})`,
      ...(a.userPrincipalName ? [`UPN:            ${a.userPrincipalName}`] : []),
      ...(a.dNSHostName ? [`dNSHostName:    ${a.dNSHostName}`] : []),
      `UAC:            ${uac.raw} (${uac.names.join(', ') || 'none'})`,
      `Delegation:     ${uac.trustedForDelegation ? 'unconstrained (TRUSTED_FOR_DELEGATION)' : a.allowedToDelegateTo.length ? `constrained${uac.trustedToAuthForDelegation ? ' with protocol transition' : ' (Kerberos only)'}` : 'none'}${a.hasResourceBasedDelegation ? '; resource-based delegation configured' : ''}`,
      ...(a.allowedToDelegateTo.length ? [`  delegates to: ${a.allowedToDelegateTo.join(', ')}`] : []),
      `Sensitive:      ${uac.notDelegated ? 'yes (NOT_DELEGATED)' : 'no'}${a.protectedUser ? '; member of Protected Users' : ''}`,
      `Encryption:     ${a.supportedEncryptionTypes === undefined ? 'not set (domain default)' : `${a.supportedEncryptionTypes} (${a.encryptionTypeNames.join(', ') || 'none'})`}`,
      ...(a.pwdLastSet ? [`pwdLastSet:     ${a.pwdLastSet}`] : []),
      ...(a.whenChanged ? [`whenChanged:    ${a.whenChanged}`] : []),
      `Answered by:    ${r.server}`,
    );
    return lines.join('\n');
  },
};
export default spnList;
