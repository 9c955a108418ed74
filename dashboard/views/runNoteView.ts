import type { RunNote } from '../engine.js';
import { formatTime } from './format.js';
import { h, type SafeHtml } from './html.js';
import { csrfField, type PageContext } from './layout.js';

/**
 * A run's note as plain text (escaped; line breaks kept by CSS, markdown not rendered), with the
 * form operators edit it in. Kept outside the page's live region, so a refresh never wipes a note
 * being typed.
 */
export function runNoteSection(ctx: PageContext, runHref: string, note: RunNote | undefined): SafeHtml {
  return h`<section id="run-note">
    <h2>Note</h2>
    ${
      note
        ? h`<p class="note" id="run-note-text">${note.note}</p>
            <p class="muted small">by ${note.updated_by}, ${formatTime(note.updated_at)} UTC</p>`
        : h`<p class="muted">No note.</p>`
    }
    ${
      ctx.canMutate
        ? h`<form method="post" action="${runHref}/note" class="panel note-form">
            ${csrfField(ctx)}
            <textarea name="note" rows="4" maxlength="4000" aria-label="Note">${note?.note ?? ''}</textarea>
            <button type="submit" class="btn">Save note</button>
          </form>`
        : ''
    }
  </section>`;
}

/** A note shortened for a table cell or a tooltip. */
export function noteExcerpt(note: string | null | undefined, max = 80): string {
  if (!note) return '';
  const line = note.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
