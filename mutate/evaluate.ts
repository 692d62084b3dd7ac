// Run one mutant of an exercise's files against the exercise's check suite,
// in this process.
//
// The mutated files are written OUTSIDE the course checkout, to a temporary
// folder (with a package.json that makes .ts files ES modules), so that no
// mutant can ever be left behind in the repository, whatever happens to the
// process. Their relative imports ('../../kernel/...') are rewritten to the
// absolute paths they name from the original folder: the mutant then shares
// the one kernel model instance the checks use (same module URLs), and every
// line keeps its number.
//
// Killed means what it means for a learner: a check fails, or the check run
// crashes. A mutant that does not type-check is a compile error (the course
// stops such a file before any check runs), counted neither way.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { run_checks, type check_suite } from '../course/checks';
import { load_impl } from '../course/files';
import type { manifest_exercise } from '../course/manifest';
import type { typechecker } from '../course/typecheck';

export type mutant_status = 'killed' | 'survived' | 'compile-error' | 'timeout' | 'crashed';

export interface evaluation {
  status: mutant_status;
  /** Ids of the checks that failed (killed), or []. */
  failed: string[];
  /** The first failure message's first line, the compiler error, or the crash. */
  detail: string;
  ms: number;
}

/** rewrite_relative_imports - make every relative module specifier of @text absolute, as seen from @from_dir. */
export function rewrite_relative_imports(text: string, from_dir: string): string {
  const sf = ts.createSourceFile('x.ts', text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const spans: { start: number; end: number; spec: string }[] = [];
  const visit = (node: ts.Node): void => {
    const spec =
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)
        ? node.moduleSpecifier
        : ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])
          ? node.arguments[0]
          : null;
    if (spec && spec.text.startsWith('.')) spans.push({ start: spec.getStart(sf), end: spec.getEnd(), spec: spec.text });
    ts.forEachChild(node, visit);
  };
  visit(sf);
  let out = text;
  for (const s of spans.reverse()) out = out.slice(0, s.start) + JSON.stringify(resolve(from_dir, s.spec).split('\\').join('/')) + out.slice(s.end);
  return out;
}

/**
 * mutant_sandbox - a temporary folder outside the checkout for mutated
 * files. Each write gets a fresh sub-folder (a module is imported once per
 * URL). dispose() removes everything; so does process exit.
 */
export class mutant_sandbox {
  readonly dir: string;
  private n = 0;
  private readonly cleanup = () => this.dispose();

  /** @base: where to make the folder (default the system's temp dir; never the checkout). */
  constructor(base = tmpdir()) {
    this.dir = mkdtempSync(join(base, 'shrinker-mutate-'));
    writeFileSync(join(this.dir, 'package.json'), '{ "type": "module" }\n');
    process.once('exit', this.cleanup);
  }

  /** write - put @files (name -> text, written as if they lived in @source_dir) in a new folder; returns it. */
  write(source_dir: string, files: Record<string, string>): string {
    const dir = join(this.dir, `m${++this.n}`);
    for (const [name, text] of Object.entries(files)) {
      const path = join(dir, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, rewrite_relative_imports(text, dirname(join(source_dir, name))));
    }
    return dir;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
    process.removeListener('exit', this.cleanup);
  }
}

export interface evaluate_options {
  exercise: Pick<manifest_exercise, 'id' | 'files'>;
  suite: check_suite;
  /** The folder the files come from (solutions/<id> or exercises/<id>). */
  source_dir: string;
  /** Every editable file of the exercise, one of them mutated. */
  files: Record<string, string>;
  sandbox: mutant_sandbox;
  /** null: do not type-check. */
  checker: typechecker | null;
  /**
   * Stop at the first check that fails: a kill needs one, and the rest (with
   * each failure's explaining re-run) is most of a killed mutant's time.
   * @failed then names that one check. Survivors run every check either way.
   */
  bail?: boolean;
}

/** evaluate_mutant - type-check @opts.files, then run the suite on them. */
export async function evaluate_mutant(opts: evaluate_options): Promise<evaluation> {
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  const dir = opts.sandbox.write(opts.source_dir, opts.files);
  if (opts.checker) {
    const diags = opts.checker.check(Object.keys(opts.files).map((f) => join(dir, f)));
    if (diags.length > 0) return { status: 'compile-error', failed: [], detail: `${diags[0]!.code} ${diags[0]!.message.split('\n')[0]}`, ms: ms() };
  }
  let impl;
  try {
    impl = await load_impl(opts.exercise as manifest_exercise, dir);
  } catch (e) {
    return { status: 'crashed', failed: [], detail: `import failed: ${(e as Error).message.split('\n')[0]}`, ms: ms() };
  }
  const results = [];
  if (opts.bail) {
    for (const c of opts.suite.checks) {
      const [r] = await run_checks(opts.suite, impl, [c.id]);
      if (!r) continue;
      results.push(r);
      if (r.status === 'failed') break;
    }
  } else results.push(...(await run_checks(opts.suite, impl)));
  const failed = results.filter((r) => r.status === 'failed');
  return {
    status: failed.length > 0 ? 'killed' : 'survived',
    failed: failed.map((r) => r.id),
    detail: failed[0] ? `${failed[0].id}: ${failed[0].message.split('\n')[0]}` : '',
    ms: ms(),
  };
}
