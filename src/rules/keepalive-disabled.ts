import { defineRule, notApplicable, unknown, type RuleResult } from './support/define.js';
import { iisPath } from './support/evidence-view.js';
import { appcmd, curl, IIS_SECTION } from '../fix/index.js';


export default defineRule({
  id: 'keepalive-disabled',
  title: 'The server closes the connection after the 401 (HTTP keep-alive is off)',
  severity: 'high',
  why: 'The Negotiate/NTLM handshake is bound to the TCP connection: when IIS answers the 401 with "Connection: close" the browser must start over on a new connection, the challenge-response never completes and the user is prompted again and again.',
  references: ['seed 001: "Keepalives not enabled on the CRM web site … If they are turned off, Kerberos will break"', 'https://learn.microsoft.com/iis/configuration/system.webserver/httpprotocol/'],
  checks: 'keep-alive on the 401',
  check(ev): RuleResult[] {
    const evidence: string[] = [];
    let certainty = 0;
    if (ev.iis?.ok && ev.iis.allowKeepAlive === false) {
      evidence.push('IIS httpProtocol allowKeepAlive="false"');
      certainty = 0.95;
    }
    const http = ev.http;
    if (http?.ok && http.status === 401 && http.closesConnection) {
      evidence.push(`${ev.target.url} answered 401 with ${http.connection ? `"Connection: ${http.connection}"` : `HTTP/${http.httpVersion} and no keep-alive`}`);
      if (http.server) evidence.push(`Server: ${http.server}${/iis/i.test(http.server) ? '' : ' (a proxy or load balancer in front may be the one closing)'}`);
      certainty = Math.max(certainty, 0.85);
      if (evidence.length > 1 && ev.iis?.allowKeepAlive === false) certainty = 1;
    }
    if (!evidence.length) {
      if (http?.ok && http.status === 401) return [];
      if (ev.iis?.ok && ev.iis.allowKeepAlive !== undefined) return [];
      if (!http) return notApplicable('the URL was not probed');
      if (http.ok) return notApplicable(`the site answered ${http.status}, not a 401 challenge`);
      return [unknown(['the 401 response of the site (the probe failed)'], [], { summary: 'Look at the Connection header of the 401 from a domain machine.', commands: [curl.head(ev.target.url)] }, ev.target.url)];
    }
    return [
      {
        subject: ev.target.url,
        certainty,
        evidence,
        fix: { summary: 'Turn HTTP keep-alive back on for the site (and on any load balancer in front of it).', commands: [appcmd.setConfig(iisPath(ev), IIS_SECTION.httpProtocol, appcmd.attribute('allowKeepAlive', true))] },
      },
    ];
  },
});
