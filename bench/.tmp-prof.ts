import { performance } from 'node:perf_hooks';
import { readLdif } from './.tmp-ldif-parse.js';
const keep = new Set(['spnmappings', 'netbiosname', 'ncname', 'objectsid', 'objectclass', 'whenchanged', 'whencreated', 'usnchanged', 'serviceprincipalname', 'samaccountname', 'userprincipalname', 'dnshostname', 'useraccountcontrol']);
const t = performance.now(); let n = 0;
for await (const r of readLdif(process.argv[2]!, 'x', keep)) n++;
console.log(n, Math.round(performance.now() - t));
