/**
 * Teams refuses a message larger than about 28 KB (card JSON plus the activity around it), so long
 * answers are packed into several cards, in order, each under a byte budget.
 * https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages
 */
import { truncate } from '../../src/errors.js';
import { adaptiveCard, cardBytes, heading, text, type AdaptiveCard, type CardElement } from './adaptive.js';

/** Bytes of card JSON allowed per card: 28 KB less room for the activity envelope. */
export const CARD_BUDGET_BYTES = 24_000;
/** At most this many cards answer one command; the rest is summarised in a closing line. */
export const MAX_CARDS = 6;
/** Longest string put on a card (evidence line, command, DN); longer ones are shortened. */
export const MAX_TEXT = 1_500;

export interface SplitInput {
  /** Heading of the first card; later cards repeat it with "(continued, n/m)". */
  title: string;
  /** Elements that open the first card (verdict, summary facts). */
  head: CardElement[];
  /** Elements packed in order over as many cards as needed. */
  sections: CardElement[];
  /** Elements that close the last card (passed checks, timing). */
  tail?: CardElement[];
  /** Plain-text summary shown in notifications and by clients without card support. */
  fallbackText: string;
  /** What to say when sections are left out because MAX_CARDS was reached. */
  omitted?: (count: number) => string;
}

export interface SplitOptions {
  /** Default CARD_BUDGET_BYTES. */
  budgetBytes?: number;
  /** Default MAX_CARDS. */
  maxCards?: number;
}

/** Shortens user or directory text for a card; never cuts a 10 000-character argument into a reply whole. */
export function clip(value: string, max = MAX_TEXT): string {
  return truncate(value, max);
}

function tooLarge(section: CardElement, budget: number): CardElement {
  return text(`(One part of this answer is ${Math.ceil(cardBytes(section) / 1024)} KB, more than a Teams card holds (${Math.floor(budget / 1024)} KB); the CLI with --json shows it whole.)`, {
    color: 'Warning',
  });
}

/** Packs the sections into cards under the byte budget. Always returns at least one card. */
export function splitCards(input: SplitInput, options: SplitOptions = {}): AdaptiveCard[] {
  const budget = options.budgetBytes ?? CARD_BUDGET_BYTES;
  const maxCards = Math.max(1, options.maxCards ?? MAX_CARDS);
  // Room kept free in every card for the "(continued, n/m)" heading and the closing note.
  const reserve = 600;
  const fallback = clip(input.fallbackText, 500);
  const pages: CardElement[][] = [];
  let page: CardElement[] = [heading(clip(input.title, 200)), ...input.head];
  let omitted = 0;
  const size = (els: CardElement[]) => cardBytes(adaptiveCard(els, { fallbackText: fallback }));

  for (const [i, each] of input.sections.entries()) {
    let section = each;
    if (size([heading(input.title), section]) + reserve > budget) section = tooLarge(section, budget);
    if (size([...page, section]) + reserve <= budget) {
      page.push(section);
      continue;
    }
    if (pages.length + 1 >= maxCards) {
      omitted = input.sections.length - i;
      break;
    }
    pages.push(page);
    page = [section];
  }
  if (omitted) {
    const note = input.omitted?.(omitted) ?? `${omitted} more part(s) left out to keep the answer readable; the CLI with --json shows everything.`;
    page.push(text(note, { color: 'Warning', weight: 'Bolder' }));
  }
  for (const el of input.tail ?? []) {
    if (size([...page, el]) + reserve > budget && pages.length + 1 < maxCards) {
      pages.push(page);
      page = [];
    }
    page.push(el);
  }
  pages.push(page);

  const total = pages.length;
  return pages.map((body, n) => {
    const els = n === 0 ? body : [heading(clip(`${input.title} (continued, ${n + 1}/${total})`, 220), { size: 'Medium' }), ...body];
    if (n === 0 && total > 1) els.push(text(`Answer continues in ${total - 1} more card${total > 2 ? 's' : ''}.`, { isSubtle: true, size: 'Small' }));
    return adaptiveCard(els, { fallbackText: total > 1 ? `${fallback} (${n + 1}/${total})` : fallback });
  });
}
