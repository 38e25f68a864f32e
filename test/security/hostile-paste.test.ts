/**
 * Issue 11 item 6: every command krbops prints is inert when a name in it is hostile. Hostile names
 * (`crm&calc&`, `$(touch pwned)`, backticks, `;`, `|`, `%PATH%`, `^`, quotes, a newline, `-c/tmp/x`,
 * look-alike letters…) go through every path that prints a fix: each builder of src/fix, every rule
 * of the catalog (the catalog's own cases with a name in their evidence replaced), change requests,
 * the watch jobs (duplicates, ADFS, encryption types) and the Slack and Teams cards.
 *
 * Each command is compared with its twin built from a plain marker instead of the hostile name:
 *  - POSIX commands are pasted into a real bash with only recording stubs on PATH: the same programs
 *    must run with the same argv, the marker's argument now carrying the hostile name as ONE literal
 *    argument, nothing else run and no file created;
 *  - cmd.exe and PowerShell commands are read by the tokenizers of ./paste/tokenize.ts: the same
 *    words and live operators, the hostile name inside one word.
 * A value src/fix refuses (UnsafeCommandValueError; InvalidInputError for a change request) prints
 * no command and counts as safe. The test fails when quoting is removed from a builder (see the report of issue 11).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseChanges, handOffCommands, rollbackCommands } from '../../src/approvals/changes.js';
import { endpointFix, renewCertificateFix, updateFederationMetadataFix } from '../../src/rules/support/adfs-fixes.js';
import { runRules } from '../../src/engine.js';
import { explainText } from '../../src/explain/index.js';
import { InvalidInputError, UnsafeCommandValueError } from '../../src/errors.js';
import { accountFix, kerberoastFix } from '../../src/etypes/fix.js';
import { findSpnIssues } from '../../src/jobs/duplicates.js';
import { spnIssueFinding as issueFinding } from '../../src/rules/catalog/watch.js';
import type { Evidence, Finding } from '../../src/model/index.js';
import { catalogs, rules, type AnyRule } from '../../src/rules/index.js';
import { why401Card } from '../../cards/slack/index.js';
import { cardsForResult } from '../../cards/teams/index.js';
import { aWhy401 } from '../cards/slack/builders.js';
import { cases } from '../rules/why401-cases.js';
import { adfsCases } from '../rules/adfs-cases.js';
import { spnIssueCases } from '../rules/watch-cases.js';
import { etypesResult } from '../etypes/fixtures.js';
import type { EncryptionScanAccount } from '../../src/model/index.js';
import { BashSandbox } from './paste/bash-sandbox.js';
import { BUILDERS } from './paste/builders.js';
import { cmdTokens, psTokens, shellOf, type Token } from './paste/tokenize.js';

/** The plain stand-in a hostile name replaces. */
export const MARK = 'zqxmark';

const PAYLOADS = [
  'crm&calc&',
  '$(touch pwned)',
  '`touch pwned`',
  'crm;touch pwned',
  'crm|touch pwned',
  'crm&&calc',
  '%PATH%',
  '!PATH!',
  'crm^calc',
  'crm"&calc&"',
  "crm'$(touch pwned)'",
  'crm\n touch pwned',
  '-c/tmp/x',
  'crm>pwned',
  '<calc>',
  'crm$IFS',
  '@(calc)',
  'crm#calc',
  'crm(1)',
  'crm‘;calc;’',
  'сrm', // Cyrillic с
  'ｃｒｍ', // fullwidth
  'crm\u200bweb',
];

/** Names in the rule cases' evidence that come from outside: accounts, hosts, SPN hosts, domains. */
const TOKENS = ['crmweb', 'crm', 'NDCRMSRV1', 'ndcrmsrv1', 'sqlservice', 'ndsqlsrv1', 'svc-legacy', 'crmport', 'alice', 'carol', 'CONTOSO'];

const scanRow = (sAMAccountName: string, spn: string, supportedEncryptionTypes: number | null, pwdLastSet: string): EncryptionScanAccount =>
  ({ dn: `CN=${sAMAccountName},DC=contoso,DC=com`, sAMAccountName, kind: 'user', spns: [spn], supportedEncryptionTypes, pwdLastSet, userAccountControl: 512 }) as EncryptionScanAccount;
/** The scan rows of the watch table (test/rules/watch-cases.ts): an old password, RC4 only, AES only. */
const ETYPE_SCAN = [
  scanRow('crmweb', 'HTTP/crm.contoso.com', null, '2005-03-01T00:00:00.000Z'),
  scanRow('svc-rc4', 'HTTP/rc4.contoso.com', 4, '2025-10-01T00:00:00.000Z'),
  scanRow('svc-new', 'HTTP/new.contoso.com', 0x18, '2025-10-01T00:00:00.000Z'),
];

const catalogRules = (name: string): readonly AnyRule[] => catalogs.find((c) => c.name === name)!.rules;
/** Each catalog with its cases and the outside names in their evidence (relying parties, the metadata URL's host, accounts, SPNs). */
const TABLES: { name: string; rules: readonly AnyRule[]; cases: { name: string; evidence: unknown }[]; tokens: string[]; prepare?: (e: never) => unknown }[] = [
  { name: 'why-401', rules, cases, tokens: TOKENS },
  { name: 'adfs', rules: catalogRules('adfs'), cases: adfsCases, tokens: ['CRM', 'adfs', 'contoso'] },
  { name: 'spn-issues', rules: catalogRules('spn-issues'), cases: spnIssueCases, tokens: ['svc-crm', 'svc-old', 'svc-web', 'WEB01', 'web01', 'crm', 'CONTOSO'] },
  // The encryption-type report carries fixes built at scan time: the names go into the scan (krb etypes' own path), not the report.
  {
    name: 'etypes',
    rules: catalogRules('etypes'),
    cases: ETYPE_SCAN.map((a, index) => ({ name: a.sAMAccountName, evidence: { scan: ETYPE_SCAN, index } })),
    tokens: ['crmweb', 'svc-rc4', 'crm', 'rc4'],
    prepare: (e: { scan: EncryptionScanAccount[]; index: number }) => etypesResult(e.scan).accounts.find((a) => a.sAMAccountName === e.scan[e.index].sAMAccountName),
  },
];

/** The marker replaced by the payload; an upper-cased marker (a NetBIOS domain) by the upper-cased payload. */
const sub = (v: string, payload: string) => v.split(MARK).join(payload).split(MARK.toUpperCase()).join(payload.toUpperCase());
/** URLs are normalised by src/fix (new URL(…).href): the hostile twin of a URL argument is normalised too. */
function expected(v: string, payload: string): string {
  const s = sub(v, payload);
  if (s !== v && /^https?:\/\//.test(v)) {
    try {
      return new URL(s).href;
    } catch {
      return s;
    }
  }
  return s;
}

let bash: BashSandbox;
const pasted = new Map<string, ReturnType<BashSandbox['paste']>>();
const paste = (c: string) => {
  if (!pasted.has(c)) pasted.set(c, bash.paste(c));
  return pasted.get(c)!;
};
/** Shell → what was checked: [commands compared, commands with the hostile name in them]. */
const checked = { cmd: [0, 0], powershell: [0, 0], posix: [0, 0] };

/** Asserts that `hostile` is `benign` with the marker replaced by `payload`, and nothing more, for its shell. */
function expectTwin(benign: string, hostile: string, payload: string, where: string): void {
  const shell = shellOf(benign);
  expect(shellOf(hostile), where).toBe(shell);
  checked[shell][0]++;
  if (benign.toLowerCase().includes(MARK)) checked[shell][1]++;
  const twin = (t: Token): Token => (t.kind === 'word' ? { kind: 'word', value: expected(t.value, payload) } : t);
  if (shell === 'cmd') expect(cmdTokens(hostile), `${where}\n${hostile}`).toEqual(cmdTokens(benign).map(twin));
  else if (shell === 'powershell') expect(psTokens(hostile), `${where}\n${hostile}`).toEqual(psTokens(benign).map(twin));
  else {
    const b = paste(benign);
    const h = paste(hostile);
    expect(b.runs.length, `${where}: the plain command runs one stub\n${benign}`).toBe(1);
    // Only the file the command itself writes (ldapsearch … > file), under its twin's name.
    for (const f of h.files) expect(b.files.map((x) => sub(x, payload)), `${where}: no other file appears\n${hostile}`).toContain(f);
    expect(h.runs, `${where}: only ${b.runs[0].program} runs, the name as one argument\n${hostile}`).toEqual(b.runs.map((r) => ({ program: r.program, argv: r.argv.map((a) => expected(a, payload)) })));
  }
}

/** Runs a build with the marker and with the payload; a refusal of the hostile one is safe. */
function expectInert(
  build: (value: string) => string[],
  payload: string,
  where: string,
  refusals: (e: unknown) => boolean = (e) => e instanceof UnsafeCommandValueError,
  /** Builds the hostile command when `payload` is what the value becomes inside it (escaped for a filter language). */
  buildHostile?: (value: string) => string[],
): 'refused' | 'checked' {
  const benign = build(MARK);
  let hostile: string[];
  try {
    hostile = (buildHostile ?? build)(payload);
  } catch (e) {
    if (refusals(e)) return 'refused';
    throw e;
  }
  expectTwins(benign, hostile, payload, where);
  return 'checked';
}

const programOf = (c: string) => c.trim().split(/\s+/)[0];

function isTwin(benign: string, hostile: string, payload: string): boolean {
  try {
    expectTwin(benign, hostile, payload, '');
    return true;
  } catch {
    return false;
  }
}

/**
 * Pairs each hostile command with its twin. A builder may leave out a command whose value it will
 * not print (a ktpass line, one holder's setspn -D): a benign twin without a partner is skipped.
 * Sorted output (holders by name) may put the twin elsewhere.
 */
function expectTwins(benign: string[], hostile: string[], payload: string, where: string): void {
  const unused = [...benign];
  for (const h of hostile) {
    const i = unused.findIndex((b) => isTwin(b, h, payload));
    // A fallback a refused value leads to (nslookup of the address instead of a URL with the PTR name) does not carry it.
    if (i < 0 && !h.includes(payload) && !h.includes(payload.toUpperCase())) continue;
    if (i < 0) {
      // No twin: show why against the first command of the same program.
      const same = unused.find((b) => programOf(b) === programOf(h));
      expect(same, `${where}: ${h} has no twin among\n${benign.join('\n')}`).toBeDefined();
      expectTwin(same!, h, payload, where);
    }
    unused.splice(i, 1);
  }
}

const commandsOf = (f: Finding): string[] => [...f.fix.commands, ...(f.fix.alternatives ?? []).flatMap((a) => a.commands)];

/** Every string in `v` (plain objects and arrays, deep) with `token` replaced; dates, buffers and maps stay as they are. */
function taint<T>(v: T, token: string, by: string): T {
  if (typeof v === 'string') return v.split(token).join(by) as T;
  if (Array.isArray(v)) return v.map((x) => taint(x, token, by)) as T;
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, taint(x, token, by)])) as T;
  return v;
}

beforeAll(() => {
  bash = BashSandbox.create();
});
afterAll(() => bash?.close());

describe('hostile names in every fix command', () => {
  it('the sandbox records what runs, sees an injection and a created file (the check itself can fail)', () => {
    const injected = paste('curl -sI http://crm/;touch pwned;>made');
    expect(injected.runs.map((r) => r.program)).toEqual(['curl', 'touch']);
    expect(injected.files).toEqual(['made']);
    expect(cmdTokens('setspn -S HTTP/crm&calc& crmweb').filter((t) => t.kind === 'op').map((t) => t.value)).toEqual(['&', '&']);
    expect(psTokens("Enable-ADAccount -Identity crm;calc").filter((t) => t.kind === 'op').map((t) => t.value)).toEqual([';']);
    expect(psTokens("Enable-ADAccount -Identity 'crm;calc'").filter((t) => t.kind === 'op')).toEqual([]);
  });

  it.each(BUILDERS.map((b) => [b.name, b] as const))('builder %s: refuses each hostile value or quotes it inert', (name, b) => {
    for (const p of PAYLOADS) expectInert((v) => [b.build(v)], b.inner ? b.inner(p) : p, `${name} ← ${JSON.stringify(p)}`, undefined, b.inner ? () => [b.build(p)] : undefined);
  });

  it('every rule of every catalog (why-401, ADFS, duplicate-SPN and encryption-type watches), fed its cases with hostile names, refuses them or prints inert commands', () => {
    const seen = new Set<string>();
    for (const table of TABLES) {
      for (const c of table.cases) {
        const json = JSON.stringify(c.evidence);
        for (const token of table.tokens.filter((t) => json.includes(t))) {
          const evidence = (by: string) => (table.prepare ?? ((e: unknown) => e))(taint(c.evidence, token, by) as never) as never;
          const benign = runRules(evidence(MARK), table.rules);
          for (const p of PAYLOADS) {
            let hostileEvidence: never;
            try {
              hostileEvidence = evidence(p);
            } catch (e) {
              // The scan itself refuses the name (krb etypes builds its fixes while scanning): nothing printed.
              if (e instanceof UnsafeCommandValueError) continue;
              throw e;
            }
            const hostile = runRules(hostileEvidence, table.rules);
            const where = `${table.name}: ${c.name} / ${token} ← ${JSON.stringify(p)}`;
            const refused = new Set<string>();
            for (const f of hostile.findings.filter((x) => x.ruleId === 'rule-error')) {
              // A rule stops only because src/fix refused the name.
              expect(f.evidence.join(' '), where).toMatch(/threw: UnsafeCommandValueError/);
              refused.add(f.subject!);
              seen.add(f.subject!);
            }
            const byRule = (fs: Finding[], id: string) => fs.filter((f) => f.ruleId === id);
            for (const id of new Set(benign.findings.map((f) => f.ruleId))) {
              if (refused.has(id) || id === 'rule-error') continue;
              const b = byRule(benign.findings, id);
              const h = byRule(hostile.findings, id);
              expect(h.length, `${where}: ${id}`).toBe(b.length);
              b.forEach((bf, i) => {
                seen.add(id);
                expectTwins(commandsOf(bf), commandsOf(h[i]), p, `${where}: ${id}`);
              });
            }
          }
        }
      }
    }
    expect([...seen].sort()).toEqual([...new Set(catalogs.flatMap((c) => c.rules.map((r) => r.id)))].sort());
  });

  it('change requests: a hostile SPN or account is refused before it reaches a setspn line', () => {
    const refusal = (e: unknown) => e instanceof InvalidInputError || e instanceof UnsafeCommandValueError;
    for (const p of PAYLOADS) {
      for (const [spn, account] of [[`HTTP/${MARK}.contoso.test`, 'CONTOSO\\crmweb'], ['HTTP/crm.contoso.test', `CONTOSO\\${MARK}`], ['HTTP/crm.contoso.test', MARK]]) {
        for (const action of ['add', 'remove'] as const) {
          const changes = (v: string) => normaliseChanges([{ action, spn: sub(spn, v), account: sub(account, v) }]);
          expectInert((v) => handOffCommands(changes(v), 'CONTOSO'), p, `hand-off ${action} ${spn} ${account} ← ${JSON.stringify(p)}`, refusal);
          expectInert((v) => rollbackCommands(changes(v), 'CONTOSO'), p, `rollback ${action} ${spn} ${account} ← ${JSON.stringify(p)}`, refusal);
        }
      }
    }
  });

  it('the duplicate-SPN watch: hostile holders and SPNs give no command or inert ones', () => {
    for (const p of PAYLOADS) {
      for (const [sam, spn] of [[MARK, 'HTTP/crm.contoso.test'], ['crmweb', `HTTP/${MARK}.contoso.test`]]) {
        const finding = (v: string) => {
          const owners = [sub(sam, v), 'crmweb2'].map((n) => ({ dn: `CN=${n},DC=contoso,DC=test`, sAMAccountName: n, spns: [sub(spn, v)] }));
          const [issue] = findSpnIssues(owners, { allowList: [], mappings: new Map() });
          return commandsOf(issueFinding(issue, 'CONTOSO'));
        };
        // A refused holder loses its own line (and the summary says why); the other lines are their twins.
        expectTwins(finding(MARK), finding(p), p, `dupes-watch ${sam} ${spn} ← ${JSON.stringify(p)}`);
      }
    }
  });

  it('the ADFS watch and krb etypes: hostile relying parties, URLs and accounts give inert commands', () => {
    for (const p of PAYLOADS) {
      const w = (what: string) => `${what} ← ${JSON.stringify(p)}`;
      expectInert((v) => updateFederationMetadataFix([`CRM ${v}`], 'Rollover.').commands, p, w('adfs update metadata'));
      expectInert((v) => renewCertificateFix('Token-Signing', [v], false).commands, p, w('adfs renew'));
      expectInert((v) => endpointFix(`https://adfs.contoso.test/${v}/FederationMetadata.xml`).commands, p, w('adfs endpoint'));
      for (const kind of ['user', 'computer', 'gmsa'] as const) {
        const target = (v: string) => ({ sAMAccountName: v, kind, spns: [`HTTP/${v}.contoso.test`], useDesKeyOnly: true });
        expectInert((v) => accountFix(target(v), { resetKeys: true, allowAes: true }, { netbios: 'CONTOSO', realm: 'CONTOSO.TEST' }).commands, p, w(`etypes ${kind}`));
        expectInert((v) => kerberoastFix(target(v), false, { netbios: 'CONTOSO', realm: 'CONTOSO.TEST' }).commands, p, w(`etypes kerberoast ${kind}`));
      }
    }
  });

  it('krb explain: URLs, hosts and SPNs in pasted text reach its next checks only checked and quoted', () => {
    const ops = (c: string) => (shellOf(c) === 'powershell' ? psTokens(c) : cmdTokens(c)).filter((t) => t.kind === 'op').map((t) => t.value);
    for (const p of PAYLOADS) {
      const text = (v: string) => `KRB_AP_ERR_MODIFIED and 401.1 for http://${v}.contoso.test/app/${v} (HTTP/${v}.contoso.test), KDC_ERR_S_PRINCIPAL_UNKNOWN, ID4175`;
      const benign = explainText(text(MARK)).matches;
      const hostile = explainText(text(p)).matches;
      expect(hostile.map((m) => m.code)).toEqual(benign.map((m) => m.code));
      hostile.forEach((m, i) =>
        m.nextChecks.forEach((cmd, j) => {
          const where = `explain ${m.code} ← ${JSON.stringify(p)}\n${cmd}`;
          const twin = benign[i].nextChecks[j];
          if (shellOf(cmd) === 'posix') {
            // The URL is cut where the text ends it (space, quote, bracket): only its program may run, on no file.
            const r = paste(cmd);
            expect(r.files, where).toEqual([]);
            // A refused URL leaves the <url> placeholder: bash then runs nothing at all.
            const programs = paste(twin).runs.map((x) => x.program);
            expect(r.runs.length, where).toBeLessThanOrEqual(programs.length);
            for (const x of r.runs) expect(programs, where).toContain(x.program);
          } else expect(ops(cmd), where).toEqual(ops(twin));
        }),
      );
    }
  });

  it('the cards show each command exactly as built: what is pasted from Slack or Teams is what was checked', () => {
    const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    for (const p of PAYLOADS) {
      const owners = ['crmweb', 'crm web2'].map((n) => ({ dn: `CN=${n},DC=contoso,DC=test`, sAMAccountName: n, spns: ['HTTP/crm.contoso.test'] }));
      const run = runRules(taint<Evidence>(cases[0].evidence, 'crmweb', p), rules);
      const findings = [...run.findings, issueFinding(findSpnIssues(owners, { allowList: [], mappings: new Map() })[0], 'CONTOSO')];
      const built = new Set(findings.flatMap(commandsOf));
      const result = aWhy401({ findings });
      const slack = why401Card(result);
      const shown = [slack, ...slack.followUps]
        .flatMap((m) => m.blocks)
        .flatMap((b) => (b.type === 'section' && b.text ? [...b.text.text.matchAll(/```([\s\S]*?)```/g)].flatMap((m) => unescape(m[1]).split('\n')) : []));
      for (const s of shown) expect(built, `Slack shows ${JSON.stringify(s)}`).toContain(s);
      const mono: string[] = [];
      const visit = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(visit);
        else if (v && typeof v === 'object') {
          const o = v as Record<string, unknown>;
          if (o.type === 'Container' && o.style === 'Emphasis') for (const t of o.items as { text: string }[]) mono.push(t.text);
          else Object.values(o).forEach(visit);
        }
      };
      visit(cardsForResult(result));
      expect(mono.length).toBeGreaterThan(0);
      for (const s of mono) expect(built, `Teams shows ${JSON.stringify(s)}`).toContain(s);
    }
  });

  it('checked commands of every shell, with the hostile name in them', () => {
    // Runs last: the shells were each exercised with hostile names that were printed (quoted), not only refused.
    for (const shell of ['cmd', 'powershell', 'posix'] as const) expect(checked[shell][1], shell).toBeGreaterThan(0);
  });
});
