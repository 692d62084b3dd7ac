// The study site, served on 127.0.0.1 while `watch` runs: a small static
// server for the built site (site/dist, made by `npm run build`), plus
// progress.json, a read-only view of the learner's .shrinker-lab/state.json
// that the course map shows. It listens on opts.host only, never on all
// interfaces. If the site is not built, it says how to build it instead of
// failing, so the watch loop runs on either way.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { state_path } from './state';

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

function handle(root: string, dist: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const url = req.url ?? '/';
  let body: Buffer | string;
  let type: string;
  if (url.split('?')[0] === '/progress.json') {
    const sp = state_path(root);
    body = existsSync(sp) ? readFileSync(sp) : '{"format":1,"exercises":{}}';
    type = TYPES['.json']!;
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
    try {
      handle(opts.root, dist, req, res);
    } catch {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
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
