// Build-time syntax highlighting of TypeScript and C with shiki. Runs in
// Node while the pages are generated: the pages get coloured <span>s with
// inline colours (a light and a dark theme), and nothing of shiki reaches
// the browser. Only the two grammars and two themes are loaded, with shiki's
// JavaScript regex engine (no WebAssembly, no network).
import { createHighlighterCore, type HighlighterCore } from 'shiki/core';
import { createJavaScriptRegexEngine } from 'shiki/engine/javascript';

/** highlight_fn - HTML of a <pre> for @code in @lang, or null when @lang is not highlighted. */
export type highlight_fn = (code: string, lang: string) => string | null;

/** The fence languages the site colours, with the grammar each uses. */
const LANGS: Record<string, 'typescript' | 'c'> = { ts: 'typescript', typescript: 'typescript', c: 'c' };

/** High-contrast GitHub themes: every token keeps 4.5:1 on the site's code background (axe checks it). */
const THEMES = { light: 'github-light-high-contrast', dark: 'github-dark-high-contrast' } as const;

let loading: Promise<HighlighterCore> | null = null;

/** load_highlighter - the highlighter, created once per process (about 10 ms, then a few ms per block). */
export async function load_highlighter(): Promise<highlight_fn> {
  loading ??= createHighlighterCore({
    themes: [import('@shikijs/themes/github-light-high-contrast'), import('@shikijs/themes/github-dark-high-contrast')],
    langs: [import('@shikijs/langs/typescript'), import('@shikijs/langs/c')],
    engine: createJavaScriptRegexEngine(),
  });
  const shiki = await loading;
  return (code, lang) => {
    const grammar = LANGS[lang.toLowerCase()];
    if (!grammar) return null;
    // The light colours are inline; dark ones ride in --shiki-dark (style.css switches them).
    const html = shiki.codeToHtml(code.replace(/\n$/, ''), { lang: grammar, themes: THEMES, defaultColor: 'light' });
    // The page's own code background and a keyboard-scrollable box (tabindex), like every other <pre>.
    return html.replace(/^<pre class="([^"]*)" style="[^"]*"( tabindex="0")?>/, `<pre class="$1" tabindex="0" data-lang="${grammar}">`);
  };
}
