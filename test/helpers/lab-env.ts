/**
 * The Samba AD lab for a test file:
 *
 *   import { labEnv } from '../helpers/lab-env.js';
 *   let lab: Lab;
 *   beforeAll(async () => { lab = await labEnv(); });
 *   ...loadConfig({ ...lab.env() })  // LDAP_URL, LDAP_BIND_DN (krbops-reader), LDAP_CA_FILE, ...
 *
 * One lab per vitest run, shared by every file (see test/global-setup.ts and test/lab/README.md).
 * Never stop it from a test. Tests that write to it must use objects of their own (unique names),
 * never change the scenario accounts other files read.
 *
 * Outside vitest (bench scripts), a lab started with `npx tsx test/lab/lab.ts start` is used
 * (KRBOPS_LAB_JSON or .lab/lab.json).
 */
import http from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { attachLab, type Lab, type LabInfo } from '../lab/lab.js';
import type { LabReply } from '../global-setup.js';

export type { Lab, LabInfo, LdapEntry, CommandResult } from '../lab/lab.js';
export { attr, HOST_OCTETS, CNAMES, REALM, DOMAIN, NETBIOS, BASE_DN } from '../lab/lab.js';

let cached: Promise<Lab> | undefined;

function ask(socketPath: string): Promise<LabInfo> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: '/lab', method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          const reply = JSON.parse(body) as LabReply;
          if (reply.ok) resolve(reply.info);
          else reject(new Error(reply.error));
        } catch (e) {
          reject(new Error(`lab server answered ${res.statusCode}: ${body.slice(0, 200)} (${(e as Error).message})`));
        }
      });
    });
    req.on('error', (e) => reject(new Error(`lab server at ${socketPath} unreachable: ${e.message}`)));
    req.end();
  });
}

function fromStateFile(): LabInfo | undefined {
  const file = process.env.KRBOPS_LAB_JSON ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '.lab', 'lab.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as LabInfo) : undefined;
}

/** The run's Samba AD lab, started on first call (≈3 s), then shared. */
export function labEnv(): Promise<Lab> {
  cached ??= (async () => {
    let socket: string | undefined;
    try {
      socket = inject('krbopsLabSocket');
    } catch {
      socket = undefined; // not inside a vitest worker
    }
    if (socket) return attachLab(await ask(socket));
    const info = fromStateFile();
    if (info) return attachLab(info);
    throw new Error('Samba AD lab not available: run the tests with vitest (vitest.config.ts sets up the lab) or start one with `npx tsx test/lab/lab.ts start`');
  })();
  cached.catch(() => (cached = undefined));
  return cached;
}
