/**
 * The command registry, listed by hand: every surface (CLI, Slack, Teams) registers exactly these.
 * A meta-test checks each entry has a summary, examples and a text renderer.
 */
import type { AnyCommand } from './types.js';
import spnList from './spn-list.js';
import spnQuery from './spn-query.js';
import spnDupes from './spn-dupes.js';
import adfsCheck, { krbAdfs } from './adfs-check.js';
import krbWhy401 from './krb-why-401.js';
import krbExplain from './krb-explain.js';
import krbEtypes from './krb-etypes.js';
import { krbApprovals, krbVerify } from './krb-approvals.js';

export const commands: AnyCommand[] = [spnList, spnQuery, spnDupes, adfsCheck, krbWhy401, krbExplain, krbEtypes, krbAdfs, krbApprovals, krbVerify];
