// Cheaper replay must keep runs byte-identical (issue #14): the bounded
// search and the traced replays of every course scenario and thread scenario
// give the digests recorded in run_identity.json before the hot path was
// reworked (see run_identity.ts). UPDATE_RUN_IDENTITY=1 rewrites the file: do
// that only with a model change that bumps MODEL_VERSION.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run_identity, type run_digest } from './run_identity';

const FILE = new URL('./run_identity.json', import.meta.url);

describe('runs stay byte-identical', () => {
  it('every course and thread scenario: same search, same final logs, same traced replays', async () => {
    const now = await run_identity();
    if (process.env.UPDATE_RUN_IDENTITY === '1') writeFileSync(FILE, `${JSON.stringify(now, null, 1)}\n`);
    const before = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, run_digest>;
    expect(Object.keys(now).sort()).toEqual(Object.keys(before).sort());
    for (const [name, d] of Object.entries(before)) expect(now[name], name).toEqual(d);
    // The fixture covers something: searches that ran several schedules and found failures to replay.
    expect(Object.values(before).filter((d) => d.schedules > 1).length).toBeGreaterThanOrEqual(20);
    expect(Object.values(before).some((d) => d.failures.length > 0)).toBe(true);
  });
});
