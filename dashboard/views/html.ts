import { escapeHtml } from '../../platform/index.js';

/**
 * HTML built from tagged templates. Every interpolated value is escaped unless it is already
 * `SafeHtml` (the result of another `h` template or of `raw`), so a value from the database, a
 * DAG definition or a request can never inject markup: there is no other way to produce HTML here.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(value);
}

/**
 * `h\`<td>${name}</td>\`` — values are escaped, nested templates and arrays are inserted. (Named
 * `h`, not `html`, so code formatters leave the markup — and the whitespace of `<pre>` — alone.)
 */
export function h(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Trusted markup written in this code base (never data). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
