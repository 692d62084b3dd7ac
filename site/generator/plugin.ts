// The Vite plugin that turns the repo's lessons and exercises into the site's
// pages. At build time it emits every page, the search index and the
// stylesheet next to the two bundled scripts; under the dev server
// (`npm run site`) it serves the same pages from memory, rendered afresh on
// each request so that edits to lessons show on reload.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';
import { collect_pages } from './content.ts';
import { load_highlighter } from './highlight.ts';
import { render_page, type asset_paths } from './layout.ts';

/**
 * progress.json on a static host: no progress known ("static": true), so the
 * course map shows what this browser remembers instead of logging a 404.
 * `npm start` (cli/site.ts) answers the same URL with the learner's
 * .shrinker-lab/state.json, which the map then shows and remembers.
 */
export const STATIC_PROGRESS = JSON.stringify({ format: 1, static: true, exercises: {} });

/** A favicon, so that browsers asking for /favicon.ico get an answer (no 404 in the console). */
export const FAVICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0645ad"/><path d="M4 11h8M4 8h6M4 5h4" stroke="#fff" stroke-width="1.5"/></svg>\n';

const BUILD_ASSETS: asset_paths = { site_js: 'assets/site.js', playground_js: 'assets/playground.js', style_css: 'assets/style.css' };
const DEV_ASSETS: asset_paths = { site_js: 'src/site.ts', playground_js: 'src/playground.ts', style_css: 'assets/style.css' };

/** study_site_pages - the plugin; @repo_root is where lessons/ and exercises/ are, @site_root is site/. */
export function study_site_pages(repo_root: string, site_root: string): Plugin {
  const css = (): string => readFileSync(join(site_root, 'src', 'style.css'), 'utf8');
  return {
    name: 'shrinker-lab-study-site',
    async generateBundle() {
      // shiki colours code here, in Node; the pages carry only the coloured HTML.
      const { pages, search } = collect_pages(repo_root, await load_highlighter());
      for (const p of pages) this.emitFile({ type: 'asset', fileName: p.file, source: render_page(p, BUILD_ASSETS) });
      this.emitFile({ type: 'asset', fileName: 'search-index.json', source: JSON.stringify(search) });
      this.emitFile({ type: 'asset', fileName: 'assets/style.css', source: css() });
      this.emitFile({ type: 'asset', fileName: 'progress.json', source: STATIC_PROGRESS });
      this.emitFile({ type: 'asset', fileName: 'favicon.svg', source: FAVICON_SVG });
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? '/').split('?')[0]!;
        const name = url === '/' ? 'index.html' : url.slice(1);
        if (name === 'assets/style.css') {
          res.setHeader('Content-Type', 'text/css; charset=utf-8');
          res.end(css());
          return;
        }
        if (name === 'progress.json' || name === 'favicon.svg') {
          res.setHeader('Content-Type', name === 'favicon.svg' ? 'image/svg+xml' : 'application/json');
          res.end(name === 'favicon.svg' ? FAVICON_SVG : STATIC_PROGRESS);
          return;
        }
        if (!name.endsWith('.html') && name !== 'search-index.json') return next();
        void load_highlighter().then((highlight) => {
          const { pages, search } = collect_pages(repo_root, highlight);
          if (name === 'search-index.json') {
            res.setHeader('Content-Type', 'application/json');
            res.end(JSON.stringify(search));
            return;
          }
          const page = pages.find((p) => p.file === name);
          if (!page) return next();
          res.setHeader('Content-Type', 'text/html; charset=utf-8');
          res.end(render_page(page, DEV_ASSETS));
        }).catch(next);
      });
    },
  };
}
