import { defineRule, unknown, type RuleResult } from './support/define.js';
import { w32tm } from '../fix/index.js';

/** Kerberos default maximum tolerance for computer clock synchronization. */
export const MAX_SKEW_MS = 5 * 60 * 1000;
/** HTTP Date and rootDSE currentTime have one-second resolution; allow for that and for transit. */
const READ_SLACK_MS = 2000;

const fmt = (ms: number) => {
  const s = Math.round(Math.abs(ms) / 1000);
  const m = Math.floor(s / 60);
  return `${ms < 0 && s > 0 ? '-' : '+'}${m ? `${m} min ` : ''}${s % 60} s`;
};

function dcHost(server: string | undefined): string {
  try {
    // An export (`file:…`) has no host: the engineer names the DC.
    return (server && new URL(server).hostname) || '<dc>';
  } catch {
    return '<dc>';
  }
}

export default defineRule({
  id: 'clock-skew',
  title: 'Clocks differ by more than 5 minutes (Kerberos tolerance)',
  severity: 'critical',
  why: 'Kerberos rejects tickets and authenticators whose timestamps differ from the server clock by more than 5 minutes (KRB_AP_ERR_SKEW), so every user is prompted even though SPNs are right.',
  references: ['seed 002: Clock Skew — "make this your first check"', 'https://learn.microsoft.com/windows/security/threat-protection/security-policy-settings/maximum-tolerance-for-computer-clock-synchronization'],
  checks: 'clock skew (DC, web server, krbops host)',
  check(ev): RuleResult[] {
    const c = ev.clock;
    const dc = c?.dc;
    const server = c?.server;
    if (!dc && !server) {
      return [unknown(['the DC clock (rootDSE currentTime) and the web server clock (HTTP Date)'], c?.errors ?? [], { summary: 'Compare the clocks by hand.', commands: [w32tm.stripchart(dcHost(ev.directory?.server)), w32tm.status()] }, 'clock')];
    }
    const out: RuleResult[] = [];
    if (dc && server) {
      const diff = server.offsetMs - dc.offsetMs;
      if (Math.abs(diff) > MAX_SKEW_MS + READ_SLACK_MS) {
        out.push({
          subject: 'web server clock',
          certainty: 0.95,
          evidence: [`Web server Date: ${server.time}`, `DC currentTime: ${dc.time}`, `Web server − DC = ${fmt(diff)} (limit 5 min)`],
          fix: {
            summary: 'Resynchronise the web server with the domain hierarchy (run on the web server, as administrator).',
            commands: w32tm.syncFromDomain(),
          },
        });
      }
    }
    const other = dc ?? server!;
    const localDiff = -other.offsetMs;
    if (Math.abs(localDiff) > MAX_SKEW_MS + READ_SLACK_MS) {
      out.push({
        subject: 'krbops host clock',
        severity: 'medium',
        certainty: 0.8,
        evidence: [`krbops host clock: ${other.observedAt}`, `${dc ? 'DC currentTime' : 'Web server Date'}: ${other.time}`, `krbops host − ${dc ? 'DC' : 'web server'} = ${fmt(localDiff)}`],
        fix: { summary: 'The host krbops runs on is off: its KDC checks (kvno) fail with KRB_AP_ERR_SKEW. Synchronise it with NTP.', commands: ['chronyc makestep', 'timedatectl status'] },
      });
    }
    if (!out.length && (!dc || !server)) {
      // One clock agrees with ours; the other could not be read.
      return [unknown([dc ? 'the web server clock (its Date header)' : 'the DC clock (rootDSE currentTime)'], [`${dc ? 'DC' : 'Web server'} − krbops host = ${fmt(other.offsetMs)}`], { summary: 'Compare the web server and DC clocks on the web server.', commands: [w32tm.status(), w32tm.stripchart(dcHost(ev.directory?.server))] }, 'clock')];
    }
    return out;
  },
});
