// Boxes in lessons: a markdown-it block rule for fenced containers, written
// for this site (docs/authors.md documents the syntax).
//
//   ::: note [title]              a side note ("Note" unless titled)
//   ::: kernel [title]            "In the real kernel": what Linux did or does
//   ::: thread Who, when          a passage of the thread, with its attribution
//   ::: details Summary           folded away until opened (<details>)
//   ...markdown...
//   :::
//
// A note or kernel box whose first line inside is a heading shows that
// heading instead of a title (the heading keeps its id for links).
// A container ends at a line of at least as many colons as opened it, so
// four colons can hold a three-colon one. Inside, any markdown works.
// Separately, a lesson's plain blockquote whose last paragraph starts with
// "— " (the lessons' way of quoting the thread) is drawn as a thread quote
// with that line as its caption.
import type { Env, MarkdownIt, StateBlock, StateCore, Token } from 'markdown-it';

export const CONTAINER_KINDS = ['note', 'kernel', 'thread', 'details'] as const;
export type container_kind = (typeof CONTAINER_KINDS)[number];

const DEFAULT_TITLE: Record<container_kind, string> = { note: 'Note', kernel: 'In the real kernel', thread: 'From the thread', details: 'More' };

const OPEN = /^(:{3,})\s*([a-z]+)(?:\s+(.*?))?\s*$/;

/** containers - install the ::: rule and the quote-caption rule on @md. */
export function containers(md: MarkdownIt): void {
  md.block.ruler.before('fence', 'shrinker_container', container_rule, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });
  md.core.ruler.push('thread_quote_captions', caption_quotes);
  md.renderer.rules.container_open = (tokens, idx) => {
    const t = tokens[idx]!;
    const kind = t.info as container_kind;
    const title = md.utils.escapeHtml(box_title(t));
    switch (kind) {
      case 'details':
        return `<details class="box box-details"><summary>${title}</summary>\n`;
      case 'thread':
        return `<figure class="box box-thread"><blockquote>\n`;
      default:
        // A box that opens with its own heading ("::: kernel" then "## What the real kernel did") needs no title line.
        return tokens[idx + 1]?.type === 'heading_open' ? `<div class="box box-${kind}" role="note">\n` : `<div class="box box-${kind}" role="note"><p class="box-title">${title}</p>\n`;
    }
  };
  md.renderer.rules.container_close = (tokens, idx) => {
    const t = tokens[idx]!;
    const kind = t.info as container_kind;
    if (kind === 'details') return '</details>\n';
    if (kind === 'thread') return `</blockquote><figcaption>— ${md.utils.escapeHtml(box_title(t))}</figcaption></figure>\n`;
    return '</div>\n';
  };
}

/** box_title - the title a container token carries in its meta. */
function box_title(t: Token): string {
  return String((t.meta as { title?: string } | null)?.title ?? '');
}

function container_rule(state: StateBlock, start: number, end: number, silent: boolean): boolean {
  const line = (n: number): string => state.src.slice(state.bMarks[n]! + state.tShift[n]!, state.eMarks[n]);
  if (state.sCount[start]! - state.blkIndent >= 4) return false;
  const m = OPEN.exec(line(start));
  if (!m || !(CONTAINER_KINDS as readonly string[]).includes(m[2]!)) return false;
  if (silent) return true;
  const marker = m[1]!.length;
  const kind = m[2] as container_kind;
  const title = m[3]?.trim() || DEFAULT_TITLE[kind];
  // Find the closing line: colons only, at least as many, not indented more than the opener.
  let next = start + 1;
  let closed = false;
  for (; next < end; next++) {
    if (state.sCount[next]! < state.blkIndent) break; // a list item or quote around us ended
    const close = /^(:{3,})\s*$/.exec(line(next));
    if (close && close[1]!.length >= marker && state.sCount[next]! - state.blkIndent < 4) {
      closed = true;
      break;
    }
  }
  const old_parent = state.parentType;
  const old_max = state.lineMax;
  state.parentType = 'container' as typeof state.parentType;
  state.lineMax = next; // the inner markdown cannot run past the closing line
  const open = state.push('container_open', 'div', 1);
  open.info = kind;
  open.meta = { title };
  open.block = true;
  open.map = [start, next];
  state.md.block.tokenize(state, start + 1, next);
  const close = state.push('container_close', 'div', -1);
  close.info = kind;
  close.meta = { title };
  close.block = true;
  state.parentType = old_parent;
  state.lineMax = old_max;
  state.line = next + (closed ? 1 : 0);
  return true;
}

/**
 * caption_quotes - a core rule: blockquote whose last paragraph begins with
 * "— " (an attribution) becomes a thread-quote figure with that caption.
 */
function caption_quotes(state: StateCore): void {
  const tokens = state.tokens;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.type !== 'blockquote_open') continue;
    const close = matching_close(tokens, i);
    // ... paragraph_open inline paragraph_close blockquote_close, at the quote's own level.
    const p_open = tokens[close - 3];
    const inline = tokens[close - 2];
    if (!p_open || p_open.type !== 'paragraph_open' || p_open.level !== tokens[i]!.level + 1 || inline?.type !== 'inline') continue;
    if (!/^— /.test(inline.content) || close - 3 === i + 1) continue;
    const caption = inline.content.replace(/^— /, '');
    const open_html = new state.Token('html_block', '', 0);
    open_html.content = '<figure class="box box-thread"><blockquote>\n';
    const close_html = new state.Token('html_block', '', 0);
    close_html.content = `</blockquote><figcaption>— ${inline_html(state, caption)}</figcaption></figure>\n`;
    tokens.splice(close - 3, 4, close_html);
    tokens.splice(i, 1, open_html);
  }
}

function matching_close(tokens: Token[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    if (tokens[j]!.type === 'blockquote_open') depth++;
    if (tokens[j]!.type === 'blockquote_close' && --depth === 0) return j;
  }
  return tokens.length - 1;
}

/** inline_html - the caption's markdown (links, code) rendered inline. */
function inline_html(state: StateCore, src: string): string {
  return state.md.renderInline(src, state.env as Env);
}
