import { explainText } from '../../cards/text/explain.js';
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import krbExplain from '../../commands/krb-explain.js';
import krbWhy401 from '../../commands/krb-why-401.js';
import { normaliseChatText, resolveCommand, tokenize, usageText } from '../../commands/parse.js';
import { loadConfig } from '../../src/config.js';
import { createContext } from '../../src/core.js';
import { CommandUsageError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import type { ExplainResult } from '../../src/model/index.js';

const ctx = () => createContext(loadConfig({}), silentLogger, { surface: 'slack', id: 'U1' }, { openDirectory: () => Promise.reject(new Error('explain must not open the directory')) });

async function explain(chat: string): Promise<ExplainResult> {
  const { command, args } = resolveCommand(commands, tokenize(normaliseChatText(chat)));
  return (await command.run(ctx(), args)) as ExplainResult;
}

describe('krb explain', () => {
  it('takes the pasted words after the command, quoted or not, from chat', async () => {
    const a = await explain('<@U123> krb explain KRB_AP_ERR_MODIFIED error from the server host/ONCCRM01');
    const b = await explain('/krb explain "KRB_AP_ERR_MODIFIED error from the server host/ONCCRM01"');
    expect(a.matches.map((m) => m.code)).toEqual(['KRB_AP_ERR_MODIFIED']);
    expect(b.matches).toEqual(a.matches);
  });

  it('renders the verdict, the causes as rule ids and the next checks', async () => {
    const r = await explain('krb explain ID4175: The issuer of the security token was not recognized by the IssuerNameRegistry');
    const text = explainText(r);
    expect(text.split('\n')[0]).toBe(r.verdict);
    expect(text).toContain('claims-auth-certificate-rollover');
    expect(text).toContain('> krbops adfs check');
  });

  it('answers a usage error for empty text', async () => {
    await expect(krbExplain.run(ctx(), { positionals: { text: '   ' }, options: {} })).rejects.toBeInstanceOf(CommandUsageError);
    await expect(explain('krb explain')).rejects.toThrow('Missing <text>.');
  });
});

describe('krb why-401 command spec', () => {
  it('documents its options and keeps --iis-config off the chat surfaces', () => {
    const usage = usageText(krbWhy401);
    expect(usage).toContain('Usage: krb why-401 <url> [--identity <account>] [--user <account>] [--backend <spn>]... [--iis <config>]');
    expect(krbWhy401.cliOptions?.map((o) => o.name)).toEqual(['iis-config']);
    expect(() => resolveCommand(commands, tokenize('krb why-401 http://crm --iis-config /etc/passwd'))).toThrow(CommandUsageError);
  });

  it('accepts pasted IIS XML in single quotes (double quotes inside), as chat users paste it', () => {
    const { args } = resolveCommand(commands, tokenize(`krb why-401 http://crm.contoso.test/ --iis '<windowsAuthentication enabled="true" useKernelMode="true" useAppPoolCredentials="false" />' --backend MSSQLSvc/a:1433 --backend MSSQLSvc/b:1433`));
    expect(args.options.iis).toBe('<windowsAuthentication enabled="true" useKernelMode="true" useAppPoolCredentials="false" />');
    expect(args.options.backend).toEqual(['MSSQLSvc/a:1433', 'MSSQLSvc/b:1433']);
  });

  it('is registered with a summary, examples and renderers', async () => {
    for (const c of [krbWhy401, krbExplain]) {
      expect(await Promise.all(commands.map((r) => r.load()))).toContain(c);
      expect(c.summary.length).toBeGreaterThan(20);
      expect(c.examples.length).toBeGreaterThan(1);
      for (const e of c.examples) expect(() => resolveCommand(commands, tokenize(e))).not.toThrow();
    }
  });
});
