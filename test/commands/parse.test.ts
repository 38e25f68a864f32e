import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { normaliseChatText, parseCommandArgs, resolveCommand, tokenize, usageLine } from '../../commands/parse.js';
import { CommandUsageError } from '../../src/errors.js';

describe('chat text', () => {
  it('tokenizes with quotes, including smart quotes', () => {
    expect(tokenize('krb explain "KRB_AP_ERR_MODIFIED from host/x"')).toEqual(['krb', 'explain', 'KRB_AP_ERR_MODIFIED from host/x']);
    expect(tokenize('a “b c” \'d e\'')).toEqual(['a', 'b c', 'd e']);
    expect(tokenize('  ')).toEqual([]);
    expect(tokenize('x ""')).toEqual(['x', '']);
  });
  it('strips mentions, slashes and Slack link markup', () => {
    expect(normaliseChatText('<at>krbops</at> /spn list crmweb')).toBe('spn list crmweb');
    expect(normaliseChatText('<@U123ABC> krb why-401 <http://crm.contoso.test|crm.contoso.test>')).toBe('krb why-401 http://crm.contoso.test');
    expect(normaliseChatText('/spn dupes')).toBe('spn dupes');
  });
});

describe('resolveCommand', () => {
  it('finds spn list and its account', () => {
    const r = resolveCommand(commands, ['spn', 'list', 'crmweb']);
    expect(r.command.path).toEqual(['spn', 'list']);
    expect(r.args.positionals.account).toBe('crmweb');
  });
  it('is case-insensitive on command words', () => {
    expect(resolveCommand(commands, ['SPN', 'Query', 'HTTP/crm']).command.path).toEqual(['spn', 'query']);
  });
  it('answers an unknown command with the list of commands', () => {
    try {
      resolveCommand(commands, ['spn', 'frobnicate']);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CommandUsageError);
      expect((e as CommandUsageError).usage).toContain('spn list <account>');
    }
  });
  it('refuses a missing argument, an extra argument and an unknown option with usage', () => {
    expect(() => resolveCommand(commands, ['spn', 'list'])).toThrow('Missing <account>');
    expect(() => resolveCommand(commands, ['spn', 'list', 'a', 'b'])).toThrow('Unexpected argument');
    expect(() => resolveCommand(commands, ['spn', 'list', 'a', '--bogus'])).toThrow(CommandUsageError);
  });
  it('refuses a 10 000-character argument without echoing it', () => {
    const cmd = commands.find((c) => c.path.join(' ') === 'spn list')!;
    try {
      parseCommandArgs(cmd, ['x'.repeat(10_000)]);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toMatch(/10000 characters long/);
      expect((e as Error).message.length).toBeLessThan(200);
    }
  });
});

describe('the registry', () => {
  it('gives every command a summary, examples, a usage line and a text renderer', () => {
    const paths = new Set<string>();
    for (const c of commands) {
      expect(c.summary.length).toBeGreaterThan(10);
      expect(c.examples.length).toBeGreaterThan(0);
      expect(typeof c.text).toBe('function');
      expect(usageLine(c).startsWith(c.path.join(' '))).toBe(true);
      for (const ex of c.examples) expect(resolveCommand(commands, tokenize(ex)).command).toBe(c);
      expect(paths.has(c.path.join(' '))).toBe(false);
      paths.add(c.path.join(' '));
    }
  });
});
