// What the playground page (site/src/playground_core.ts) and `npm start`'s
// site server (cli/your_code.ts) agree on for "your code": the learner's
// module reads the kernel model's modules from a registry kept on globalThis
// under this symbol, so that it calls the model instance the playground's
// bundle runs. Pure: the page bundles it, and it lives with the CLI so that
// every checkout that runs `npm start` has it.

/** Symbol.for() key of the registry: (module path such as "kernel/locking/mutex") -> Promise of that bundled module's namespace. */
export const KERNEL_REGISTRY_KEY = 'shrinker-lab.kernel';

/** The registry's shape. */
export type kernel_registry = (module: string) => Promise<Record<string, unknown>>;

/** What progress.json says when `npm start` serves the site: where the learner's code of each exercise is (absent on a static host). */
export interface your_code_offer {
  /** Relative to the site's root, ends with "/": <base><exercise id>.js is the module. */
  base: string;
  exercises: string[];
}

/** The export of the learner's module that maps its lines to their files: { file, first, count }[] (line numbers 1-based). */
export const YOUR_CODE_LINES = '__sl_your_code_lines';

/** One learner file's lines in the module: module lines first .. first+count-1 are its lines 1 .. count. */
export interface your_code_lines {
  file: string;
  first: number;
  count: number;
}

/** locate_your_code_line - the learner's file and line of module line @line, by @map; null outside every file. */
export function locate_your_code_line(map: readonly your_code_lines[], line: number): { file: string; line: number } | null {
  const part = map.find((p) => line >= p.first && line < p.first + p.count);
  return part ? { file: part.file, line: line - part.first + 1 } : null;
}
