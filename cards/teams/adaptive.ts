/**
 * The subset of Adaptive Cards 1.5 that krbops produces, typed, plus small constructors.
 * Pure data: nothing here knows about botbuilder (surfaces/teams wraps cards in attachments).
 * Schema: https://adaptivecards.io/explorer/ — Teams renders up to 1.5.
 */

export const CARD_VERSION = '1.5';
export const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export type Colour = 'Default' | 'Dark' | 'Light' | 'Accent' | 'Good' | 'Warning' | 'Attention';
export type ContainerStyle = 'Default' | 'Emphasis' | 'Good' | 'Attention' | 'Warning' | 'Accent';
export type Spacing = 'None' | 'Small' | 'Default' | 'Medium' | 'Large' | 'ExtraLarge' | 'Padding';

export interface TextBlock {
  type: 'TextBlock';
  text: string;
  wrap?: boolean;
  size?: 'Small' | 'Default' | 'Medium' | 'Large' | 'ExtraLarge';
  weight?: 'Lighter' | 'Default' | 'Bolder';
  color?: Colour;
  isSubtle?: boolean;
  fontType?: 'Default' | 'Monospace';
  spacing?: Spacing;
  separator?: boolean;
  maxLines?: number;
  style?: 'Default' | 'Heading';
}

export interface Fact {
  title: string;
  value: string;
}

export interface FactSet {
  type: 'FactSet';
  facts: Fact[];
  spacing?: Spacing;
  separator?: boolean;
}

export interface Container {
  type: 'Container';
  items: CardElement[];
  style?: ContainerStyle;
  bleed?: boolean;
  spacing?: Spacing;
  separator?: boolean;
}

export interface Column {
  type: 'Column';
  items: CardElement[];
  /** 'auto', 'stretch', a weight ('2') or pixels ('80px'). */
  width?: string;
  verticalContentAlignment?: 'Top' | 'Center' | 'Bottom';
}

export interface ColumnSet {
  type: 'ColumnSet';
  columns: Column[];
  spacing?: Spacing;
  separator?: boolean;
}

export interface ExecuteAction {
  type: 'Action.Execute';
  title: string;
  verb: string;
  data?: Record<string, unknown>;
  style?: 'Default' | 'Positive' | 'Destructive';
}

export interface OpenUrlAction {
  type: 'Action.OpenUrl';
  title: string;
  url: string;
}

export type CardAction = ExecuteAction | OpenUrlAction;

export interface ActionSet {
  type: 'ActionSet';
  actions: CardAction[];
  spacing?: Spacing;
}

/** A text field; Action.Execute sends its value in `data` under its `id`. */
export interface TextInput {
  type: 'Input.Text';
  id: string;
  label?: string;
  placeholder?: string;
  isMultiline?: boolean;
  maxLength?: number;
  spacing?: Spacing;
}

export type CardElement = TextBlock | FactSet | Container | ColumnSet | ActionSet | TextInput;

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: typeof CARD_SCHEMA;
  version: typeof CARD_VERSION;
  body: CardElement[];
  actions?: CardAction[];
  /** Teams extension: use the whole width of the conversation (fix commands are long). */
  msteams?: { width: 'Full' };
  /** Plain-text fallback for clients that cannot render the card (and for notifications). */
  fallbackText?: string;
}

/** Wraps body elements into a 1.5 card. */
export function adaptiveCard(body: CardElement[], options: { actions?: CardAction[]; fallbackText?: string } = {}): AdaptiveCard {
  const card: AdaptiveCard = { type: 'AdaptiveCard', $schema: CARD_SCHEMA, version: CARD_VERSION, body, msteams: { width: 'Full' } };
  if (options.actions?.length) card.actions = options.actions;
  if (options.fallbackText) card.fallbackText = options.fallbackText;
  return card;
}

export function text(value: string, options: Omit<TextBlock, 'type' | 'text'> = {}): TextBlock {
  return { type: 'TextBlock', text: value, wrap: true, ...options };
}

/** The heading of a card: large, bold. */
export function heading(value: string, options: Omit<TextBlock, 'type' | 'text'> = {}): TextBlock {
  return text(value, { size: 'Large', weight: 'Bolder', style: 'Heading', ...options });
}

/**
 * A command the engineer copies: alone in its own monospace block, no bullet or number in front,
 * so a triple-click or a drag selects exactly the command.
 */
export function mono(value: string, options: Omit<TextBlock, 'type' | 'text'> = {}): TextBlock {
  return { type: 'TextBlock', text: value, wrap: true, fontType: 'Monospace', spacing: 'Small', ...options };
}

export function facts(list: Fact[], options: Omit<FactSet, 'type' | 'facts'> = {}): FactSet {
  return { type: 'FactSet', facts: list, ...options };
}

export function container(items: CardElement[], options: Omit<Container, 'type' | 'items'> = {}): Container {
  return { type: 'Container', items, ...options };
}

/** Commands shown as a grey code block: each command its own monospace TextBlock. */
export function codeBlock(commands: string[], options: Omit<Container, 'type' | 'items'> = {}): Container {
  return container(commands.map((c) => mono(c)), { style: 'Emphasis', spacing: 'Small', ...options });
}

const utf8 = new TextEncoder();

/** Size of the card as Teams counts it: the UTF-8 bytes of its JSON. */
export function cardBytes(card: unknown): number {
  return utf8.encode(JSON.stringify(card)).length;
}
