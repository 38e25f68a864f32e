/**
 * SPN change requests: request → decision → hand-off → verification.
 *
 * An engineer asks for the SPN changes of a finding; a krbops admin (KRBOPS_ADMINS) approves or
 * rejects; on approval the admin is handed the exact `setspn` commands — krbops never writes to
 * Active Directory — and krbops later reads AD to confirm the change landed (an added SPN must be
 * on the account and on no other). Every step is kept in the store's audit trail.
 *
 *   transitions.ts  who may do what, and what each step turns a record into (pure)
 *   changes.ts      validation, de-duplication and the setspn commands (pure)
 *   verification.ts whether a change landed, from what AD showed (pure)
 *   service.ts      createApprovals({ store, config, log, now }): the steps with store I/O
 *   ports.ts        createChatApprovals(...): what the Slack and Teams surfaces call
 */
export * from './changes.js';
export * from './errors.js';
export * from './ports.js';
export * from './service.js';
export * from './transitions.js';
export * from './verification.js';
