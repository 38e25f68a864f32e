/**
 * "Verified by Kerberos as <user>" on the why-401 verdict, in Slack (Block Kit) and Teams (Adaptive
 * Cards; the same fixtures are rendered in Chromium by test/cards/teams/render.test.ts), and the
 * verified mark on the finding the exchange proved.
 */
import { describe, expect, it } from 'vitest';
import { why401Card } from '../../cards/slack/why-401.js';
import { why401Cards } from '../../cards/teams/why-401.js';
import { why401Fixtures } from './teams/fixtures.js';

const slackText = (r: Parameters<typeof why401Card>[0]) => JSON.stringify(why401Card(r));
const teamsText = (r: Parameters<typeof why401Card>[0]) => JSON.stringify(why401Cards(r));

describe('cards for a verified why-401 answer', () => {
  const ok = why401Fixtures['why-401-verified-authenticated'];
  const stale = why401Fixtures['why-401-verified-stale-keytab'];

  it('show "Verified by Kerberos as <user>" on the verdict of an authenticated site, in Slack and Teams', () => {
    expect(slackText(ok)).toContain('Verified by Kerberos as alice@CONTOSO.TEST (HTTP 200)');
    expect(slackText(ok)).toContain(':white_check_mark: Verified by Kerberos as alice@CONTOSO.TEST');
    expect(teamsText(ok)).toContain('Verified by Kerberos as alice@CONTOSO.TEST (HTTP 200)');
    expect(teamsText(ok)).toContain('"style":"Good"');
    expect(teamsText(ok)).not.toContain('Most likely cause');
  });

  it('mark the finding the exchange proved and name the Kerberos error on the verdict', () => {
    expect(slackText(stale)).toContain('_verified by Kerberos_');
    expect(slackText(stale)).toContain('rejected by the server — KRB_AP_ERR_BADKEYVER (44)');
    expect(teamsText(stale)).toContain('Verified by Kerberos: the exchange below shows it happening');
    expect(teamsText(stale)).toContain('KRB_AP_ERR_BADKEYVER (44)');
  });

  it('say nothing about Kerberos when no exchange was attempted', () => {
    const plain = why401Fixtures['why-401-spn-wrong-account'];
    expect(slackText(plain)).not.toContain('Kerberos exchange');
    expect(slackText(plain)).not.toContain('Verified by Kerberos');
    expect(teamsText(plain)).not.toContain('Verified by Kerberos');
  });
});
