/** krb etypes cards: Slack Block Kit within limits; the Teams cards are in the rendered catalogue (test/cards/teams). */
import { describe, expect, it } from 'vitest';
import { etypesCard, renderResult } from '../../cards/slack/index.js';
import { cardsForResult } from '../../cards/teams/index.js';
import { allText, expectWithinLimits } from '../cards/slack/builders.js';
import { etypesFixtures } from './fixtures.js';

describe('krb etypes Slack card', () => {
  it('leads with what fails now and gives each account its reasons and fix commands', () => {
    const r = etypesCard(etypesFixtures['etypes-mixed']);
    expectWithinLimits(r);
    const t = allText(r);
    expect(r.blocks[0]).toMatchObject({ type: 'header', text: { text: ':red_circle: 3 account(s) fail now, 1 at risk; krbtgt at risk' } });
    expect(t).toContain('3 fails now, 1 at risk, 1 kerberoastable, 1 ok');
    expect(t).toContain('Set-ADAccountPassword -Identity crmweb -Reset');
    expect(t).toContain('Set-ADAccountPassword -Identity krbtgt -Reset');
    expect(t).toMatch(/heuristic/);
    expect(t.indexOf('crmweb')).toBeLessThan(t.indexOf('sqlservice'));
  });

  it('is the card the registry renders for the result', () => {
    expect(renderResult(etypesFixtures['etypes-mixed'])).toEqual(etypesCard(etypesFixtures['etypes-mixed']));
  });

  it('says a clean domain is ready', () => {
    const r = etypesCard(etypesFixtures['etypes-clean']);
    expect(r.blocks[0]).toMatchObject({ text: { text: ':white_check_mark: Every SPN account is ready for the AES-only KDC' } });
  });

  it('keeps 600 failing accounts within limits, whole, with follow-ups and a pointer to --json', () => {
    const r = etypesCard(etypesFixtures['etypes-huge']);
    expectWithinLimits(r);
    expect(r.followUps.length).toBeGreaterThan(0);
    expect(allText(r)).toMatch(/krbops krb etypes --json/);
  });
});

describe('krb etypes Teams cards', () => {
  it('stay within the card count and name what they leave out', () => {
    const cards = cardsForResult(etypesFixtures['etypes-huge']);
    expect(cards.length).toBeLessThanOrEqual(6);
    expect(JSON.stringify(cards.at(-1))).toMatch(/more account\(s\) not shown: run krbops krb etypes --json/);
  });
});
