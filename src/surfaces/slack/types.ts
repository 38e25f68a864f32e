/** What the Slack surface is given: its dependencies and the approvals port. */
import type { WorkQueueOptions } from './work-queue.js';
import type { Logger } from 'pino';
import type { CommandGate } from '../../policy/gate.js';
import type { webApi } from '@slack/bolt';
import type { CommandHooks } from '../../../commands/run.js';
import type { AnyCommand, CommandObservation } from '../../../commands/types.js';
import type { ChangeRequestInput, ChangeRequestView } from '../../approvals/types.js';
import type { ChangeRequestPort } from '../../approvals/ports.js';
import type { CoreOptions } from '../../core.js';

/** The one approvals port (src/approvals/ports.ts), shared with Teams. */
export type { ChangeRequestPort };

export type { CommandObservation, ChangeRequestInput, ChangeRequestView };

export interface SlackDeps {
  /** Default: silent. */
  log?: Logger;
  /** The registry to serve. Default: commands/index.ts. */
  commands?: AnyCommand[];
  /** Passed to createContext (a different directory opener, clock). Default: the LDAP directory of `config`. */
  core?: CoreOptions;
  /**
   * The approvals flow; without it the button says plainly that nothing was recorded. With the
   * approval actions too (src/approvals createChatApprovals), each request is posted as an approval
   * card to KRBOPS_ALERT_SLACK_CHANNEL (else the requester's channel) with Approve / Reject, then
   * "Verify in AD".
   */
  approvals?: ChangeRequestPort;
  /** Post "Working on it…" when a command runs longer than this. Default 1500 ms. */
  workingAfterMs?: number;
  /** Slash commands at work at once after their acknowledgement, and how long one may hold its place (src/surfaces/slack/work-queue.ts). Default 4 and 500 ms. */
  workQueue?: WorkQueueOptions;
  /** Web API retry policy. Default DEFAULT_RETRY_CONFIG. */
  retryConfig?: webApi.RetryOptions;
  /** Web API request timeout, default 10 000 ms. */
  apiTimeoutMs?: number;
  /** Called after each command (commands/run.ts hook: metrics, audit). */
  observe?(o: CommandObservation): void;
  /** Before each command runs (commands/run.ts hook: access policy); throw NotAuthorizedError to refuse. */
  authorize?: CommandHooks['authorize'];
  /** The access policy and the command audit (src/policy/gate.ts). Without it every command runs for everyone (tests of other parts). */
  gate?: CommandGate;
}
