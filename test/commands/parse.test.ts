import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { lazyCommand } from '../../commands/lazy.js';
import { normaliseChatText, parseCommandArgs, resolveCommand, tokenize, usageLine } from '../../commands/parse.js';
import { CommandUsageError } from '../../src/errors.js';

/** The object's own enumerable properties except `keys` (what `{ a, b, ...rest }` leaves in rest). */
const without = (o: object, keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

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
  it('gives every command a summary, examples and a usage line', () => {
    const paths = new Set<string>();
    for (const c of commands) {
      expect(c.summary.length).toBeGreaterThan(10);
      expect(c.examples.length).toBeGreaterThan(0);
      expect(usageLine(c).startsWith(c.path.join(' '))).toBe(true);
      for (const ex of c.examples) expect(resolveCommand(commands, tokenize(ex)).command).toBe(c);
      expect(paths.has(c.path.join(' '))).toBe(false);
      paths.add(c.path.join(' '));
    }
  });

  it('loads each command module lazily, and the module spec is its catalog entry (the only copy)', async () => {
    for (const c of commands) {
      const spec = await c.load();
      expect(spec).not.toBe(c);
      const info = without(spec, ['run', 'json', 'cliPrepare']);
      const entry = without(c, ['run', 'json', 'cliPrepare', 'load']);
      expect(entry).toEqual(info);
      expect(typeof c.cliPrepare).toBe(typeof spec.cliPrepare);
      expect(await c.load()).toBe(spec);
    }
  });
});

describe('lazyCommand', () => {
  it('imports the module once, on first run, and refuses to render before', async () => {
    let imports = 0;
    const info = { path: ['t', 'x'], summary: 'a test command', positionals: [], options: [], examples: ['t x'], defaultVisibility: 'ephemeral' as const };
    const c = lazyCommand(info, async () => {
      imports++;
      return { ...info, run: async () => ({ kind: 't' }), json: () => 'as json' };
    });
    expect(imports).toBe(0);
    expect(() => c.json({ kind: 't' })).toThrow('t x: json before its module was loaded');
    const ctx = {} as Parameters<typeof c.run>[0];
    const r = await Promise.all([c.run(ctx, { positionals: {}, options: {} }), c.run(ctx, { positionals: {}, options: {} })]);
    expect(r).toEqual([{ kind: 't' }, { kind: 't' }]);
    expect(imports).toBe(1);
    expect(c.json({ kind: 't' })).toBe('as json');
  });

  it('fails loudly when a module exports another command than its catalog entry', async () => {
    const info = { path: ['t', 'x'], summary: 'a test command', positionals: [], options: [], examples: [], defaultVisibility: 'ephemeral' as const };
    const c = lazyCommand(info, async () => ({ ...info, path: ['t', 'y'], run: async () => ({ kind: 't' }) }));
    await expect(c.load()).rejects.toThrow('the module of "t x" exports "t y"');
  });
});
