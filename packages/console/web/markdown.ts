/**
 * Approval templates arrive as markdown rendered from the case's data — data that upstream models
 * wrote. marked turns them into HTML; DOMPurify removes anything active (scripts, handlers, styles,
 * forms, inputs) before it touches the page. Task-list boxes become plain ☐/☑ characters: they are
 * part of the printed template, not controls.
 */
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    checkbox({ checked }) {
      return checked ? '☑ ' : '☐ ';
    },
    // GFM turns "name@1.2.3" (a model reference) into a mailto link; in a template that is text.
    link({ href, text }) {
      return href.startsWith('mailto:') ? escapeHtml(text) : false;
    },
  },
});

export function renderMarkdown(markdown: string): string {
  const html = marked.parse(markdown, { async: false });
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'img', 'video', 'audio'],
    FORBID_ATTR: ['style', 'class', 'id', 'tabindex'],
  });
}
