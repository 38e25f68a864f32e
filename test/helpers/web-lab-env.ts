/**
 * The Kerberos web lab for a test file (test/lab/web.ts):
 *
 *   let web: WebLab;
 *   beforeAll(async () => { web = await webLabEnv(); });   // first caller of the run starts it
 *   loadConfig(web.lab.env())                                 // its DC: LDAP, KDC, DNS, probe identity
 *   web.sites.helpdesk.url                                    // http://helpdesk.contoso.test/
 *
 * One web lab per vitest run (test/global-setup.ts owns it), on its own DC: never write to it.
 */
import http from 'node:http';
import { inject } from 'vitest';
import type { WebLabReply } from '../global-setup.js';
import { attachWebLab, type WebLab, type WebLabInfo } from '../lab/web.js';

export type { WebLab, WebSite, WebSiteName } from '../lab/web.js';
export { WEB_SITES, SKEW_MINUTES } from '../lab/web.js';

let cached: Promise<WebLab> | undefined;

function ask(socketPath: string): Promise<WebLabInfo> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: '/web-lab', method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          const reply = JSON.parse(body) as WebLabReply;
          if (reply.ok) resolve(reply.info);
          else reject(new Error(`Kerberos web lab: ${reply.error}`));
        } catch (e) {
          reject(new Error(`lab server answered ${res.statusCode}: ${body.slice(0, 200)} (${(e as Error).message})`));
        }
      });
    });
    req.on('error', (e) => reject(new Error(`lab server at ${socketPath} unreachable: ${e.message}`)));
    req.end();
  });
}

/** The run's Kerberos web lab, started on first call, then shared. */
export function webLabEnv(): Promise<WebLab> {
  cached ??= (async () => attachWebLab(await ask(inject('krbopsLabSocket'))))();
  cached.catch(() => (cached = undefined));
  return cached;
}
