/**
 * Teams cards as data: what each card says, where the colours and commands go, and that every card
 * the surface can produce passes the 1.5 schema check and stays under Teams' size limit.
 */
import { describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.js';
import {
  CARD_BUDGET_BYTES,
  MAX_CARDS,
  REQUEST_CHANGE_VERB,
  cardBytes,
  cardsForResult,
  errorCard,
  helpCards,
  approvalsNotConfiguredCard,
  type AdaptiveCard,
} from '../../../cards/teams/index.js';
import { cardCatalogue } from './catalogue.js';
import { adfsFixtures, errorFixtures, explainFixtures, genericFixtures, spnDupesFixtures, spnListFixtures, spnQueryFixtures, why401Fixtures } from './fixtures.js';
import { checkCardSchema, TEAMS_MESSAGE_LIMIT } from './schema.js';

/** Every object in the card, depth first. */
function walk(card: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      out.push(v as Record<string, unknown>);
      Object.values(v).forEach(visit);
    }
  };
  visit(card);
  return out;
}
const textBlocks = (c: unknown) => walk(c).filter((o) => o.type === 'TextBlock') as { text: string; fontType?: string; color?: string; wrap?: boolean }[];
const allText = (cards: AdaptiveCard[]) => cards.flatMap((c) => textBlocks(c).map((t) => t.text)).join('\n');
/** Every code block (an Emphasis container of monospace lines) with the text right above it. */
function codeBlocksUnder(card: unknown): { heading: string; commands: string[] }[] {
  const out: { heading: string; commands: string[] }[] = [];
  for (const o of walk(card)) {
    const items = (o.items ?? o.body) as Record<string, unknown>[] | undefined;
    if (!Array.isArray(items)) continue;
    items.forEach((it, i) => {
      if (it.type !== 'Container' || it.style !== 'Emphasis') return;
      const prev = items[i - 1] as { type?: string; text?: string } | undefined;
      out.push({ heading: prev?.type === 'TextBlock' ? prev.text ?? '' : '', commands: (it.items as { text: string }[]).map((t) => t.text) });
    });
  }
  return out;
}
const executes = (c: unknown) => walk(c).filter((o) => o.type === 'Action.Execute') as { title: string; verb: string; data: { changes: unknown[]; ruleId: string } }[];

describe('why-401 card', () => {
  const r = why401Fixtures['why-401-spn-wrong-account'];
  const [card, ...rest] = cardsForResult(r);

  it('fits one card and opens with the verdict under the heading', () => {
    expect(rest).toHaveLength(0);
    const texts = textBlocks(card).map((t) => t.text);
    expect(texts[0]).toBe('krb why-401 http://crm.contoso.test/');
    expect(texts.slice(1, 3)).toEqual(['Most likely cause', r.verdict]);
  });

  it('colours each finding by severity and keeps the ranking', () => {
    const labels = textBlocks(card).filter((t) => /^(CRITICAL|HIGH|MEDIUM|LOW|INFO)/.test(t.text));
    expect(labels.map((t) => [t.text, t.color])).toEqual([
      ['HIGH', 'Attention'],
      ['HIGH', 'Attention'],
      ['MEDIUM', 'Warning'],
      ['HIGH · UNKNOWN', 'Attention'],
    ]);
    expect(textBlocks(card).some((t) => t.text.startsWith('1. HTTP/crm.contoso.test is registered on NDCRMSRV1$'))).toBe(true);
  });

  it('shows the evidence as facts and each fix command alone in a monospace text block that wraps', () => {
    const factSets = walk(card).filter((o) => o.type === 'FactSet') as { facts: { title: string; value: string }[] }[];
    expect(factSets.flatMap((f) => f.facts)).toContainEqual({ title: 'HTTP/crm.contoso.test', value: 'held by NDCRMSRV1$ (CN=NDCRMSRV1,OU=Servers,DC=contoso,DC=test)' });
    const mono = textBlocks(card).filter((t) => t.fontType === 'Monospace');
    expect(mono.map((t) => t.text)).toEqual(expect.arrayContaining(['setspn -D HTTP/crm.contoso.test NDCRMSRV1$', 'setspn -S HTTP/crm.contoso.test CONTOSO\\svc_crmweb', 'iisreset /noforce']));
    expect(mono.every((t) => t.wrap === true)).toBe(true);
  });

  it('offers "Request this change" only on findings with SPN changes, carrying the changes', () => {
    const acts = executes(card);
    expect(acts.map((a) => a.data.ruleId)).toEqual(['spn-wrong-account', 'spn-missing-short-name']);
    expect(acts.every((a) => a.title === 'Request this change' && a.verb === REQUEST_CHANGE_VERB)).toBe(true);
    expect(acts[0].data.changes).toEqual(r.findings[0].fix.spnChanges);
  });

  it('says what was undecided and what it needs', () => {
    expect(allText([card])).toContain('Could not decide: needs the web server’s Date header (the probe timed out)');
  });

  it('gives a healthy verdict in green with the checks that passed', () => {
    const [healthy] = cardsForResult(why401Fixtures['why-401-healthy']);
    const verdict = walk(healthy).find((o) => o.type === 'Container') as { style: string };
    expect(verdict.style).toBe('Good');
    expect(allText([healthy])).toMatch(/Passed \(6\): Negotiate is offered · .* · Clocks agree/);
    expect(executes(healthy)).toHaveLength(0);
    expect(allText([healthy])).toContain('Not applicable: Constrained delegation targets (no --backend given)');
  });

  it('lists the collectors that failed', () => {
    const t = allText(cardsForResult(why401Fixtures['why-401-collector-errors']));
    expect(t).toContain('Some evidence could not be gathered');
  });

  it('splits a long answer over several cards, each under the budget, in order', () => {
    const r = why401Fixtures['why-401-many-findings'];
    const cards = cardsForResult(r);
    expect(cards.length).toBeGreaterThan(1);
    expect(cards.length).toBeLessThanOrEqual(MAX_CARDS);
    for (const c of cards) expect(cardBytes(c)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    expect(textBlocks(cards[1])[0].text).toMatch(/^krb why-401 http:\/\/crm.contoso.test\/ \(continued, 2\/\d\)$/);
    const ranks = cards.flatMap((c) => textBlocks(c).map((t) => /^(\d+)\. Finding number/.exec(t.text)?.[1]).filter(Boolean).map(Number));
    expect(ranks).toEqual(ranks.map((_, i) => i + 1));
    // Whatever did not fit is named, with where to see it all.
    if (ranks.length < r.findings.length) expect(allText(cards)).toContain(`${r.findings.length - ranks.length} more finding(s) not shown; run krbops krb why-401`);
  });

  it('clips hostile or huge text instead of sending it whole', () => {
    const cards = cardsForResult(why401Fixtures['why-401-hostile-text']);
    for (const c of cards) expect(checkCardSchema(c)).toEqual([]);
    expect(Math.max(...cards.flatMap((c) => textBlocks(c).map((t) => t.text.length)))).toBeLessThan(3100);
  });
});

describe('spn cards', () => {
  it('spn list shows the account facts and every SPN in monospace', () => {
    const cards = cardsForResult(spnListFixtures['spn-list-service-account']);
    expect(cards).toHaveLength(1);
    const t = allText(cards);
    expect(textBlocks(cards[0])[0].text).toBe('SPNs of CONTOSO\\svc_crmweb');
    expect(textBlocks(cards[0]).filter((b) => b.fontType === 'Monospace').map((b) => b.text)).toEqual(['HTTP/crm.contoso.test', 'HTTP/crm', 'HTTP/ndcrmsrv1.contoso.test:5555']);
    const factsOf = walk(cards[0]).filter((o) => o.type === 'FactSet').flatMap((f) => (f as { facts: { title: string; value: string }[] }).facts);
    expect(factsOf).toContainEqual({ title: 'Delegation', value: 'constrained to 2 SPN(s), any protocol' });
    expect(t).toContain('Service principal names (3)');
  });

  it('spn list of an account without SPNs says so', () => {
    expect(allText(cardsForResult(spnListFixtures['spn-list-no-spns']))).toContain('No SPNs are registered on this account.');
  });

  it('spn list with 1200 SPNs spreads them over cards under the limit', () => {
    const cards = cardsForResult(spnListFixtures['spn-list-many-spns']);
    expect(cards.length).toBeGreaterThan(1);
    for (const c of cards) expect(cardBytes(c)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    const shown = cards.flatMap((c) => textBlocks(c).filter((b) => b.fontType === 'Monospace' && b.text.startsWith('HOST/web')));
    const omittedNote = /(\d+) or so more SPNs not shown/.exec(allText(cards));
    expect(shown.length === 1200 || omittedNote !== null).toBe(true);
  });

  it('spn query flags a duplicate with one removal per holder, each in its own block under its own condition, and a "Keep on" button each', () => {
    const [c] = cardsForResult(spnQueryFixtures['spn-query-duplicate']);
    const attention = walk(c).find((o) => o.type === 'Container' && o.style === 'Attention');
    expect(attention).toBeDefined();
    expect(codeBlocksUnder(c)).toEqual([
      { heading: 'If svc_crmweb does not run the service:', commands: ['setspn -D HTTP/crm.contoso.test svc_crmweb'] },
      { heading: 'If svc_crmold does not run the service:', commands: ['setspn -D http/CRM.contoso.test svc_crmold'] },
    ]);
    expect(executes(c).map((a) => [a.title, a.verb, a.data.changes])).toEqual([
      ['Keep on svc_crmweb', REQUEST_CHANGE_VERB, [{ action: 'remove', spn: 'http/CRM.contoso.test', account: 'svc_crmold', accountDn: 'CN=svc_crmold,OU=Service Accounts,DC=contoso,DC=test' }]],
      ['Keep on svc_crmold', REQUEST_CHANGE_VERB, [{ action: 'remove', spn: 'HTTP/crm.contoso.test', account: 'svc_crmweb', accountDn: 'CN=svc_crmweb,OU=Service Accounts,DC=contoso,DC=test' }]],
    ]);
    expect(allText([c])).toContain('svc_crmold (disabled)');
  });

  it('spn query explains an SPN nobody holds and one answered through sPNMappings', () => {
    expect(allText(cardsForResult(spnQueryFixtures['spn-query-none']))).toContain('No account holds HTTP/nowhere.contoso.test.');
    expect(allText(cardsForResult(spnQueryFixtures['spn-query-alias-only']))).toContain('NDRPTSRV1$ answers for it through sPNMappings (HOST/NDRPTSRV1.contoso.test)');
  });

  it('spn dupes lists each duplicate with its accounts and the alias collisions', () => {
    const cards = cardsForResult(spnDupesFixtures['spn-dupes-found']);
    const t = allText(cards);
    expect(t).toContain('2 duplicate SPN(s), 1 alias collision(s).');
    expect(t).toContain('HTTP/ndcrmsrv2.contoso.test ↔ HOST/ndcrmsrv2.contoso.test');
    expect(cards.flatMap(codeBlocksUnder)).toEqual([
      { heading: 'If svc_crmweb does not run the service:', commands: ['setspn -D HTTP/crm.contoso.test svc_crmweb'] },
      { heading: 'If svc_crmold does not run the service:', commands: ['setspn -D HTTP/crm.contoso.test svc_crmold'] },
      { heading: 'If svc_sql does not run the service:', commands: ['setspn -D MSSQLSvc/ndsqlsrv1.contoso.test:1433 svc_sql'] },
      { heading: 'If NDSQLSRV1$ does not run the service:', commands: ['setspn -D MSSQLSvc/ndsqlsrv1.contoso.test:1433 NDSQLSRV1$'] },
    ]);
    expect(cards.flatMap(executes).map((a) => [a.title, a.data.changes.map((c) => (c as { account: string }).account)])).toEqual([
      ['Keep on svc_crmweb', ['svc_crmold']],
      ['Keep on svc_crmold', ['svc_crmweb']],
      ['Keep on svc_sql', ['NDSQLSRV1$']],
      ['Keep on NDSQLSRV1$', ['svc_sql']],
    ]);
    expect(allText(cardsForResult(spnDupesFixtures['spn-dupes-clean']))).toContain('No duplicate SPNs and no alias collisions.');
  });

  it('spn dupes with 3000 duplicates stops at the card cap and says how many were left out', () => {
    const cards = cardsForResult(spnDupesFixtures['spn-dupes-huge']);
    expect(cards).toHaveLength(MAX_CARDS);
    expect(allText(cards)).toMatch(/\d+ more duplicate\(s\) or collision\(s\) not shown; run krbops spn dupes --json/);
  });
});

describe('explain, ADFS and other results', () => {
  it('krb explain shows the meaning, the rules that cause it, and what to check next in monospace', () => {
    const r = explainFixtures['explain-krb-ap-err-modified'];
    const cards = cardsForResult(r);
    const t = allText(cards);
    expect(t).toContain(r.verdict);
    expect(t).toContain('KRB_AP_ERR_MODIFIED');
    const mono = cards.flatMap((c) => textBlocks(c).filter((b) => b.fontType === 'Monospace').map((b) => b.text));
    expect(mono).toEqual(expect.arrayContaining(r.matches[0].nextChecks));
  });

  it('krb adfs lists each certificate with its days left and the findings', () => {
    const t = allText(cardsForResult(adfsFixtures['adfs-rollover']));
    expect(t).toContain('1 problem(s) with the AD FS certificates.');
    expect(t).toContain('signing · primary · CN=ADFS Signing - adfs.contoso.test');
    expect(t).toContain('The AD FS token-signing certificate expires in 5 days');
    expect(allText(cardsForResult(adfsFixtures['adfs-nothing-configured']))).toContain('KRBOPS_ADFS_METADATA_URLS is empty');
  });

  it('a result kind without its own card falls back to the findings layout', () => {
    const t = allText(cardsForResult(genericFixtures.findings));
    expect(t).toContain('A check added after these cards were written');
  });
});

describe('error, usage and help cards', () => {
  it('names the domain controllers and the reason when the directory is down', () => {
    const c = errorCard(errorFixtures['error-directory-down']);
    const f = walk(c).filter((o) => o.type === 'FactSet').flatMap((x) => (x as { facts: { title: string; value: string }[] }).facts);
    expect(f).toContainEqual({ title: 'Domain controllers', value: 'ldaps://dc1.contoso.test:636, ldaps://dc2.contoso.test:636' });
    expect(f.find((x) => x.title === 'Reason')!.value).toContain('ECONNREFUSED');
    expect(allText([c])).toContain('No domain controller answered');
  });

  it('turns a usage error into a usage card with the usage lines in monospace', () => {
    const c = errorCard(errorFixtures['error-usage']);
    expect(textBlocks(c)[0].text).toBe('That command needs a fix');
    expect(textBlocks(c).filter((t) => t.fontType === 'Monospace').map((t) => t.text)).toContain('Usage: spn list <account>');
  });

  it('lists every registered command with its examples', () => {
    const t = allText(helpCards(commands));
    for (const c of commands) {
      expect(t).toContain(c.summary);
      for (const e of c.examples) expect(t).toContain(e);
    }
  });

  it('says plainly that approvals are not configured, and does not claim a request', () => {
    const c = approvalsNotConfiguredCard([{ action: 'add', spn: 'HTTP/crm', account: 'CONTOSO\\svc_crmweb' }]);
    const t = allText([c]);
    expect(t).toContain('Change requests are not configured');
    expect(t).toContain('krbops has not recorded or sent this request');
    expect(t).toContain('setspn -S HTTP/crm CONTOSO\\svc_crmweb');
  });
});

describe('every card the surface can produce', () => {
  const catalogue = cardCatalogue();

  it.each(catalogue.map((e) => [e.name, e] as const))('%s passes the 1.5 schema check and the size limit', (_name, entry) => {
    expect(entry.cards.length).toBeGreaterThan(0);
    for (const c of entry.cards) {
      expect(checkCardSchema(c)).toEqual([]);
      expect(cardBytes(c)).toBeLessThan(TEAMS_MESSAGE_LIMIT);
    }
  });

  it('the schema check rejects what Teams would reject', () => {
    expect(checkCardSchema({ type: 'AdaptiveCard', version: '1.6', body: [{ type: 'Table' }] })).toEqual([
      'card.version: expected 1.5 (what Teams renders), got 1.6',
      'card.body[0]: unknown element type "Table"',
    ]);
    expect(checkCardSchema({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', fontType: 'Mono' }] })).toEqual([
      'card.body[0]: missing required "text"',
      'card.body[0].fontType: "Mono" is not one of default|monospace',
    ]);
  });
});
