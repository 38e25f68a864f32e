/**
 * Federation metadata → certificates. A document that declares a DOCTYPE or ENTITY is refused before
 * any parser sees it (federation metadata never needs one; this is how XXE and billion-laughs
 * documents are stopped), and fast-xml-parser runs with entity processing off.
 */
import { X509Certificate } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AdfsHostileXmlError, AdfsInvalidError } from './errors.js';
import type { AdfsCertificate, KeyUse } from '../model/index.js';
import { xmlBoundsProblem } from './xml-bounds.js';

const DAY_MS = 86_400_000;

export interface ParsedMetadata {
  /** Root element name without prefix: `EntityDescriptor` or `EntitiesDescriptor`. */
  rootName: string;
  /** The root's `ID` attribute (what an enveloped signature references). */
  rootId?: string;
  entityId?: string;
  /** Every certificate of every KeyDescriptor, deduplicated by thumbprint, in document order. */
  certificates: AdfsCertificate[];
  signature: {
    /** A ds:Signature is a direct child of the root element. */
    present: boolean;
    /** The certificate carried in the signature's KeyInfo (what the document claims signed it). */
    keyInfoCertificate?: { thumbprint: string; pem: string };
  };
  /** KeyDescriptors that could not be read, one line each. */
  problems: string[];
}

const ARRAY_TAGS = new Set(['EntityDescriptor', 'KeyDescriptor', 'KeyInfo', 'X509Data', 'X509Certificate', 'Signature']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // md:, fed:, ds: or no prefix: the same element for us.
  removeNSPrefix: true,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ARRAY_TAGS.has(name) || name.endsWith('Descriptor'),
});

/** DOCTYPE/ENTITY anywhere (also in comments: a document that bothers to carry one is not metadata we want). */
const HOSTILE = /<!\s*(DOCTYPE|ENTITY)/i;

type XmlNode = Record<string, unknown>;

const asArray = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const text = (v: unknown): string => (typeof v === 'string' ? v : v && typeof v === 'object' && '#text' in v ? String((v as XmlNode)['#text']) : '');
const attr = (n: unknown, name: string): string | undefined => {
  if (!n || typeof n !== 'object') return undefined;
  const v = (n as XmlNode)[`@_${name}`];
  return typeof v === 'string' ? v : undefined;
};

/** Throws AdfsHostileXmlError when the document declares a DOCTYPE or ENTITY. */
export function assertNoDoctype(xml: string, source?: string): void {
  if (HOSTILE.test(xml)) throw new AdfsHostileXmlError(source);
}

/**
 * Parses federation metadata. Throws AdfsHostileXmlError (DOCTYPE/ENTITY), AdfsInvalidError (not
 * well-formed, not metadata). Certificates that cannot be decoded are listed in `problems`.
 */
export function parseMetadata(rawXml: string, options: { now: Date; source?: string }): ParsedMetadata {
  const xml = rawXml.replace(/^\uFEFF/, '');
  const source = options.source;
  if (!xml.trim()) throw new AdfsInvalidError(`${source ?? 'The metadata document'} is empty.`, { source, reason: 'empty' });
  assertNoDoctype(xml, source);
  const tooComplex = xmlBoundsProblem(xml);
  if (tooComplex) {
    throw new AdfsInvalidError(`${source ?? 'The metadata document'} is not usable federation metadata: ${tooComplex}; refused before parsing.`, { source, reason: 'too-complex' });
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new AdfsInvalidError(`${source ?? 'The metadata document'} is not well-formed XML (line ${valid.err.line}: ${valid.err.msg.slice(0, 120)}).`, {
      source,
      reason: 'not-xml',
    });
  }
  let doc: XmlNode;
  try {
    doc = parser.parse(xml) as XmlNode;
  } catch (e) {
    throw new AdfsInvalidError(`${source ?? 'The metadata document'} could not be parsed as XML.`, { cause: e, source, reason: 'not-xml' });
  }
  const rootName = Object.keys(doc).find((k) => !k.startsWith('?') && !k.startsWith('#'));
  if (rootName !== 'EntityDescriptor' && rootName !== 'EntitiesDescriptor') {
    throw new AdfsInvalidError(
      `${source ?? 'The document'} is not federation metadata (root element <${(rootName ?? 'none').slice(0, 40)}>, expected <EntityDescriptor>).`,
      { source, reason: 'not-metadata' },
    );
  }
  const root = asArray(doc[rootName])[0] as XmlNode;
  if (!root || typeof root !== 'object') throw new AdfsInvalidError(`${source ?? 'The document'} has an empty <${rootName}>.`, { source, reason: 'not-metadata' });

  const entities = rootName === 'EntityDescriptor' ? [root] : (asArray(root.EntityDescriptor) as XmlNode[]);
  const byThumb = new Map<string, AdfsCertificate>();
  const problems: string[] = [];
  for (const entity of entities) {
    if (!entity || typeof entity !== 'object') continue;
    for (const [tag, value] of Object.entries(entity)) {
      if (!tag.endsWith('Descriptor') || tag === 'KeyDescriptor') continue;
      for (const role of asArray(value)) {
        const type = attr(role, 'type');
        const roleLabel = type ? `${tag} (${type.replace(/^[^:]*:/, '')})` : tag;
        for (const kd of asArray((role as XmlNode)?.KeyDescriptor)) {
          const useAttr = attr(kd, 'use');
          const uses: KeyUse[] = useAttr === 'signing' ? ['signing'] : useAttr === 'encryption' ? ['encryption'] : ['signing', 'encryption'];
          for (const b64 of certificateTexts(kd)) {
            let cert: AdfsCertificate;
            try {
              cert = decodeCertificate(b64, options.now);
            } catch (e) {
              problems.push(`${roleLabel}: a ${uses.join('/')} KeyDescriptor holds a certificate that cannot be decoded (${(e as Error).message.slice(0, 80)}).`);
              continue;
            }
            const seen = byThumb.get(cert.thumbprint);
            const target = seen ?? cert;
            if (!seen) byThumb.set(cert.thumbprint, cert);
            for (const u of uses) if (!target.uses.includes(u)) target.uses.push(u);
            if (!target.roles.includes(roleLabel)) target.roles.push(roleLabel);
          }
        }
      }
    }
  }
  for (const c of byThumb.values()) {
    c.uses.sort((a, b) => (a === b ? 0 : a === 'signing' ? -1 : 1));
    c.use = c.uses.join(',');
  }

  const sig = asArray(root.Signature)[0] as XmlNode | undefined;
  let keyInfoCertificate: ParsedMetadata['signature']['keyInfoCertificate'];
  if (sig) {
    const b64 = asArray(sig.KeyInfo).flatMap((ki) => certificateTexts({ KeyInfo: [ki] }))[0];
    if (b64) {
      try {
        const c = decodeCertificate(b64, options.now);
        keyInfoCertificate = { thumbprint: c.thumbprint, pem: c.pem };
      } catch {
        problems.push('The signature carries a KeyInfo certificate that cannot be decoded.');
      }
    }
  }

  return {
    rootName,
    rootId: attr(root, 'ID'),
    entityId: attr(entities[0], 'entityID'),
    certificates: [...byThumb.values()],
    signature: { present: Boolean(sig), keyInfoCertificate },
    problems,
  };
}

function certificateTexts(keyDescriptor: unknown): string[] {
  const out: string[] = [];
  for (const ki of asArray((keyDescriptor as XmlNode)?.KeyInfo)) {
    for (const xd of asArray((ki as XmlNode)?.X509Data)) {
      for (const c of asArray((xd as XmlNode)?.X509Certificate)) {
        const t = text(c).replace(/\s+/g, '');
        if (t) out.push(t);
      }
    }
  }
  return out;
}

/** Windows order (most specific first) on one line: `CN=ADFS Signing - sts.example.com, O=Example`. */
function dn(nodeDn: string): string {
  return nodeDn.split('\n').filter(Boolean).reverse().join(', ');
}

const hex = (fingerprint: string) => fingerprint.replace(/:/g, '').toUpperCase();

export function pemFromBase64(b64: string): string {
  return `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * Decodes a base64 DER certificate (the text of an X509Certificate element). `daysLeft` is counted
 * from `now`. Throws on anything that is not a certificate.
 */
export function decodeCertificate(b64: string, now: Date): AdfsCertificate {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new Error('not base64');
  const x = new X509Certificate(Buffer.from(b64, 'base64'));
  const notBefore = new Date(x.validFrom);
  const notAfter = new Date(x.validTo);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) throw new Error('unreadable validity dates');
  const msLeft = notAfter.getTime() - now.getTime();
  return {
    use: '',
    uses: [],
    subject: dn(x.subject),
    issuer: dn(x.issuer),
    thumbprint: hex(x.fingerprint),
    sha256: hex(x.fingerprint256),
    serialNumber: x.serialNumber.toUpperCase(),
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    daysLeft: Math.floor(msLeft / DAY_MS),
    expired: msLeft <= 0,
    roles: [],
    primary: false,
    pem: pemFromBase64(b64),
  };
}
