import { createWriteStream } from 'node:fs';
const [file, n] = [process.argv[2]!, Number(process.argv[3] ?? 200000)];
const base = 'DC=fabrikam,DC=com';
const out = createWriteStream(file);
const groups = Array.from({ length: 12 }, (_, i) => `CN=Group ${i} with a long descriptive name,OU=Groups,OU=Corp,${base}`);
const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
for (let i = 0; i < n; i++) {
  const kind = i % 10 === 0 ? 'computer' : i % 97 === 0 ? 'svc' : 'user';
  const sam = kind === 'computer' ? `WS${i}$` : kind === 'svc' ? `svc${i}` : `user${i}`;
  const lines = [`dn: CN=${sam.replace('$', '')},OU=${kind === 'computer' ? 'Workstations' : 'People'},OU=Corp,${base}`, 'changetype: add', 'objectClass: top', 'objectClass: person', 'objectClass: organizationalPerson', 'objectClass: user'];
  if (kind === 'computer') lines.push('objectClass: computer', `dNSHostName: ws${i}.fabrikam.com`, `servicePrincipalName: HOST/ws${i}.fabrikam.com`, `servicePrincipalName: HOST/WS${i}`, 'userAccountControl: 4096');
  else lines.push(`userPrincipalName: ${sam}@fabrikam.com`, 'userAccountControl: 512');
  if (kind === 'svc') lines.push(`servicePrincipalName: HTTP/app${i}.fabrikam.com`, `servicePrincipalName: HTTP/app${i % 7 === 0 ? `shared${i % 5}` : i}`);
  lines.push(`sAMAccountName: ${sam}`, `whenChanged: 2026112${i % 10}120000.0Z`, `uSNChanged: ${10_000 + i}`, `pwdLastSet: 134400000000000000`);
  if (kind === 'user') for (const g of groups.slice(0, 4 + (i % 8))) lines.push(`memberOf: ${g}`);
  await write(`${lines.join('\r\n')}\r\n\r\n`);
}
await new Promise<void>((r) => out.end(r));
