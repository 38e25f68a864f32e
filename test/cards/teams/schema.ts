/**
 * A JSON-schema-level check of Adaptive Cards as Teams accepts them: version 1.5, known element and
 * action types only, required fields present and of the right type, enum values from the 1.5 schema
 * (case-insensitive, as the schema allows), no unknown properties, and the size limit.
 * Written from https://adaptivecards.io/explorer/ (schema 1.5); the official package ships no schema file.
 */

const ENUMS = {
  colour: ['default', 'dark', 'light', 'accent', 'good', 'warning', 'attention'],
  containerStyle: ['default', 'emphasis', 'good', 'attention', 'warning', 'accent'],
  spacing: ['none', 'small', 'default', 'medium', 'large', 'extralarge', 'padding'],
  size: ['small', 'default', 'medium', 'large', 'extralarge'],
  weight: ['lighter', 'default', 'bolder'],
  fontType: ['default', 'monospace'],
  textStyle: ['default', 'heading'],
  actionStyle: ['default', 'positive', 'destructive'],
  vAlign: ['top', 'center', 'bottom'],
};

type Check = { type: 'string' | 'boolean' | 'number' | 'array' | 'object'; required?: boolean; enum?: string[] };

const COMMON: Record<string, Check> = {
  type: { type: 'string', required: true },
  id: { type: 'string' },
  spacing: { type: 'string', enum: ENUMS.spacing },
  separator: { type: 'boolean' },
  isVisible: { type: 'boolean' },
};

const ELEMENTS: Record<string, Record<string, Check>> = {
  TextBlock: {
    ...COMMON,
    text: { type: 'string', required: true },
    wrap: { type: 'boolean' },
    size: { type: 'string', enum: ENUMS.size },
    weight: { type: 'string', enum: ENUMS.weight },
    color: { type: 'string', enum: ENUMS.colour },
    isSubtle: { type: 'boolean' },
    fontType: { type: 'string', enum: ENUMS.fontType },
    maxLines: { type: 'number' },
    style: { type: 'string', enum: ENUMS.textStyle },
  },
  FactSet: { ...COMMON, facts: { type: 'array', required: true } },
  Container: { ...COMMON, items: { type: 'array', required: true }, style: { type: 'string', enum: ENUMS.containerStyle }, bleed: { type: 'boolean' } },
  ColumnSet: { ...COMMON, columns: { type: 'array', required: true } },
  ActionSet: { ...COMMON, actions: { type: 'array', required: true } },
  'Input.Text': { ...COMMON, id: { type: 'string', required: true }, placeholder: { type: 'string' }, label: { type: 'string' }, isMultiline: { type: 'boolean' }, maxLength: { type: 'number' } },
};

const COLUMN: Record<string, Check> = {
  type: { type: 'string', required: true },
  items: { type: 'array', required: true },
  width: { type: 'string' },
  verticalContentAlignment: { type: 'string', enum: ENUMS.vAlign },
};

const ACTIONS: Record<string, Record<string, Check>> = {
  'Action.Execute': { type: { type: 'string', required: true }, title: { type: 'string', required: true }, verb: { type: 'string', required: true }, data: { type: 'object' }, style: { type: 'string', enum: ENUMS.actionStyle } },
  'Action.OpenUrl': { type: { type: 'string', required: true }, title: { type: 'string', required: true }, url: { type: 'string', required: true } },
};

const ROOT: Record<string, Check> = {
  type: { type: 'string', required: true },
  $schema: { type: 'string' },
  version: { type: 'string', required: true },
  body: { type: 'array', required: true },
  actions: { type: 'array' },
  msteams: { type: 'object' },
  fallbackText: { type: 'string' },
};

/** Teams' limit on a message; each card must be under it by itself. */
export const TEAMS_MESSAGE_LIMIT = 28 * 1024;

function typeOf(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
}

function checkProps(o: Record<string, unknown>, spec: Record<string, Check>, path: string, errors: string[]) {
  for (const [k, c] of Object.entries(spec)) {
    if (!(k in o)) {
      if (c.required) errors.push(`${path}: missing required "${k}"`);
      continue;
    }
    const v = o[k];
    if (typeOf(v) !== c.type) errors.push(`${path}.${k}: expected ${c.type}, got ${typeOf(v)}`);
    else if (c.enum && !c.enum.includes(String(v).toLowerCase())) errors.push(`${path}.${k}: "${String(v)}" is not one of ${c.enum.join('|')}`);
    if (c.type === 'string' && c.required && v === '') errors.push(`${path}.${k}: must not be empty`);
  }
  for (const k of Object.keys(o)) if (!(k in spec)) errors.push(`${path}: unknown property "${k}"`);
}

function checkAction(a: unknown, path: string, errors: string[]) {
  if (typeOf(a) !== 'object') return void errors.push(`${path}: action must be an object`);
  const o = a as Record<string, unknown>;
  const spec = ACTIONS[String(o.type)];
  if (!spec) return void errors.push(`${path}: unknown action type "${String(o.type)}"`);
  checkProps(o, spec, path, errors);
  if (o.type === 'Action.Execute' && o.data !== undefined) {
    try {
      JSON.stringify(o.data);
    } catch {
      errors.push(`${path}.data: not serialisable`);
    }
  }
}

function checkElement(e: unknown, path: string, errors: string[]) {
  if (typeOf(e) !== 'object') return void errors.push(`${path}: element must be an object`);
  const o = e as Record<string, unknown>;
  const spec = ELEMENTS[String(o.type)];
  if (!spec) return void errors.push(`${path}: unknown element type "${String(o.type)}"`);
  checkProps(o, spec, path, errors);
  if (o.type === 'Container') {
    const items = o.items as unknown[];
    if (Array.isArray(items)) {
      if (!items.length) errors.push(`${path}.items: must not be empty`);
      items.forEach((x, i) => checkElement(x, `${path}.items[${i}]`, errors));
    }
  }
  if (o.type === 'FactSet' && Array.isArray(o.facts)) {
    if (!o.facts.length) errors.push(`${path}.facts: must not be empty`);
    o.facts.forEach((f, i) => {
      if (typeOf(f) !== 'object') return void errors.push(`${path}.facts[${i}]: must be an object`);
      checkProps(f as Record<string, unknown>, { title: { type: 'string', required: true }, value: { type: 'string', required: true } }, `${path}.facts[${i}]`, errors);
    });
  }
  if (o.type === 'ColumnSet' && Array.isArray(o.columns)) {
    o.columns.forEach((c, i) => {
      const cp = `${path}.columns[${i}]`;
      if (typeOf(c) !== 'object' || (c as { type?: unknown }).type !== 'Column') return void errors.push(`${cp}: must be a Column`);
      checkProps(c as Record<string, unknown>, COLUMN, cp, errors);
      const items = (c as { items?: unknown }).items;
      if (Array.isArray(items)) items.forEach((x, j) => checkElement(x, `${cp}.items[${j}]`, errors));
    });
  }
  if (o.type === 'ActionSet' && Array.isArray(o.actions)) {
    if (!o.actions.length) errors.push(`${path}.actions: must not be empty`);
    o.actions.forEach((a, i) => checkAction(a, `${path}.actions[${i}]`, errors));
  }
}

/** Every schema problem of the card, as readable lines; empty when the card is valid. */
export function checkCardSchema(card: unknown): string[] {
  const errors: string[] = [];
  if (typeOf(card) !== 'object') return ['card must be an object'];
  const o = card as Record<string, unknown>;
  checkProps(o, ROOT, 'card', errors);
  if (o.type !== 'AdaptiveCard') errors.push(`card.type: expected AdaptiveCard, got ${String(o.type)}`);
  if (o.version !== '1.5') errors.push(`card.version: expected 1.5 (what Teams renders), got ${String(o.version)}`);
  if (Array.isArray(o.body)) {
    if (!o.body.length) errors.push('card.body: must not be empty');
    o.body.forEach((e, i) => checkElement(e, `card.body[${i}]`, errors));
  }
  if (Array.isArray(o.actions)) o.actions.forEach((a, i) => checkAction(a, `card.actions[${i}]`, errors));
  const bytes = Buffer.byteLength(JSON.stringify(card), 'utf8');
  if (bytes > TEAMS_MESSAGE_LIMIT) errors.push(`card: ${bytes} bytes, over Teams' ${TEAMS_MESSAGE_LIMIT}`);
  return errors;
}
