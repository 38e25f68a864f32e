/**
 * A linear pre-scan of an XML document that refuses shapes federation metadata never has — an
 * element with hundreds of attributes, nesting hundreds deep, a megabyte of text in one node, a
 * flood of elements — before any parser sees it. XML parsers spend super-linear time on some of
 * these (one element with 400 000 attributes took fast-xml-parser 23 s and 524 MB, stalling the
 * event loop of the whole server: issue 11). One pass, no allocation per character, a few ms per MB.
 */

export interface XmlLimits {
  /** Attributes on one element, default 64 (metadata elements carry fewer than 10). */
  maxAttributes: number;
  /** Element nesting, default 64 (metadata nests about 10 deep). */
  maxDepth: number;
  /** Characters of one text node or CDATA section, default 256 KiB (a certificate is ~2 KiB). */
  maxText: number;
  /** Elements in the whole document, default 200 000. */
  maxElements: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxAttributes: 64, maxDepth: 64, maxText: 256 * 1024, maxElements: 200_000 };

/** What is out of bounds, in words, or undefined when the document stays within `limits`. */
export function xmlBoundsProblem(xml: string, limits: XmlLimits = DEFAULT_XML_LIMITS): string | undefined {
  const n = xml.length;
  let depth = 0;
  let elements = 0;
  let i = 0;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd - i > limits.maxText) return `a text node is longer than ${limits.maxText} characters`;
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      const stop = end < 0 ? n : end;
      if (stop - lt - 9 > limits.maxText) return `a CDATA section is longer than ${limits.maxText} characters`;
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (xml.startsWith('<?', lt) || xml.startsWith('<!', lt)) {
      const end = xml.indexOf('>', lt + 2);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (xml.startsWith('</', lt)) {
      depth--;
      const end = xml.indexOf('>', lt + 2);
      i = end < 0 ? n : end + 1;
      continue;
    }
    // A start tag: count attributes (an "=" outside quotes) up to the closing ">".
    let attributes = 0;
    let quote = 0;
    let j = lt + 1;
    for (; j < n; j++) {
      const c = xml.charCodeAt(j);
      if (quote) {
        if (c === quote) quote = 0;
      } else if (c === 0x22 || c === 0x27) quote = c;
      else if (c === 0x3d /* = */ && ++attributes > limits.maxAttributes) return `an element has more than ${limits.maxAttributes} attributes`;
      else if (c === 0x3e /* > */) break;
    }
    if (++elements > limits.maxElements) return `it has more than ${limits.maxElements} elements`;
    if (xml.charCodeAt(j - 1) !== 0x2f /* / */ && ++depth > limits.maxDepth) return `elements are nested more than ${limits.maxDepth} deep`;
    i = j + 1;
  }
  return undefined;
}
