/** `spn list`, `spn query` and `spn dupes` for the terminal: what setspn -L, -Q and -X print, with the facts that matter for Kerberos. Pure. */
import type { SpnDupesResult, SpnListResult, SpnQueryResult } from '../../src/model/index.js';
import { fixText } from './fix.js';

export function spnListText(r: SpnListResult): string {
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
}

export function spnQueryText(r: SpnQueryResult): string {
  const exact = r.accounts.filter((a) => a.via === 'exact');
  const alias = r.accounts.filter((a) => a.via === 'alias');
  const lines = [`Checking forest for ${r.spn}`];
  if (!exact.length) lines.push('No such SPN found.');
  for (const a of exact) lines.push(a.dn, `\t${a.matched}${a.disabled ? '  (account DISABLED)' : ''}`);
  if (r.duplicate) lines.push('', `DUPLICATE: ${exact.length} accounts hold ${r.spn}; the KDC cannot choose one.`, ...(r.fix ? fixText(r.fix) : []));
  if (alias.length) {
    lines.push('', `Also answering through sPNMappings:`);
    for (const a of alias) lines.push(a.dn, `\t${a.matched}`);
  }
  lines.push('', exact.length ? 'Existing SPN found!' : 'No exact SPN found.');
  if (r.server.startsWith('file:')) lines.push(`Read from ${r.server}`);
  return lines.join('\n');
}

export function spnDupesText(r: SpnDupesResult): string {
  const lines = [`Checking forest for duplicate SPNs (${r.scanned.accounts} accounts, ${r.scanned.spns} SPNs, ${r.durationMs} ms)`];
  for (const d of r.duplicates) {
    lines.push('', `${d.spn} is registered on ${d.accounts.length} accounts:`);
    for (const a of d.accounts) lines.push(`\t${a.dn}${a.whenChanged ? `  (changed ${a.whenChanged})` : ''}`);
    lines.push(...fixText(d.fix));
  }
  lines.push('', `Found ${r.duplicates.length} group${r.duplicates.length === 1 ? '' : 's'} of duplicate SPNs.`);
  if (r.aliasCollisions.length) {
    lines.push('', 'Alias collisions (HOST/ answers for the service class through sPNMappings):');
    for (const c of r.aliasCollisions) {
      lines.push(`\t${c.spn} on ${c.serviceAccounts.map((a) => a.sAMAccountName).join(', ')} while ${c.aliasOf} is on ${c.hostAccounts.map((a) => a.sAMAccountName).join(', ')}`);
    }
  }
  if (r.allowList.length) lines.push('', `Ignored (allow-list): ${r.allowList.join(', ')}`);
  if (r.server.startsWith('file:')) lines.push('', `Read from ${r.server}`);
  return lines.join('\n');
}
