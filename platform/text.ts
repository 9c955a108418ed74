/** Text helpers shared by every role: HTML escaping for pages and mails, whole-number parsing. */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/**
 * Escapes a value's text for element content and for quoted attribute values, in pages and in
 * mails alike. The backtick is escaped too: old HTML parsers took it as an attribute quote, and
 * `&#96;` reads the same everywhere else.
 */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]!);
}

const WHOLE_NUMBER = /^-?\d+$/;

/**
 * The whole number `text` spells in decimal digits (an optional leading `-`; blanks around it
 * are ignored), or undefined when it is anything else — empty, a fraction, an exponent, hex —
 * or is not a safe integer from `min` to `max`. `Number()` alone would read `''` as 0 and
 * `0x10` as 16.
 * @param min - smallest accepted value. @defaultValue Number.MIN_SAFE_INTEGER
 * @param max - largest accepted value. @defaultValue Number.MAX_SAFE_INTEGER
 */
export function parseWholeNumber(
  text: string,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const trimmed = text.trim();
  if (!WHOLE_NUMBER.test(trimmed)) return undefined;
  const n = Number(trimmed);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
}
