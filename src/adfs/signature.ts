/**
 * Verifies the enveloped XML signature of federation metadata against PINNED certificates (the
 * token-signing certificates of the last trusted check, or ones given by the operator), never
 * against the certificate the document carries in its own KeyInfo: anyone can sign a forged
 * document with a key of their own.
 *
 * Beyond xml-crypto's checks (digest, signature value, duplicate IDs) the signature must be a direct
 * child of the root, hold exactly one reference, and that reference must be the root element, so the
 * whole document is covered; the certificates read from the signed bytes must equal those read from
 * the document. See https://github.com/node-saml/xml-crypto#verifying-xml-documents.
 */
import { X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { parseMetadata, type ParsedMetadata } from './parse.js';
import type { SignatureCheck } from '../model/index.js';

const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

function thumbprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint.replace(/:/g, '').toUpperCase();
}

/** Blanks comments and CDATA sections (same length, so offsets stay valid). */
function blankInert(xml: string): string {
  return xml.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g, (m) => ' '.repeat(m.length));
}

/**
 * The Signature element as a standalone string, with the namespace declarations of the root start
 * tag added when the signature relies on them (a `ds:` prefix declared on the root).
 */
function extractSignature(xml: string): { fragment: string } | { error: string } {
  const inert = blankInert(xml);
  const starts = [...inert.matchAll(/<((?:[A-Za-z_][\w.-]*:)?)Signature[\s/>]/g)];
  if (starts.length === 0) return { error: 'no Signature element found' };
  if (starts.length > 1) return { error: `${starts.length} Signature elements; cannot tell which one covers the document` };
  const [start] = starts;
  if (!start) return { error: 'no Signature element found' };
  const prefix = start[1] ?? '';
  const begin = start.index;
  const closeTag = `</${prefix}Signature>`;
  const end = inert.indexOf(closeTag, begin);
  if (end < 0) return { error: 'unterminated Signature element' };
  let fragment = xml.slice(begin, end + closeTag.length);
  // The first start tag is the root's: comments and CDATA are blanked, `<?xml` does not match.
  const rootStart = /<[A-Za-z_][\w.:-]*(\s[^>]*)?>/.exec(inert);
  const decls = [...(rootStart?.[1] ?? '').matchAll(/\sxmlns(:[\w.-]+)?\s*=\s*("[^"]*"|'[^']*')/g)];
  const sigStartEnd = fragment.search(/\/?>/);
  const sigStart = fragment.slice(0, sigStartEnd);
  const missing = decls.filter((d) => !new RegExp(`\\sxmlns${(d[1] ?? '').replace(/\./g, '\\.')}\\s*=`).test(sigStart));
  if (missing.length) fragment = sigStart + missing.map((d) => d[0]).join('') + fragment.slice(sigStartEnd);
  if (!fragment.includes(DSIG_NS)) return { error: 'the Signature element is not in the XML-DSig namespace' };
  return { fragment };
}

/**
 * Checks the metadata signature against each pinned certificate (PEM). `metadata` is the result of
 * parseMetadata on the same `xml`. Never throws: problems become `failed` with a reason.
 */
export function verifyMetadataSignature(rawXml: string, metadata: ParsedMetadata, pins: string[], now: Date): SignatureCheck {
  const xml = rawXml.replace(/^\uFEFF/, '');
  const claimedSigner = metadata.signature.keyInfoCertificate?.thumbprint;
  const pinned: { pem: string; thumbprint: string }[] = [];
  for (const pem of pins) {
    try {
      pinned.push({ pem, thumbprint: thumbprintOf(pem) });
    } catch {
      /* an unreadable pin cannot verify anything; reported below if none is left */
    }
  }
  const pinnedThumbprints = pinned.map((p) => p.thumbprint);
  const base = { pinnedThumbprints, claimedSigner };
  if (!metadata.signature.present) {
    return { status: 'unsigned', reason: 'the document has no signature', ...base };
  }
  if (!pinned.length) {
    return {
      status: 'no-pin',
      reason: pins.length ? 'no pinned certificate could be read' : 'no certificate pinned yet; the next check verifies against this one',
      ...base,
    };
  }
  const extracted = extractSignature(xml);
  if ('error' in extracted) return { status: 'failed', reason: extracted.error, ...base };

  const attempt = (pem: string): { ok: true; sig: SignedXml } | { ok: false; kind: 'key' | 'content'; reason: string } => {
    const sig = new SignedXml({ publicCert: pem, getCertFromKeyInfo: () => null });
    try {
      sig.loadSignature(extracted.fragment);
      if (!sig.checkSignature(xml)) {
        const why = sig.getReferences().find((r) => r.validationError)?.validationError?.message;
        return { ok: false, kind: 'content', reason: `the document was changed after it was signed (${why?.replace(/ calculated digest.*$/, ' digest mismatch') ?? 'reference digest mismatch'})` };
      }
      return { ok: true, sig };
    } catch (e) {
      const msg = (e as Error).message;
      if (/invalid signature: the signature value/.test(msg)) return { ok: false, kind: 'key', reason: 'signature value does not match this key' };
      return { ok: false, kind: 'content', reason: msg.slice(0, 160) };
    }
  };

  let lastKeyFailure = '';
  for (const pin of pinned) {
    const r = attempt(pin.pem);
    if (!r.ok) {
      if (r.kind === 'content') return { status: 'failed', reason: r.reason, ...base };
      lastKeyFailure = r.reason;
      continue;
    }
    const refs = r.sig.getReferences();
    if (refs.length !== 1) return { status: 'failed', reason: `the signature has ${refs.length} references; expected one covering the whole document`, ...base };
    const [ref] = refs;
    if (!ref) return { status: 'failed', reason: 'the signature has no reference', ...base };
    const coversRoot = ref.uri === '' || (metadata.rootId !== undefined && ref.uri === `#${metadata.rootId}`);
    if (!coversRoot) return { status: 'failed', reason: `the signature covers ${ref.uri}, not the whole document`, ...base };
    if (!ref.transforms.includes(ENVELOPED)) return { status: 'failed', reason: 'the signature is not an enveloped signature', ...base };
    const [signed] = r.sig.getSignedReferences();
    let signedMeta: ParsedMetadata;
    try {
      if (signed === undefined) throw new Error('no signed reference');
      signedMeta = parseMetadata(signed, { now });
    } catch {
      return { status: 'failed', reason: 'the signed part of the document is not federation metadata', ...base };
    }
    const a = metadata.certificates.map((c) => `${c.thumbprint}:${c.use}`).sort().join();
    const b = signedMeta.certificates.map((c) => `${c.thumbprint}:${c.use}`).sort().join();
    if (a !== b) return { status: 'failed', reason: 'the document holds certificates outside its signed part', ...base };
    return { status: 'verified', reason: `signed by pinned certificate ${pin.thumbprint}`, verifiedWith: pin.thumbprint, ...base };
  }

  // No pin matched. Say who did sign, if the document's own KeyInfo certificate verifies it.
  let reason = `not signed by a pinned certificate (${lastKeyFailure || 'no match'})`;
  const claimed = metadata.signature.keyInfoCertificate;
  if (claimed && !pinnedThumbprints.includes(claimed.thumbprint)) {
    const r = attempt(claimed.pem);
    reason = r.ok
      ? `signed by ${claimed.thumbprint}, which is not among the pinned certificates (${pinnedThumbprints.join(', ')})`
      : `not signed by a pinned certificate, nor by the certificate it carries (${claimed.thumbprint})`;
  }
  return { status: 'failed', reason, ...base };
}
