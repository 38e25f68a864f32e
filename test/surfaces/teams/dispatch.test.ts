/**
 * Teams message text → plan, table-driven: mentions, leading slashes, the `krb` prefix, Teams'
 * HTML entities and markup, help words, bad input.
 */
import { describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.js';
import { planTeamsMessage, teamsText } from '../../../src/surfaces/teams/index.js';

const runs: { text: string; path: string; positionals?: Record<string, string | undefined> }[] = [
  { text: 'spn list crmweb', path: 'spn list', positionals: { account: 'crmweb' } },
  { text: '/spn list crmweb', path: 'spn list', positionals: { account: 'crmweb' } },
  { text: '<at>krbops</at> spn list crmweb', path: 'spn list', positionals: { account: 'crmweb' } },
  { text: '<at>krbops</at>&nbsp;/spn query HTTP/crm.contoso.test\r\n', path: 'spn query', positionals: { spn: 'HTTP/crm.contoso.test' } },
  { text: '<p><at>krbops</at> spn dupes</p>', path: 'spn dupes' },
  { text: 'SPN LIST CONTOSO\\crmweb', path: 'spn list', positionals: { account: 'CONTOSO\\crmweb' } },
  { text: 'krb spn list crmweb', path: 'spn list', positionals: { account: 'crmweb' } },
  { text: 'krb why-401 http://crm', path: 'krb why-401', positionals: { url: 'http://crm' } },
  { text: '/krb why-401 <a href="http://crm.contoso.test/">http://crm.contoso.test/</a>', path: 'krb why-401', positionals: { url: 'http://crm.contoso.test/' } },
  { text: 'krb why-401 http://crm/?a=1&amp;b=2', path: 'krb why-401', positionals: { url: 'http://crm/?a=1&b=2' } },
  { text: 'krb adfs', path: 'krb adfs' },
  { text: 'adfs', path: 'adfs check' },
  { text: 'krb explain “KRB_AP_ERR_MODIFIED from host/ndcrmsrv1”', path: 'krb explain', positionals: { text: 'KRB_AP_ERR_MODIFIED from host/ndcrmsrv1' } },
];

describe('planTeamsMessage', () => {
  it.each(runs)('runs "$text" as $path', ({ text, path, positionals }) => {
    const plan = planTeamsMessage(commands, text);
    expect(plan.type).toBe('run');
    if (plan.type !== 'run') return;
    expect(plan.command.path.join(' ')).toBe(path);
    if (positionals) expect(plan.args.positionals).toMatchObject(positionals);
  });

  it.each(['', '<at>krbops</at>', 'help', 'krb help', '/krb help', 'spn help', '?', '--help'])('answers "%s" with help', (text) => {
    expect(planTeamsMessage(commands, text)).toEqual({ type: 'help' });
  });

  it.each([
    ['spn list', 'Missing <account>.'],
    ['spn list a b', 'Unexpected argument "b".'],
    ['spn frobnicate', 'Unknown command "spn frobnicate".'],
    ['hello there', 'Unknown command "hello there".'],
    ['spn list --evil crmweb', "Unknown option '--evil'"],
  ])('answers "%s" with usage: %s', (text, message) => {
    const plan = planTeamsMessage(commands, text);
    expect(plan.type).toBe('error');
    if (plan.type !== 'error') return;
    expect(plan.error.code).toBe('COMMAND_USAGE');
    expect(plan.error.message).toContain(message);
    expect(plan.error.usage).toBeTruthy();
  });

  it('never offers CLI-only options (reading files on the bot host) to chat', () => {
    const plan = planTeamsMessage(commands, 'krb why-401 http://crm --iis-config /etc/shadow');
    expect(plan.type).toBe('error');
  });

  it('decodes Teams entities after removing markup, so a mention cannot be smuggled in', () => {
    expect(teamsText('&lt;at&gt;x&lt;/at&gt; spn list a')).toBe('<at>x</at> spn list a');
  });
});
