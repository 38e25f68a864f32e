/**
 * `krb explain` decodes a pasted Negotiate header (issue 10): tokens captured from the Kerberos web
 * lab (test/fixtures/negotiate/web-lab.json), pasted as an engineer copies them from the browser's
 * developer tools, through the same command path chat and the CLI use.
 */
import { explainText } from '../../cards/text/explain.js';
import type { ExplainResult } from '../../src/model/index.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { normaliseChatText, resolveCommand, tokenize } from '../../commands/parse.js';
import { loadConfig } from '../../src/config.js';
import { createContext } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';

const captured = JSON.parse(readFileSync(new URL('../fixtures/negotiate/web-lab.json', import.meta.url), 'utf8')) as {
  sites: Record<string, { authorization: string; wwwAuthenticate: string }>;
};

async function explain(line: string, now?: Date): Promise<ExplainResult> {
  const { command, args } = resolveCommand(commands, tokenize(normaliseChatText(line)));
  const ctx = createContext(loadConfig({}), silentLogger, { surface: 'slack', id: 'U1' }, { openDirectory: () => Promise.reject(new Error('explain must not open the directory')), ...(now ? { now: () => now } : {}) });
  return (await command.run(ctx, args)) as ExplainResult;
}

describe('krb explain with a pasted Negotiate header', () => {
  it("decodes a server's reject: KRB_AP_ERR_BADKEYVER from HTTP/helpdesk.contoso.test, with its rules", async () => {
    const r = await explain(`/krb explain WWW-Authenticate: ${captured.sites.helpdesk.wwwAuthenticate}`);
    expect(r.decoded).toMatchObject({ header: 'WWW-Authenticate', token: 'spnego-resp', negState: 'reject', kerberosError: { code: 44, name: 'KRB_AP_ERR_BADKEYVER', serverName: 'HTTP/helpdesk.contoso.test@CONTOSO.TEST' } });
    expect(r.matches[0].code).toBe('KRB_AP_ERR_BADKEYVER');
    expect(r.matches[0].rules.map((x) => x.ruleId)).toEqual(['keytab-key-version-mismatch']);
    expect(r.matches[0].nextChecks).toContain('setspn -Q HTTP/helpdesk.contoso.test');
    expect(r.verdict).toMatch(/^KRB_AP_ERR_BADKEYVER: The server rejected the Kerberos ticket/);
    expect(r.mentioned.spns).toContain('HTTP/helpdesk.contoso.test');
  });

  it("shows the skew between the server's clock in a KRB_AP_ERR_SKEW and now", async () => {
    const stime = '2026-12-01T15:27:08.000Z'; // in the captured token
    const r = await explain(`krb explain "WWW-Authenticate: ${captured.sites.expenses.wwwAuthenticate}"`, new Date(Date.parse(stime) - 10 * 60_000));
    expect(r.decoded?.kerberosError).toMatchObject({ code: 37, name: 'KRB_AP_ERR_SKEW', serverTime: stime, skewMs: 600_000 });
    expect(r.matches[0].meaning).toContain('10.0 min ahead of');
    expect(r.matches.map((m) => m.code)).toEqual(['KRB_AP_ERR_SKEW']);
  });

  it("decodes a browser's request: the ticket's SPN, realm, encryption type and key version", async () => {
    const r = await explain(`krb explain Authorization: ${captured.sites.helpdesk.authorization}`);
    expect(r.decoded).toMatchObject({ header: 'Authorization', token: 'spnego-init', mechanisms: ['Kerberos'], ticket: { spn: 'HTTP/helpdesk.contoso.test', realm: 'CONTOSO.TEST', etype: 23, etypeName: 'rc4-hmac', kvno: 2 } });
    expect(explainText(r)).toContain('ticket for HTTP/helpdesk.contoso.test@CONTOSO.TEST, encrypted with rc4-hmac (etype 23), key version 2');
  });

  it('names NTLM instead of guessing, and says what a broken token lacks', async () => {
    const ntlm = Buffer.concat([Buffer.from('NTLMSSP\0', 'latin1'), Buffer.from([1, 0, 0, 0]), Buffer.alloc(24)]).toString('base64');
    expect((await explain(`krb explain Authorization: Negotiate ${ntlm}`)).matches[0].code).toBe('NTLM');
    const broken = await explain(`krb explain WWW-Authenticate: Negotiate ${captured.sites.helpdesk.wwwAuthenticate.slice(10, 80)}`);
    expect(broken.decoded).toMatchObject({ token: 'undecodable' });
    expect(broken.matches[0].meaning).toMatch(/cannot be read: the token is not valid DER/);
  });

  it('never puts a hostile SPN from a forged token into a command', async () => {
    // A KRB-ERROR whose sname is `HTTP/x;rm -rf ~`: decoded and reported, but no command names it.
    const forged = Buffer.from(captured.sites.helpdesk.wwwAuthenticate.replace(/^Negotiate /, ''), 'base64');
    const at = forged.indexOf(Buffer.from('helpdesk.contoso.test'));
    forged.write('x;rm -rf ~/aaaaaaaaaa', at, 'latin1');
    const r = await explain(`krb explain WWW-Authenticate: Negotiate ${forged.toString('base64')}`);
    expect(r.decoded?.kerberosError?.serverName).toContain('x;rm -rf');
    expect(r.matches.flatMap((m) => m.nextChecks).join('\n')).not.toContain('rm -rf');
  });
});
