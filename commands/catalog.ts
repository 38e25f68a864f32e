/**
 * What every command IS, without what it DOES: path, summary, arguments, examples, visibility.
 * Plain data with no imports beyond constants, so a surface can list, plan and parse every command
 * (help screens, chat planning, commander) while loading only the module of the one that runs
 * (commands/index.ts wraps each entry with a lazy import; issue 15: CLI start-up). Each command
 * module spreads its entry here into its CommandSpec, so this is the only copy.
 */
import type { ApprovalStatus } from '../src/model/approval.js';
import { MAX_EXPLAIN_LENGTH } from '../src/explain/limits.js';
import type { CommandInfo } from './types.js';

export const APPROVAL_STATUSES: ApprovalStatus[] = ['pending', 'approved', 'rejected', 'cancelled', 'landed'];

export const spnListInfo: CommandInfo = {
  path: ['spn', 'list'],
  summary: 'List the SPNs and Kerberos facts of an account (like setspn -L)',
  positionals: [{ name: 'account', required: true, description: 'sAMAccountName, DOMAIN\\name, UPN, computer name (with or without $) or DN' }],
  options: [],
  examples: ['spn list crmweb', 'spn list CONTOSO\\crmweb', 'spn list NDCRMSrv1$'],
  defaultVisibility: 'ephemeral',
};

export const spnQueryInfo: CommandInfo = {
  path: ['spn', 'query'],
  summary: 'Find every account that holds an SPN, forest-wide (like setspn -Q)',
  positionals: [{ name: 'spn', required: true, description: 'serviceclass/host[:port][/servicename], e.g. HTTP/crm.contoso.com' }],
  options: [{ name: 'no-aliases', type: 'boolean', description: 'Do not include HOST/ SPNs that answer for this one through sPNMappings' }],
  examples: ['spn query HTTP/crm.contoso.com', 'spn query MSSQLSvc/ndsqlsrv1.contoso.com:1433'],
  defaultVisibility: 'ephemeral',
};

export const spnDupesInfo: CommandInfo = {
  path: ['spn', 'dupes'],
  summary: 'Find duplicate SPNs forest-wide (like setspn -X -F) and HTTP/HOST alias collisions',
  positionals: [],
  options: [{ name: 'allow', type: 'string', multiple: true, valueName: 'spn', description: 'Also ignore this SPN (added to KRBOPS_DUPES_ALLOW)' }],
  examples: ['spn dupes', 'spn dupes --allow HTTP/legacy'],
  defaultVisibility: 'ephemeral',
};

export const adfsCheckInfo: CommandInfo = {
  path: ['adfs', 'check'],
  summary: 'Check AD FS token-signing certificates in the federation metadata: expiry, rollover, thumbprints relying parties trust',
  positionals: [
    {
      name: 'source',
      required: false,
      description: 'Federation metadata URL (https://adfs.example.com/FederationMetadata/2007-06/FederationMetadata.xml) or, on the command line, a file; default KRBOPS_ADFS_METADATA_URLS',
    },
  ],
  options: [],
  cliOptions: [{ name: 'pin', type: 'string', valueName: 'cert-file', description: 'Verify the metadata signature against this certificate (PEM bundle or DER .cer)' }],
  examples: ['adfs check', 'adfs check https://adfs.contoso.com/FederationMetadata/2007-06/FederationMetadata.xml', 'adfs check ./FederationMetadata.xml'],
  defaultVisibility: 'ephemeral',
};

export const krbAdfsInfo: CommandInfo = { ...adfsCheckInfo, path: ['krb', 'adfs'], examples: ['krb adfs'] };

export const krbWhy401Info: CommandInfo = {
  path: ['krb', 'why-401'],
  summary: 'Explain why a URL answers 401 to Windows users: SPNs, delegation, IIS, DNS, clocks — most likely cause first, with the fix',
  positionals: [{ name: 'url', required: true, description: 'The URL that answers 401, e.g. http://crm.contoso.com/' }],
  options: [
    { name: 'identity', type: 'string', valueName: 'account', description: 'App pool / service account of the site (default: inventory, else the SPN holder)' },
    { name: 'user', type: 'string', valueName: 'account', description: 'An affected user (checks that the account can be delegated)' },
    { name: 'backend', type: 'string', multiple: true, valueName: 'spn', description: 'SPN of a double-hop backend, e.g. MSSQLSvc/sql.contoso.com:1433 (repeatable)' },
    { name: 'iis', type: 'string', valueName: 'config', description: "Pasted IIS config: the output of appcmd list config -section:…/windowsAuthentication, in single quotes" },
  ],
  cliOptions: [{ name: 'iis-config', type: 'string', valueName: 'file', description: 'File with the appcmd output or applicationHost.config fragment (command line only)' }],
  examples: [
    'krb why-401 http://crm.contoso.com/',
    'krb why-401 http://crm.contoso.com/ --identity CONTOSO\\crmweb --backend MSSQLSvc/ndsqlsrv1.contoso.com:1433 --user bob',
    'krb why-401 http://crm.contoso.com/ --iis \'<windowsAuthentication enabled="true" useKernelMode="true" useAppPoolCredentials="false" />\'',
  ],
  defaultVisibility: 'ephemeral',
};

export const krbExplainInfo: CommandInfo = {
  path: ['krb', 'explain'],
  summary: 'Explain a pasted Kerberos/IIS/ADFS error (KRB_AP_ERR_MODIFIED, event 4/11, 401.1, ID4175…) or decode a pasted Negotiate header, and what to check next',
  positionals: [{ name: 'text', required: true, rest: true, description: 'The error text as pasted from the event log, the browser or a trace' }],
  options: [],
  examples: [
    'krb explain "The kerberos client received a KRB_AP_ERR_MODIFIED error from the server host/ndcrmsrv1. The target name used was HTTP/crm.contoso.com"',
    'krb explain HTTP Error 401.1 - Unauthorized: Access is denied due to invalid credentials',
    'krb explain ID4175: The issuer of the security token was not recognized by the IssuerNameRegistry',
    'krb explain WWW-Authenticate: Negotiate oYGBMH+gAwoBAqJ4BHZgdAYJKoZIhvcSAQICAwB+ZTBjoAMCAQWhAwIBHqQRGA8yMDI2MTIwMTE1MTcwOFqlBQIDDUIxpgMCASypDhsMQ09OVE9TTy5URVNUqigwJqADAgEDoR8wHRsESFRUUBsVaGVscGRlc2suY29udG9zby50ZXN0',
  ],
  maxArgLength: MAX_EXPLAIN_LENGTH,
  defaultVisibility: 'ephemeral',
};

export const krbEtypesInfo: CommandInfo = {
  path: ['krb', 'etypes'],
  summary: 'Accounts the 2026 AES-only KDC fails (or will): encryption types, AES keys, RC4 and Kerberoasting exposure, with the fix',
  positionals: [],
  options: [],
  examples: ['krb etypes'],
  defaultVisibility: 'ephemeral',
};

export const krbApprovalsInfo: CommandInfo = {
  path: ['krb', 'approvals'],
  summary: 'List SPN change requests (newest first), or show one with its audit trail',
  positionals: [{ name: 'id', required: false, description: 'A request ID (CR-…) to show with its audit trail' }],
  options: [{ name: 'status', type: 'string', valueName: APPROVAL_STATUSES.join('|'), description: 'Only requests in this state' }],
  examples: ['krb approvals', 'krb approvals --status pending', 'krb approvals CR-7F3A09C2'],
  defaultVisibility: 'ephemeral',
};

export const krbVerifyInfo: CommandInfo = {
  path: ['krb', 'verify'],
  summary: 'Check in AD now whether an approved SPN change request landed',
  positionals: [{ name: 'id', required: true, description: 'The request ID (CR-…)' }],
  options: [],
  examples: ['krb verify CR-7F3A09C2'],
  defaultVisibility: 'ephemeral',
};
