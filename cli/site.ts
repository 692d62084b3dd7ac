// The study site, served on 127.0.0.1 while `watch` runs: a small static
// server for the built site (site/dist, made by `npm run build`), plus
// progress.json, a read-only view of the learner's .shrinker-lab/state.json
// that the course map shows, and the learner's current code of each
// exercise for the playground (your-code/<exercise id>.js, cli/your_code.ts:
// progress.json's "your_code" lists the exercises it serves, so a page on a
// static host, whose progress.json has none, never asks). It reads nothing of
// the tree but site/dist, state.json and the manifest's files of exercises/.
// It listens on opts.host only, never on all interfaces. If the site is not built, it says how to build it instead of
// failing, so the watch loop runs on either way.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { state_path } from './state';
import { refusal_module, your_code_exercises, your_code_module, YOUR_CODE_PREFIX } from './your_code';

export interface site_options {
  /** Course root (the site serves site/dist and the learner's progress from here). */
  root: string;
  host: string;
  /** 0: pick a free port. */
  port: number;
}

export type site_handle =
  | { running: true; url: string; stop(): Promise<void> }
  | { running: false; /** Why there is no site, for the learner. */ reason: string };

export const SITE_HOST = '127.0.0.1';
export const SITE_PORT = 4173;

/** Where `npm run build` puts the site, relative to the course root. */
export const SITE_DIST = join('site', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

/** site_file - the file under @dist that @url_path names, or null (outside @dist, or missing). */
export function site_file(dist: string, url_path: string): string | null {
  let p: string;
  try {
    p = decodeURIComponent(url_path.split('?')[0]!.split('#')[0]!);
  } catch {
    return null;
  }
  if (p.endsWith('/')) p += 'index.html';
  const full = normalize(join(dist, p));
  if (full !== dist && !full.startsWith(dist + sep)) return null;
  if (!existsSync(full) || !statSync(full).isFile()) return null;
  return full;
}

/** progress.json: the learner's state as `watch` keeps it, and which exercises the playground can run as "your code" (and where). */
function progress_json(root: string): string {
  const sp = state_path(root);
  let state: Record<string, unknown> = { format: 1, exercises: {} };
  try {
    if (existsSync(sp)) state = JSON.parse(readFileSync(sp, 'utf8')) as Record<string, unknown>;
  } catch {
    /* a state file being rewritten: the empty state */
  }
  return JSON.stringify({ ...state, your_code: { base: YOUR_CODE_PREFIX.slice(1), exercises: your_code_exercises(root) } });
}

/**
 * local_request - asked of this machine by this machine: the server is on
 * a loopback address and the page asked for it by a loopback name (a page
 * of another site that points its own name at 127.0.0.1, DNS rebinding,
 * gets no learner code).
 */
function local_request(req: IncomingMessage): boolean {
  const local = req.socket.localAddress ?? '';
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  return (local === '127.0.0.1' || local === '::1' || local === '::ffff:127.0.0.1') && (host === '127.0.0.1' || host === 'localhost' || host === '[::1]');
}

async function handle(root: string, dist: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const url = req.url ?? '/';
  const path = url.split('?')[0]!.split('#')[0]!;
  let body: Buffer | string;
  let type: string;
  if (path === '/progress.json') {
    body = progress_json(root);
    type = TYPES['.json']!;
  } else if (path.startsWith(YOUR_CODE_PREFIX) && path.endsWith('.js') && local_request(req)) {
    // Only an exercise id of the manifest, exactly: the id is looked up, never joined into a path.
    let id: string;
    try {
      id = decodeURIComponent(path.slice(YOUR_CODE_PREFIX.length, -'.js'.length));
    } catch {
      id = '';
    }
    const m = id ? await your_code_module(root, id) : null;
    if (!m) {
      res.writeHead(404, { 'Content-Type': TYPES['.txt']! }).end('not found\n');
      return;
    }
    body = m.ok ? m.js : refusal_module(m.error);
    type = TYPES['.js']!;
  } else {
    const file = site_file(dist, url);
    if (!file) {
      res.writeHead(404, { 'Content-Type': TYPES['.txt']! }).end('not found\n');
      return;
    }
    body = readFileSync(file);
    type = TYPES[extname(file)] ?? 'application/octet-stream';
  }
  res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** start_study_site - serve the built study site on @opts.host:@opts.port (or say why not). */
export function start_study_site(opts: site_options): Promise<site_handle> {
  const dist = normalize(join(opts.root, SITE_DIST));
  if (!existsSync(join(dist, 'index.html'))) {
    return Promise.resolve({ running: false, reason: 'run npm run build to build the study site' });
  }
  const server = createServer((req, res) => {
    handle(opts.root, dist, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  return new Promise((resolve) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      resolve({ running: false, reason: e.code === 'EADDRINUSE' ? `port ${opts.port} on ${opts.host} is in use` : `could not start: ${e.message}` });
    });
    server.listen(opts.port, opts.host, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : opts.port;
      resolve({
        running: true,
        url: `http://${opts.host}:${port}/`,
        stop: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
