import { defineRule, notApplicable, unknown, type RuleResult } from './support/define.js';
import { iisPath } from './support/evidence-view.js';
import { appcmd, curl, IIS_SECTION } from '../fix/index.js';

const hasNegotiate = (list: string[]) => list.some((p) => /^negotiate(:kerberos)?$/i.test(p.trim()));

export default defineRule({
  id: 'negotiate-not-offered',
  title: 'The site does not offer Negotiate (Kerberos) authentication',
  severity: 'high',
  why: 'Browsers only try Kerberos when the 401 carries "WWW-Authenticate: Negotiate"; with NTLM or Basic alone, Kerberos is never attempted (no delegation, prompts outside the intranet zone), and with Windows authentication disabled IIS answers 401.2.',
  references: ['seed 001: "Negotiate,NTLM" not configured on the web site', 'seed 003: Integrated Windows authentication', 'https://learn.microsoft.com/iis/configuration/system.webserver/security/authentication/windowsauthentication/providers/'],
  checks: 'Negotiate offered on the 401',
  check(ev): RuleResult[] {
    const out: RuleResult[] = [];
    const iis = ev.iis?.ok ? ev.iis.effective : undefined;
    if (iis?.enabled === false) {
      out.push({
        subject: 'windowsAuthentication',
        certainty: 0.95,
        evidence: [`IIS windowsAuthentication enabled="false"${iis.location ? ` at ${iis.location}` : ''}`],
        fix: { summary: 'Enable Windows authentication on the site.', commands: [appcmd.setConfig(iisPath(ev), IIS_SECTION.windowsAuthentication, appcmd.attribute('enabled', true))] },
      });
    }
    if (iis?.providers && !hasNegotiate(iis.providers)) {
      out.push({
        subject: 'providers',
        certainty: 0.95,
        evidence: [`IIS windowsAuthentication providers: ${iis.providers.join(', ') || '(none)'} — Negotiate is missing`],
        fix: { summary: 'Add Negotiate as the first Windows authentication provider.', commands: [appcmd.setConfig(iisPath(ev), IIS_SECTION.windowsAuthentication, appcmd.addProviderFirst('Negotiate'))] },
      });
    }
    const http = ev.http;
    if (!http?.ok) {
      if (out.length || iis) return out;
      if (!http) return notApplicable('the URL was not probed');
      return [unknown(['an anonymous request to the URL (the probe failed: ' + (http.error?.message ?? 'no answer') + ')'], [], { summary: 'Check the challenge the site sends from a domain machine.', commands: [curl.head(ev.target.url)] }, ev.target.url)];
    }
    if (http.status === 401) {
      if (!hasNegotiate(http.schemes)) {
        const seen = http.wwwAuthenticate.length ? http.wwwAuthenticate.map((h) => `WWW-Authenticate: ${h.length > 60 ? `${h.slice(0, 60)}…` : h}`) : ['The 401 has no WWW-Authenticate header'];
        const probeLines = [`${ev.target.url} answered 401 ${http.statusText ?? ''}`.trim(), ...seen];
        const fromConfig = out.find((r) => r.subject === 'providers' || r.subject === 'windowsAuthentication');
        if (fromConfig) {
          fromConfig.evidence.push(...probeLines);
          fromConfig.certainty = 1;
          return out;
        }
        out.push({
          subject: ev.target.url,
          certainty: 0.9,
          evidence: probeLines,
          fix: {
            summary: 'Offer Negotiate before NTLM in the site\'s Windows authentication providers (and make sure Windows authentication is enabled).',
            commands: [appcmd.setConfig(iisPath(ev), IIS_SECTION.windowsAuthentication, appcmd.attribute('enabled', true)), appcmd.setConfig(iisPath(ev), IIS_SECTION.windowsAuthentication, appcmd.addProviderFirst('Negotiate'))],
          },
        });
      }
    }
    return out;
  },
});
