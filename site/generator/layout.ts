// The page shell every site page shares: header with the site's sections and
// the search box, <main> with the page, and the scripts. Semantic HTML only;
// no external resources (the site works offline).
import { escape_html, type site_page } from './content.ts';

export interface asset_paths {
  /** The common script (search, hints, progress). */
  site_js: string;
  playground_js: string;
  style_css: string;
}

const NAV: readonly [string, string, site_page['kind']][] = [
  ['index.html', 'Course map', 'map'],
  ['thread.html', 'The thread', 'thread'],
  ['sources.html', 'Sources', 'sources'],
  ['glossary.html', 'Glossary', 'glossary'],
  ['playground.html', 'Playground', 'playground'],
];

/** render_page - the complete HTML document for @page. */
export function render_page(page: site_page, assets: asset_paths): string {
  const nav = NAV.map(([href, label, kind]) => `<li><a href="${href}"${kind === page.kind ? ' aria-current="page"' : ''}>${label}</a></li>`).join('');
  const scripts = [`<script type="module" src="${assets.site_js}"></script>`];
  if (page.script === 'playground') scripts.push(`<script type="module" src="${assets.playground_js}"></script>`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escape_html(page.title)} · Shrinker Lab</title>
<link rel="icon" href="favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${assets.style_css}">
${scripts.join('\n')}
</head>
<body class="kind-${page.kind}">
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
<p class="site-name"><a href="index.html">Shrinker Lab</a></p>
<nav aria-label="Site"><ul class="nav">${nav}</ul></nav>
<search class="site-search" role="search">
<label for="search-input">Search</label>
<input id="search-input" type="search" autocomplete="off" placeholder="lessons, exercises…" aria-describedby="search-help" aria-controls="search-results">
<span id="search-help" class="visually-hidden">Type to search; press Down to move into the results, Escape to close.</span>
<ul id="search-results" class="search-results" hidden></ul>
</search>
</header>
<main id="main" tabindex="-1">
${page.body}
</main>
<footer class="site-footer"><p>Shrinker Lab study site: built from the repository's lessons and exercises; works offline.</p></footer>
</body>
</html>
`;
}
