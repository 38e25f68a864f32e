/**
 * Every card the Teams surface can send, built from the fixtures by the real card functions:
 * the rendering test and the schema test both walk this list.
 */
import { commands } from '../../../commands/index.js';
import {
  alertCards,
  approvalsNotConfiguredCard,
  cardsForResult,
  changeRequestedCard,
  errorCard,
  findingsCards,
  helpCards,
  textCards,
  usageCard,
  welcomeCard,
  type AdaptiveCard,
} from '../../../cards/teams/index.js';
import { etypesFixtures } from '../../etypes/fixtures.js';
import { findSpnIssues, newIssueAlert } from '../../../src/jobs/duplicates.js';
import { adfsFixtures, errorFixtures, explainFixtures, genericFixtures, spnDupesFixtures, spnListFixtures, spnQueryFixtures, why401Fixtures } from './fixtures.js';

export interface CatalogueEntry {
  name: string;
  cards: AdaptiveCard[];
}

export function cardCatalogue(): CatalogueEntry[] {
  const out: CatalogueEntry[] = [];
  const results = { ...why401Fixtures, ...spnListFixtures, ...spnQueryFixtures, ...spnDupesFixtures, ...errorFixtures, ...explainFixtures, ...adfsFixtures, ...etypesFixtures };
  for (const [name, r] of Object.entries(results)) out.push({ name, cards: cardsForResult(r) });
  out.push({ name: 'usage-card', cards: [usageCard(errorFixtures['error-usage'])] });
  out.push({ name: 'error-card-direct', cards: [errorCard(errorFixtures['error-directory-down'])] });
  out.push({ name: 'help', cards: helpCards(commands) });
  out.push({ name: 'findings-generic', cards: cardsForResult(genericFixtures.findings) });
  out.push({ name: 'findings-empty', cards: findingsCards('future check', [], 'No finding.') });
  out.push({ name: 'text-explain', cards: textCards('krb explain', genericFixtures.text) });
  out.push({ name: 'alert-dupes', cards: alertCards({ title: 'New duplicate SPN: HTTP/crm.contoso.test', text: 'HTTP/crm.contoso.test is now on crmweb and crmweb2.', severity: 'critical', key: 'dupes:HTTP/crm.contoso.test' }) });
  const [dup] = findSpnIssues(
    ['svc_crmweb', 'svc_crmold'].map((n) => ({ dn: `CN=${n},OU=Service Accounts,DC=contoso,DC=test`, sAMAccountName: n, spns: ['HTTP/crm.contoso.test'] })),
    { allowList: [], mappings: new Map() },
  );
  out.push({ name: 'alert-dupes-finding', cards: alertCards(newIssueAlert('DC=contoso,DC=test', { ...dup, since: '2026-11-21T08:00:00.000Z', episode: 0 }, { domain: 'CONTOSO' })) });
  out.push({ name: 'alert-adfs', cards: alertCards({ title: 'AD FS token-signing certificate expires in 5 days', findings: adfsFixtures['adfs-rollover'].findings, source: 'ADFS watch', at: '2026-11-21T23:55:00.000Z', lines: ['Relying parties must refresh the federation metadata before the rollover.'] }) });
  const changes = why401Fixtures['why-401-spn-wrong-account'].findings[0].fix.spnChanges!;
  out.push({ name: 'approvals-not-configured', cards: [approvalsNotConfiguredCard(changes)] });
  out.push({ name: 'change-requested', cards: [changeRequestedCard({ id: 'REQ-0042', status: 'pending', changes, requestedBy: 'Adele Vance', next: 'Waiting for an approver (KRBOPS_ADMINS).' })] });
  out.push({ name: 'welcome-channel', cards: [welcomeCard('channel')] });
  out.push({ name: 'welcome-personal', cards: [welcomeCard('personal')] });
  return out;
}
