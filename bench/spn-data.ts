/**
 * Bench data: LDIF for N service accounts with SPNs (no passwords: PASSWD_NOTREQD), loaded
 * before the DC starts. `dupes` of them get an extra SPN another account already holds
 * (written raw into the partition file: Samba refuses duplicates over LDAP).
 */
export const BENCH_OU = 'OU=Bench,DC=contoso,DC=test';

export function benchAccountsLdif(n: number): string {
  const out = [`dn: ${BENCH_OU}\nchangetype: add\nobjectClass: organizationalUnit\n`];
  for (let i = 0; i < n; i++) {
    out.push(
      [
        `dn: CN=svc-bench${i},${BENCH_OU}`,
        'changetype: add',
        'objectClass: user',
        `sAMAccountName: svc-bench${i}`,
        'userAccountControl: 544',
        `servicePrincipalName: HTTP/app${i}.contoso.test`,
        `servicePrincipalName: HTTP/app${i}`,
        '',
      ].join('\n'),
    );
  }
  return out.join('\n') + '\n';
}

export function benchDuplicatesLdif(n: number, dupes: number): string {
  const out: string[] = [];
  for (let i = 0; i < dupes; i++) {
    const holder = (i * 7919) % n;
    const other = (holder + 1) % n;
    out.push([`dn: CN=svc-bench${other},${BENCH_OU}`, 'changetype: modify', 'add: servicePrincipalName', `servicePrincipalName: HTTP/app${holder}.contoso.test`, '-', ''].join('\n'));
  }
  return out.join('\n') + '\n';
}
