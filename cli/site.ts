// The study site, served on 127.0.0.1 while `watch` runs. The site itself
// is not built yet; this is the hook the watch loop calls, so that the site
// slots in without touching the loop: replace the body of
// start_study_site() with a server (listening on opts.host only, never on
// all interfaces) and return its URL and a stop function.

export interface site_options {
  /** Course root (the site would serve lessons/ and the build output). */
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

/** start_study_site - serve the study site on @opts.host:@opts.port (for now: report that it does not exist yet). */
export function start_study_site(opts: site_options): Promise<site_handle> {
  void opts;
  return Promise.resolve({ running: false, reason: 'the study site is not built yet' });
}
