// The Vite plugin that turns the repo's lessons and exercises into the site's
// pages. At build time it emits every page, the search index and the
// stylesheet next to the two bundled scripts; under the dev server
// (`npm run site`) it serves the same pages from memory, rendered afresh on
// each request so that edits to lessons show on reload.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';
import { collect_pages } from './content.ts';
import { render_page, type asset_paths } from './layout.ts';

const BUILD_ASSETS: asset_paths = { site_js: 'assets/site.js', playground_js: 'assets/playground.js', style_css: 'assets/style.css' };
const DEV_ASSETS: asset_paths = { site_js: 'src/site.ts', playground_js: 'src/playground.ts', style_css: 'assets/style.css' };

/** study_site_pages - the plugin; @repo_root is where lessons/ and exercises/ are, @site_root is site/. */
export function study_site_pages(repo_root: string, site_root: string): Plugin {
  const css = (): string => readFileSync(join(site_root, 'src', 'style.css'), 'utf8');
  return {
    name: 'shrinker-lab-study-site',
    generateBundle() {
      const { pages, search } = collect_pages(repo_root);
      for (const p of pages) this.emitFile({ type: 'asset', fileName: p.file, source: render_page(p, BUILD_ASSETS) });
      this.emitFile({ type: 'asset', fileName: 'search-index.json', source: JSON.stringify(search) });
      this.emitFile({ type: 'asset', fileName: 'assets/style.css', source: css() });
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
        if (!name.endsWith('.html') && name !== 'search-index.json') return next();
        const { pages, search } = collect_pages(repo_root);
        if (name === 'search-index.json') {
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify(search));
          return;
        }
        const page = pages.find((p) => p.file === name);
        if (!page) return next();
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.end(render_page(page, DEV_ASSETS));
      });
    },
  };
}
