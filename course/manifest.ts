// The course manifest (exercises/course.json): one entry per exercise, in
// course order, saying which lesson it belongs to, which files the learner
// edits, the tasks, the points of each check, and the hints in order.
// Validated on load, with messages that say where the problem is and what
// to write instead. Pure: the file is read by course/files.ts.

export const MANIFEST_PATH = 'exercises/course.json';
export const MANIFEST_FORMAT = 1;

export interface manifest_task {
  id: number;
  title: string;
}

export interface manifest_test {
  /** A check id of the exercise's check suite. */
  check: string;
  points: number;
  /** The task (manifest_task.id) this check grades. */
  task: number;
}

export interface manifest_exercise {
  /** "NN-slug", also the folder name under exercises/ and solutions/. */
  id: string;
  title: string;
  /** Path of the lesson, e.g. "lessons/01-count-must-not-hide-memory.md". */
  lesson: string;
  /**
   * The starter's own story, the bug as shipped, in a sentence (cli/report.ts):
   * shown instead of the known wrong answers while the learner's files are the
   * starter's, whose failures would otherwise read as a list of answers.
   */
  starter_story?: string;
  /** Files under exercises/<id>/ the learner edits (and the grader takes from a submission). */
  files: string[];
  /** Path of the check suite module, e.g. "checks/01-count-must-not-hide-memory.checks.ts". */
  checks: string;
  tasks: manifest_task[];
  tests: manifest_test[];
  /** From gentle to specific; at least three. */
  hints: string[];
  /**
   * What the learner's files may import from the model (values; `import type`
   * is always free). Absent: any kernel/ name but model plumbing (model_*).
   */
  imports?: manifest_imports;
}

/**
 * The import allowlist of an exercise. The model ships working kernel code,
 * its own versions of what the exercises ask for included: a file that
 * re-exports the model's mutex_trylock_recursive() would pass exercise 04
 * without a line of its own. So each exercise says which modules and names
 * a fix may use; grader/policy.ts checks it before grading, the learner's
 * type check reports it, and the grading realm (course/realm.ts) refuses
 * any other module at run time.
 */
export interface manifest_imports {
  /** Kernel module (tree path without extension, "kernel/locking/mutex") → the names a learner's file may import from it. */
  allow: Record<string, string[]>;
  /** Names never allowed, with the reason shown to the learner ("implementing it is the exercise"). */
  forbid?: Record<string, string>;
}

export interface course_manifest {
  format_version: number;
  exercises: manifest_exercise[];
}

export class manifest_error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'manifest_error';
  }
}

type json = unknown;

function is_obj(x: json): x is Record<string, json> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * validate_manifest - check the parsed JSON of @source and return it typed,
 * or throw a manifest_error listing every problem found.
 */
export function validate_manifest(data: json, source = MANIFEST_PATH): course_manifest {
  const problems: string[] = [];
  const say = (where: string, what: string) => problems.push(`${source}: ${where}: ${what}`);
  if (!is_obj(data)) throw new manifest_error(`${source}: the file must hold one JSON object with "format_version" and "exercises"`);
  if (data.format_version !== MANIFEST_FORMAT) say('format_version', `must be ${MANIFEST_FORMAT}`);
  if (!Array.isArray(data.exercises) || data.exercises.length === 0) {
    say('exercises', 'must be a non-empty list');
    throw new manifest_error(problems.join('\n'));
  }
  const ids = new Set<string>();
  data.exercises.forEach((e: json, i: number) => {
    const at = `exercises[${i}]`;
    if (!is_obj(e)) return say(at, 'must be an object');
    const id = typeof e.id === 'string' ? e.id : '';
    const where = id ? `${at} (${id})` : at;
    if (!/^\d\d-[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) say(where, 'id must look like "01-some-slug"');
    if (ids.has(id)) say(where, `id "${id}" is used twice`);
    ids.add(id);
    for (const k of ['title', 'lesson', 'checks'] as const) if (typeof e[k] !== 'string' || !e[k]) say(where, `"${k}" must be a non-empty string`);
    if (!Array.isArray(e.files) || e.files.length === 0 || !e.files.every((f: json) => typeof f === 'string' && /^[\w.-]+\.ts$/.test(f))) {
      say(where, '"files" must list the .ts file names the learner edits (no folders)');
    }
    const tasks = Array.isArray(e.tasks) ? e.tasks : [];
    if (tasks.length === 0) say(where, '"tasks" must list at least one {id, title}');
    const task_ids = new Set<number>();
    tasks.forEach((t: json, j: number) => {
      if (!is_obj(t) || typeof t.id !== 'number' || typeof t.title !== 'string') say(`${where}.tasks[${j}]`, 'must be {"id": number, "title": string}');
      else task_ids.add(t.id);
    });
    const tests = Array.isArray(e.tests) ? e.tests : [];
    if (tests.length === 0) say(where, '"tests" must give the points of each check');
    const checks = new Set<string>();
    tests.forEach((t: json, j: number) => {
      if (!is_obj(t) || typeof t.check !== 'string' || typeof t.points !== 'number' || typeof t.task !== 'number') {
        return say(`${where}.tests[${j}]`, 'must be {"check": string, "points": number, "task": number}');
      }
      if (!(t.points >= 0)) say(`${where}.tests[${j}]`, 'points must be 0 or more');
      if (!task_ids.has(t.task)) say(`${where}.tests[${j}]`, `task ${t.task} is not one of the exercise's tasks`);
      if (checks.has(t.check)) say(`${where}.tests[${j}]`, `check "${t.check}" is listed twice`);
      checks.add(t.check);
    });
    if (e.imports !== undefined) {
      const im = e.imports;
      if (!is_obj(im) || !is_obj(im.allow)) say(where, '"imports" must be {"allow": {"kernel/<module>": ["name", ...]}, "forbid"?: {"name": "why"}}');
      else {
        for (const [mod, names] of Object.entries(im.allow)) {
          if (!/^kernel\/[\w/]+$/.test(mod)) say(`${where}.imports.allow`, `"${mod}" must be a kernel module path without extension ("kernel/locking/mutex")`);
          if (!Array.isArray(names) || !names.every((n: json) => typeof n === 'string' && /^[A-Za-z_$][\w$]*$/.test(n))) say(`${where}.imports.allow["${mod}"]`, 'must list identifiers');
        }
        if (im.forbid !== undefined && (!is_obj(im.forbid) || !Object.values(im.forbid).every((v) => typeof v === 'string' && v.length > 0))) {
          say(`${where}.imports.forbid`, 'must map names to the reason they are not allowed');
        }
      }
    }
    if (e.starter_story !== undefined && (typeof e.starter_story !== 'string' || e.starter_story.trim() === '')) say(where, '"starter_story" must be a sentence: the bug as the starter ships it');
    if (!Array.isArray(e.hints) || e.hints.length < 3 || !e.hints.every((h: json) => typeof h === 'string' && h.trim().length > 0)) {
      say(where, '"hints" must hold at least three hints, gentle first');
    }
  });
  if (problems.length) throw new manifest_error(problems.join('\n'));
  return data as unknown as course_manifest;
}

/**
 * find_exercise - the exercise named by @query: "3", "03", "03-slug" or the
 * full id. Throws with the list of valid ids when there is none.
 */
export function find_exercise(m: course_manifest, query: string): manifest_exercise {
  const q = query.trim();
  const num = /^\d+$/.test(q) ? q.padStart(2, '0') : null;
  const hit = m.exercises.find((e) => e.id === q || (num !== null && e.id.startsWith(`${num}-`)) || e.id.startsWith(`${q}-`));
  if (hit) return hit;
  throw new manifest_error(`no exercise "${query}". Valid ids:\n${m.exercises.map((e) => `  ${e.id}  ${e.title}`).join('\n')}`);
}

/** Total points of an exercise. */
export function exercise_points(e: manifest_exercise): number {
  return e.tests.reduce((s, t) => s + t.points, 0);
}

/** Model plumbing: names Linux does not have, never for a fix (kernel/README.md). */
export const MODEL_PLUMBING = /^model_/;

/**
 * import_refusal - why exercise @e may not import @name from @module (a tree
 * path without extension, "kernel/locking/mutex"), or null when it may.
 * @name null asks about the whole module (a namespace import, a re-export of
 * everything, or the grading realm's module-level check with name '*').
 */
export function import_refusal(e: manifest_exercise, module: string, name: string | null): string | null {
  const who = `exercise ${e.id.slice(0, 2)}`;
  if (!module.startsWith('kernel/')) return `${who} may import only the kernel model, not '${module}'`;
  if (name !== null && MODEL_PLUMBING.test(name)) return `${who} may not import ${name}: it is model plumbing (model_*), not kernel API`;
  const forbid = e.imports?.forbid ?? {};
  if (name !== null && Object.prototype.hasOwnProperty.call(forbid, name)) return `${who} may not import ${name}: ${forbid[name]}`;
  if (!e.imports) return null;
  const names = Object.prototype.hasOwnProperty.call(e.imports.allow, module) ? e.imports.allow[module]! : null;
  if (!names) return `${who} may not import from ${module}: the exercise needs only ${Object.keys(e.imports.allow).join(', ')} (the import allowlist in exercises/course.json)`;
  if (name === null) return `${who} may not import all of ${module}: import the names you use (allowed: ${names.join(', ')})`;
  if (name === '*') return null;
  if (!names.includes(name)) return `${who} may not import ${name} from ${module}: not in the exercise's import allowlist (allowed there: ${names.join(', ')})`;
  return null;
}
