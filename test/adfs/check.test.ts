import { describe, expect, it } from 'vitest';
import { nextAdfsState } from '../../src/adfs/check.js';
import { checkAdfs } from '../../src/rules/catalog/adfs.js';
import { A, aCert, aSnapshot, aState, at, B, DAY, E, NOW, opts, SRC } from '../rules/adfs-builders.js';
import { ErrorCode } from '../../src/errors.js';

const brief = (fs: ReturnType<typeof checkAdfs>) => fs.map((f) => ({ ruleId: f.ruleId, severity: f.severity, alertKey: f.alertKey }));

describe('checkAdfs: expiry', () => {
  it('warns at the 7-day threshold for a primary token-signing certificate expiring in 5 days', () => {
    const fs = checkAdfs(aSnapshot([aCert({ thumbprint: A, notAfterDays: 5.2, primary: true })]), undefined, opts());
    expect(brief(fs)).toEqual([{ ruleId: 'adfs-cert-expiring', severity: 'high', alertKey: `adfs:${SRC}:${A}:expiring:7` }]);
    expect(fs[0].title).toMatch(/expires in 5 days/);
    expect(fs[0].evidence).toEqual(expect.arrayContaining([`thumbprint (SHA-1): ${A}`, 'subject: CN=ADFS Signing - adfs.contoso.com', 'threshold: 7 days']));
  });

  it('reports each threshold once and then the expiry, walking day by day to the end', () => {
    const cert = aCert({ thumbprint: A, notAfterDays: 40, primary: true });
    const keys: string[] = [];
    for (let d = 0; d <= 42; d += 0.25) {
      const now = new Date(NOW.getTime() + d * DAY);
      for (const f of checkAdfs(aSnapshot([cert]), undefined, opts({ now }))) if (!keys.includes(f.alertKey)) keys.push(f.alertKey);
    }
    expect(keys).toEqual([30, 14, 7, 1].map((t) => `adfs:${SRC}:${A}:expiring:${t}`).concat(`adfs:${SRC}:${A}:expired`));
  });

  it('uses the configured thresholds', () => {
    const fs = checkAdfs(aSnapshot([aCert({ thumbprint: A, notAfterDays: 9.5, primary: true })]), undefined, opts({ warnDays: [10, 3] }));
    expect(fs.map((f) => f.alertKey)).toEqual([`adfs:${SRC}:${A}:expiring:10`]);
    expect(checkAdfs(aSnapshot([aCert({ thumbprint: A, notAfterDays: 11, primary: true })]), undefined, opts({ warnDays: [10, 3] }))).toEqual([]);
  });

  it.each([
    { name: 'the only token-signing certificate', uses: ['signing'] as const, severity: 'critical' },
    { name: 'the token-decrypting certificate', uses: ['encryption'] as const, severity: 'high' },
  ])('reports $name as expired ($severity) with the urgent renewal', ({ uses, severity }) => {
    const healthySigner = uses[0] === 'signing' ? [] : [aCert({ thumbprint: B, notAfterDays: 300, primary: true })];
    const fs = checkAdfs(aSnapshot([aCert({ thumbprint: A, notAfterDays: -3, uses: [...uses], primary: uses[0] === 'signing' }), ...healthySigner]), undefined, opts());
    expect(brief(fs)).toEqual([{ ruleId: 'adfs-cert-expired', severity, alertKey: `adfs:${SRC}:${A}:expired` }]);
    expect(fs[0].fix.commands.some((c) => /^Update-AdfsCertificate -CertificateType Token-(Signing|Decrypting) -Urgent$/.test(c))).toBe(true);
  });

  it('keeps an old signing certificate that a newer primary replaced at "info"', () => {
    const fs = checkAdfs(
      aSnapshot([aCert({ thumbprint: A, notAfterDays: 3, notBeforeDays: -365 }), aCert({ thumbprint: B, notAfterDays: 360, notBeforeDays: -10, primary: true })]),
      undefined,
      opts(),
    );
    expect(brief(fs)).toEqual([{ ruleId: 'adfs-cert-expiring', severity: 'info', alertKey: `adfs:${SRC}:${A}:expiring:7` }]);
  });
});

describe('checkAdfs: AutoCertificateRollover', () => {
  const rollover = () => aSnapshot([aCert({ thumbprint: A, notAfterDays: 18, primary: true }), aCert({ thumbprint: B, notAfterDays: 365, notBeforeDays: -2 })]);

  it('warns that relying parties must update before the secondary becomes primary, with the seed\'s steps', () => {
    const fs = checkAdfs(rollover(), undefined, opts());
    const f = fs.find((x) => x.ruleId === 'adfs-new-signing-cert')!;
    expect(f).toMatchObject({ severity: 'high', thumbprint: B, alertKey: `adfs:${SRC}:${B}:new-signing` });
    expect(f.title).toMatch(/relying parties must update before it becomes primary/);
    expect(f.fix.commands).toEqual([
      'Get-AdfsCertificate -CertificateType Token-Signing',
      'Update-AdfsRelyingPartyTrust -TargetName "CRM"',
      'iisreset',
      'Restart-Service adfssrv',
    ]);
    expect(f.fix.summary).toMatch(/Update Federation Metadata/);
    expect(f.fix.summary).toMatch(/Deployment Manager/);
    expect(fs.find((x) => x.ruleId === 'adfs-cert-expiring')?.evidence).toContain(`AutoCertificateRollover secondary already published: ${B}`);
  });

  it('says when the secondary was not there at the previous check', () => {
    const f = checkAdfs(rollover(), aState({ signing: [A] }), opts()).find((x) => x.ruleId === 'adfs-new-signing-cert')!;
    expect(f.evidence.some((l) => l.startsWith('first seen at this check'))).toBe(true);
  });

  it('names the relying parties of KRBOPS_ADFS_EXPECTED_THUMBPRINTS in the fix', () => {
    const f = checkAdfs(rollover(), undefined, opts({ expectedThumbprints: { CRM: [A, B], Portal: [A, B] } })).find((x) => x.ruleId === 'adfs-new-signing-cert')!;
    expect(f.fix.commands).toContain('Update-AdfsRelyingPartyTrust -TargetName "CRM"');
    expect(f.fix.commands).toContain('Update-AdfsRelyingPartyTrust -TargetName "Portal"');
  });

  it('reports the promotion of the secondary as a primary change (critical)', () => {
    const promoted = aSnapshot([aCert({ thumbprint: A, notAfterDays: 13 }), aCert({ thumbprint: B, notAfterDays: 360, notBeforeDays: -7, primary: true })]);
    const fs = checkAdfs(promoted, aState({ signing: [A, B], primary: A }), opts());
    expect(brief(fs)[0]).toEqual({ ruleId: 'adfs-primary-changed', severity: 'critical', alertKey: `adfs:${SRC}:${B}:primary` });
    expect(fs[0].evidence.some((l) => l.includes(`previous primary: CN=ADFS Signing - adfs.contoso.com ${A}`))).toBe(true);
    expect(fs.some((f) => f.ruleId === 'adfs-new-signing-cert')).toBe(false);
  });

  it('gives the same alert keys on every run while nothing changes', () => {
    const keys = (d: number) => checkAdfs(rollover(), aState({ signing: [A, B] }), opts({ now: new Date(NOW.getTime() + d * 3_600_000) })).map((f) => f.alertKey);
    expect(keys(0)).toEqual(keys(6));
  });
});

describe('checkAdfs: thumbprints the relying parties trust (KB 2686840)', () => {
  it('is silent when CRM trusts the primary and the secondary', () => {
    const snap = aSnapshot([aCert({ thumbprint: A, notAfterDays: 200, primary: true })]);
    expect(checkAdfs(snap, undefined, opts({ expectedThumbprints: { CRM: [A] } }))).toEqual([]);
  });

  it('warns (high) that CRM will break when a secondary it does not trust is promoted', () => {
    const snap = aSnapshot([aCert({ thumbprint: A, notAfterDays: 200, primary: true }), aCert({ thumbprint: B, notAfterDays: 365, notBeforeDays: -1 })]);
    const fs = checkAdfs(snap, undefined, opts({ expectedThumbprints: { CRM: [A] } })).filter((f) => f.ruleId === 'adfs-thumbprint-mismatch');
    expect(brief(fs)).toEqual([{ ruleId: 'adfs-thumbprint-mismatch', severity: 'high', alertKey: `adfs:${SRC}:CRM:${B}:mismatch-pending` }]);
  });

  it('flags at once (critical) a primary CRM does not trust', () => {
    const snap = aSnapshot([aCert({ thumbprint: B, notAfterDays: 365, primary: true })]);
    const fs = checkAdfs(snap, undefined, opts({ expectedThumbprints: { CRM: [A.toLowerCase().replace(/(..)/g, '$1:').slice(0, -1)] } }));
    expect(brief(fs)).toEqual([{ ruleId: 'adfs-thumbprint-mismatch', severity: 'critical', alertKey: `adfs:${SRC}:CRM:${B}:mismatch` }]);
    expect(fs[0].title).toMatch(/CRM does not trust the certificate AD FS signs tokens with \(KB 2686840 outage\)/);
    expect(fs[0].evidence).toContain(`CRM trusts: ${A}`);
    expect(fs[0].fix.commands).toContain('Update-AdfsRelyingPartyTrust -TargetName "CRM"');
  });
});

describe('checkAdfs: signature and endpoint', () => {
  it('reports a signature that fails (critical) and ignores rollover claims of that document', () => {
    const snap = aSnapshot(
      [aCert({ thumbprint: A, notAfterDays: 200 }), aCert({ thumbprint: B, notAfterDays: 365, notBeforeDays: -1, primary: true })],
      { status: 'failed', reason: 'the document was changed after it was signed', claimedSigner: B, verifiedWith: undefined },
    );
    const fs = checkAdfs(snap, aState({ signing: [A] }), opts());
    expect(brief(fs)).toEqual([{ ruleId: 'adfs-signature-invalid', severity: 'critical', alertKey: `adfs:${SRC}:signature:failed:${B}` }]);
    expect(fs[0].evidence).toContain('signature: the document was changed after it was signed');
  });

  it('reports a signature that disappeared', () => {
    const snap = aSnapshot([aCert({ thumbprint: A, notAfterDays: 200, primary: true })], { status: 'unsigned' });
    expect(brief(checkAdfs(snap, aState({ signing: [A] }), opts()))).toEqual([
      { ruleId: 'adfs-signature-invalid', severity: 'high', alertKey: `adfs:${SRC}:signature:unsigned` },
    ]);
    expect(checkAdfs(snap, undefined, opts())).toEqual([]);
  });

  it('reports an unreachable endpoint and keeps watching expiry with the last known certificates', () => {
    const snap = aSnapshot([], {}, { error: { code: ErrorCode.AdfsUnavailable, name: 'AdfsTimeoutError', message: `No complete answer from ${SRC} within 10000 ms.` } });
    const prev = aState({ signing: [A] });
    prev.certificates[0].notAfter = at(6);
    const fs = checkAdfs(snap, prev, opts());
    expect(brief(fs)).toEqual([
      { ruleId: 'adfs-unreachable', severity: 'high', alertKey: `adfs:${SRC}:unreachable` },
      { ruleId: 'adfs-cert-expiring', severity: 'high', alertKey: `adfs:${SRC}:${A}:expiring:7` },
    ]);
    expect(fs[1].evidence.some((l) => l.includes('from the last successful check'))).toBe(true);
  });

  it('reports garbage as invalid metadata, and metadata without a signing certificate', () => {
    const garbage = aSnapshot([], {}, { error: { code: ErrorCode.AdfsInvalid, name: 'AdfsInvalidError', message: 'not well-formed XML' } });
    expect(brief(checkAdfs(garbage, undefined, opts()))).toEqual([{ ruleId: 'adfs-metadata-invalid', severity: 'high', alertKey: `adfs:${SRC}:invalid` }]);
    const noSigning = aSnapshot([aCert({ thumbprint: E, notAfterDays: 200, uses: ['encryption'] })]);
    expect(brief(checkAdfs(noSigning, undefined, opts()))).toEqual([{ ruleId: 'adfs-metadata-invalid', severity: 'high', alertKey: `adfs:${SRC}:no-signing` }]);
  });

  it('gives every finding evidence, fix commands and a key under its source', () => {
    const snap = aSnapshot([aCert({ thumbprint: A, notAfterDays: 0.5, primary: true }), aCert({ thumbprint: B, notAfterDays: 365, notBeforeDays: -1 }), aCert({ thumbprint: E, notAfterDays: -1, uses: ['encryption'] })]);
    const fs = checkAdfs(snap, aState({ signing: [E] }), opts({ expectedThumbprints: { CRM: [E] } }));
    expect(fs.length).toBeGreaterThanOrEqual(5);
    for (const f of fs) {
      expect(f.evidence.length).toBeGreaterThan(0);
      expect(f.fix.commands.length).toBeGreaterThan(0);
      expect(f.alertKey.startsWith(`adfs:${SRC}:`)).toBe(true);
      expect(f.status).toBe('fail');
    }
    expect(fs[0].severity).toBe('critical');
    expect(new Set(fs.map((f) => f.alertKey)).size).toBe(fs.length);
  });
});

describe('nextAdfsState', () => {
  const good = aSnapshot([aCert({ thumbprint: A, notAfterDays: 20, primary: true }), aCert({ thumbprint: B, notAfterDays: 365, notBeforeDays: -1 }), aCert({ thumbprint: E, notAfterDays: 100, uses: ['encryption'] })]);

  it('pins every token-signing certificate of a verified document', () => {
    const s = nextAdfsState(good, aState({ signing: [A] }))!;
    expect(s.signing.map((x) => x.thumbprint)).toEqual([A, B]);
    expect(s.primaryThumbprint).toBe(A);
    expect(s.signed).toBe(true);
    expect(s.certificates).toHaveLength(3);
  });

  it('trusts the first document seen (no previous state, no pin)', () => {
    expect(nextAdfsState({ ...good, signature: { status: 'no-pin', pinnedThumbprints: [] } }, undefined)?.signing).toHaveLength(2);
  });

  it('keeps the previous state when the signature fails, the signature disappears or the fetch fails', () => {
    const prev = aState({ signing: [A] });
    expect(nextAdfsState({ ...good, signature: { status: 'failed', pinnedThumbprints: [A] } }, prev)).toBe(prev);
    expect(nextAdfsState({ ...good, signature: { status: 'unsigned', pinnedThumbprints: [A] } }, prev)).toBe(prev);
    expect(nextAdfsState({ ...good, certificates: [], error: { code: ErrorCode.AdfsUnavailable, name: 'x', message: 'y' } }, prev)).toBe(prev);
  });
});
