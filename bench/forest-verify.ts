/**
 * Does a seeded forest lab answer like a DC for the searches krbops and the watches make? Raw
 * clones plus a rebuilt index could look right in ldbsearch and still miss in LDAP (the v2 labs
 * matched nobody on objectCategory). Each check runs over LDAPS as the ordinary reader, with
 * OpenLDAP's ldapsearch, and throws when the answer is not the expected one.
 */
import { spawnSync } from 'node:child_process';
import type { Lab } from '../test/lab/lab.js';
import { forestAccount, forestDn, forestOu } from './forest-data.js';

function ldapCount(lab: Lab, filter: string, base = lab.baseDn): { count: number; names: string[] } {
  const r = spawnSync('ldapsearch', ['-LLL', '-o', 'ldif-wrap=no', '-x', '-H', lab.ldapsUrl, '-D', lab.bindUpn, '-w', lab.bindPassword, '-b', base, '-E', 'pr=1000/noprompt', filter, 'sAMAccountName'], {
    env: { ...process.env, LDAPTLS_CACERT: lab.caFile, LDAPTLS_REQCERT: 'demand' },
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`ldapsearch ${filter} exited ${r.status}: ${r.stderr}`);
  const names = [...r.stdout.matchAll(/^sAMAccountName: (.*)$/gm)].map((m) => m[1]);
  return { count: (r.stdout.match(/^dn: /gm) ?? []).length, names };
}

function highestUsn(lab: Lab): number {
  const r = spawnSync('ldapsearch', ['-LLL', '-x', '-H', lab.ldapsUrl, '-D', lab.bindUpn, '-w', lab.bindPassword, '-b', '', '-s', 'base', 'highestCommittedUSN'], {
    env: { ...process.env, LDAPTLS_CACERT: lab.caFile, LDAPTLS_REQCERT: 'demand' },
    encoding: 'utf8',
  });
  return Number(/highestCommittedUSN: (\d+)/.exec(r.stdout)?.[1]);
}

/** Returns one line per check ("ok: …"); throws on the first that fails. */
export async function verifyForestLab(lab: Lab, n: number): Promise<string[]> {
  const out: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`forest lab (${n}) does not answer like a DC: ${what}`);
    out.push(`ok: ${what}`);
  };
  // One OU of 1 000 clones (the last, seeded last): a count over all N would take minutes at 200 000 on
  // Samba, and the duplicate scan counts every SPN holder anyway.
  const ou = forestOu(n - 1);
  const inOu = n - 1000 * Math.floor((n - 1) / 1000);
  const persons = ldapCount(lab, '(objectCategory=person)', ou);
  check(persons.count === inOu, `(objectCategory=person) under ${ou}: ${persons.count} of its ${inOu} accounts (paged, pr=1000)`);
  const users = ldapCount(lab, '(&(objectClass=user)(servicePrincipalName=*))', ou);
  check(users.count === inOu, `(&(objectClass=user)(servicePrincipalName=*)) there: ${users.count}`);
  const k = Math.floor(n / 3) + 7;
  const byCase = ldapCount(lab, `(servicePrincipalName=http/FAPP${k}.Contoso.TEST)`);
  check(byCase.names.includes(forestAccount(k)), `servicePrincipalName equality is case-insensitive: http/FAPP${k}.Contoso.TEST → ${byCase.names.join(', ')}`);
  const bySam = ldapCount(lab, `(sAMAccountName=SVC-F${k})`);
  check(bySam.count === 1 && bySam.names[0] === forestAccount(k), `(sAMAccountName=SVC-F${k}) → ${bySam.names.join(', ')}`);
  // uSNChanged: nothing above the DC's highest USN; a change through Samba moves exactly that account above it.
  const usn = highestUsn(lab);
  check(ldapCount(lab, `(&(objectCategory=person)(uSNChanged>=${usn + 1}))`).count === 0, `(&(objectCategory=person)(uSNChanged>=${usn + 1})) is empty before a change`);
  const j = Math.floor((2 * n) / 3) + 11;
  await lab.addSpn(forestDn(j), `HTTP/verify-${j}.contoso.test`);
  const changed = ldapCount(lab, `(&(objectCategory=person)(uSNChanged>=${usn + 1}))`);
  check(changed.count === 1 && changed.names[0] === forestAccount(j), `after one change through Samba, (&(objectCategory=person)(uSNChanged>=${usn + 1})) → ${changed.names.join(', ')}`);
  return out;
}
