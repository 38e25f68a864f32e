/** Account names as setspn and the AD cmdlets take them: `DOMAIN\name` or a bare sAMAccountName. */

/** `CONTOSO\crmweb` stays; `crmweb` gets the NetBIOS domain when it is known. */
export function domainAccount(account: string, netbiosDomain?: string): string {
  if (account.includes('\\') || !netbiosDomain) return account;
  return `${netbiosDomain}\\${account}`;
}

/** The account without its domain: `CONTOSO\crmweb` → `crmweb`. */
export function samOf(account: string): string {
  const i = account.lastIndexOf('\\');
  return i < 0 ? account : account.slice(i + 1);
}
