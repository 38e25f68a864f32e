/** Slash command text → plan, with the real registry. */
import { describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.js';
import { ConfigError, DirectoryUnavailableError } from '../../../src/errors.js';
import { errorResultOf, planChatCommand } from '../../../src/surfaces/slack/dispatch.js';

const plan = (slash: string, text: string) => planChatCommand(commands, slash, text);
const ran = (slash: string, text: string) => {
  const p = plan(slash, text);
  if (p.type !== 'run') throw new Error(`expected a run plan, got ${JSON.stringify(p)}`);
  return p;
};

describe('slash command planning', () => {
  const table: { name: string; slash: string; text: string; path: string[]; positionals?: Record<string, string | undefined>; visibility?: string }[] = [
    { name: 'a plain lookup', slash: '/spn', text: 'list crmweb', path: ['spn', 'list'], positionals: { account: 'crmweb' } },
    { name: 'upper-case words', slash: '/SPN', text: 'LIST crmweb', path: ['spn', 'list'] },
    { name: 'a DOMAIN\\name account', slash: '/spn', text: 'list CONTOSO\\crmweb', path: ['spn', 'list'], positionals: { account: 'CONTOSO\\crmweb' } },
    { name: 'a quoted account with spaces', slash: '/spn', text: 'list "Smith, John"', path: ['spn', 'list'], positionals: { account: 'Smith, John' } },
    { name: 'a group reached through /krb', slash: '/krb', text: 'spn query HTTP/crm', path: ['spn', 'query'] },
    { name: 'another group through /krb', slash: '/krb', text: 'adfs check', path: ['adfs', 'check'] },
    { name: '--share anywhere', slash: '/spn', text: '--share list crmweb', path: ['spn', 'list'], visibility: 'in_channel' },
    { name: 'a mention before the words', slash: '/spn', text: '<@UKRBOPS> list crmweb', path: ['spn', 'list'], positionals: { account: 'crmweb' } },
  ];
  it.each(table)('runs $name', ({ slash, text, path, positionals, visibility }) => {
    const p = ran(slash, text);
    expect(p.command.path).toEqual(path);
    if (positionals) expect(p.args.positionals).toMatchObject(positionals);
    expect(p.visibility).toBe(visibility ?? 'ephemeral');
  });

  it('reaches /krb adfs', () => {
    expect(ran('/krb', 'adfs').command.summary).toMatch(/AD FS/);
  });

  it('is private by default', () => {
    expect(ran('/spn', 'dupes').visibility).toBe('ephemeral');
  });

  it('shows help for an empty command, "help" and --help', () => {
    expect(plan('/krb', '')).toEqual({ type: 'help', group: undefined, visibility: 'ephemeral' });
    expect(plan('/spn', 'help')).toEqual({ type: 'help', group: 'spn', visibility: 'ephemeral' });
    expect(plan('/spn', '--help')).toMatchObject({ type: 'help', group: 'spn' });
  });

  it('turns bad input into a usage error, never a throw', () => {
    for (const text of ['list', 'nosuch', 'list a b', 'list crmweb --nope', `list ${'x'.repeat(10_000)}`, 'list a\u0000b']) {
      const p = plan('/spn', text);
      expect(p.type, text.slice(0, 40)).toBe('error');
      if (p.type === 'error') expect(p.error.code).toBe('COMMAND_USAGE');
    }
  });
});

describe('errors for chat', () => {
  it('keeps a coded error\'s message and details', () => {
    const e = new DirectoryUnavailableError('No domain controller answered: ldaps://dc1:636 (ECONNREFUSED)', { servers: ['ldaps://dc1:636'] });
    expect(errorResultOf(e)).toEqual({ kind: 'error', code: 'DIRECTORY_UNAVAILABLE', message: e.message, details: { servers: ['ldaps://dc1:636'] } });
    expect(errorResultOf(new ConfigError('LDAP_URL', 'is not set')).code).toBe('CONFIG_INVALID');
  });

  it('hides anything else behind a reference', () => {
    const r = errorResultOf(new Error('secret internals at /app/x.ts:1'), 'ref123');
    expect(r.code).toBe('INTERNAL');
    expect(r.message).not.toContain('secret');
    expect(r.details).toEqual({ ref: 'ref123' });
  });
});
