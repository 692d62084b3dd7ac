// How a worker process (course/worker.ts, course/typecheck_worker.ts) hands
// its results to the runner: on file descriptor 3 (course/runner.ts
// RESULT_FD), never on stdout. The first line is RESULT_MARKER + {"nonce": N},
// a fresh random value written before any learner code loads (hello()), and
// each result is RESULT_MARKER + N + JSON. The writer is fs.writeSync
// captured here, at start-up (this module is imported before any learner
// code), with JSON.stringify; learner code lives in another realm and can
// reach neither.
import { randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import { RESULT_MARKER } from './outcome';

const write = writeSync;
const stringify = JSON.stringify;
const utf8 = new TextEncoder();
const encode = utf8.encode.bind(utf8);
const RESULT_FD = 3;
const nonce = randomBytes(16).toString('hex');

/** write_all - all of @text to @fd (a pipe may take it in parts). */
export function write_all(fd: number, text: string): void {
  const bytes = encode(text);
  let off = 0;
  while (off < bytes.length) {
    try {
      off += write(fd, bytes, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

/** The longest string a result carries (a check's message, a name): the grader shows at most 8,000 characters of one. */
const MAX_RESULT_STRING = 32 * 1024;
/** A result line stays well inside the runner's limit on one line (LIMITS.max_output, 1 MiB): past this its strings are cut shorter. */
const MAX_RESULT_LINE = 768 * 1024;

/**
 * capped - @v with every string cut to @n characters. The learner's code
 * chooses some of them (a thrown message of 4 MB went into every check's
 * message and every Oops report: the line was dropped as too long and the
 * run read "ended before reporting", red team 9 #01).
 */
function capped(v: unknown, n: number): unknown {
  if (typeof v === 'string') return v.length > n ? `${v.slice(0, n)}… (cut: ${v.length} characters)` : v;
  if (Array.isArray(v)) return v.map((x) => capped(x, n));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, capped(x, n)]));
  return v;
}

/** hello - the first line on the result pipe: the nonce every result carries. */
export function hello(): void {
  write_all(RESULT_FD, `${RESULT_MARKER}${stringify({ nonce })}\n`);
}

/** emit - one result on the result pipe. */
export function emit(payload: unknown): void {
  let line = stringify(capped(payload, MAX_RESULT_STRING));
  if (line.length > MAX_RESULT_LINE) line = stringify(capped(payload, 2000));
  write_all(RESULT_FD, `${RESULT_MARKER}${nonce}${line}\n`);
}

/** arg - the value after --@name in @argv. */
export function arg(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}
