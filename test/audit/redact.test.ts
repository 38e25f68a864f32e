import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/audit/redact.js';

const cases: { name: string; text: string; expect: string }[] = [
  { name: 'keeps an ordinary command as typed', text: '/krb why-401 http://crm.contoso.test --identity crmweb', expect: '/krb why-401 http://crm.contoso.test --identity crmweb' },
  { name: 'strips the user info of a URL', text: 'krb why-401 https://alice:Secr3t!@crm.contoso.test/x', expect: 'krb why-401 https://[redacted]@crm.contoso.test/x' },
  { name: 'strips a --password value', text: 'spn list crmweb --password "hunter 2"', expect: 'spn list crmweb --password [redacted]' },
  { name: 'strips a --token= value', text: 'adfs check --token=abc123', expect: 'adfs check --token=[redacted]' },
  { name: 'strips password= in pasted config', text: 'krb explain <add key="x" password=P@ss;>', expect: 'krb explain <add key="x" password=[redacted];>' },
  { name: 'strips a query-string token', text: 'adfs check https://adfs.contoso.test/md?access_token=abc&x=1', expect: 'adfs check https://adfs.contoso.test/md?access_token=[redacted]&x=1' },
  { name: 'strips Slack tokens', text: 'krb explain xoxb-1234-5678-abcdef failed', expect: 'krb explain [redacted] failed' },
  { name: 'strips bearer tokens and keeps the scheme', text: 'krb explain Authorization: Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnag', expect: 'krb explain Authorization: Negotiate [redacted]' },
  { name: 'strips JWTs', text: 'krb explain eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', expect: 'krb explain [redacted]' },
];

describe('secrets are stripped from audited command text', () => {
  for (const c of cases) it(c.name, () => expect(redactSecrets(c.text)).toBe(c.expect));
});
