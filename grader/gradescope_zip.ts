// The Gradescope autograder zip: setup.sh and run_autograder at the root,
// the course (no solutions) under course/, the hidden tests under hidden/.
// setup.sh runs once when Gradescope builds the image (network allowed):
// it installs Node 20 if needed, runs npm ci and grades a starter to prove
// the grader works. run_autograder runs per submission, offline, and writes
// /autograder/results/results.json. tests/grader/deploy.test.ts runs both
// scripts, as shipped, in that layout under a temporary root.
//
//   npm run gradescope:zip [-- --out FILE] [--hidden DIR]
import { cpSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { read_manifest } from '../course/files';
import { read_hidden, required_starter, STARTERS_DIR } from './grade';
import { solved_starter_error, starters_that_are_solutions } from './solved_starter';
import { copy_course, make_temp, remove } from './tree';

export const SETUP_SH = `#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image
# (network allowed). AUTOGRADER_ROOT (default /autograder) lets a test run
# it in a temporary folder; SHRINKER_LAB_NODE_MODULES_READY=1 says that
# source/course/node_modules is already installed (offline, no npm ci).
set -euo pipefail
AUTOGRADER="\${AUTOGRADER_ROOT:-/autograder}"
need_node() {
  ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]
}
if need_node; then
  apt-get update
  apt-get install -y ca-certificates curl gnupg
  curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
  apt-get install -y nodejs
fi
cd "$AUTOGRADER/source/course"
if [ "\${SHRINKER_LAB_NODE_MODULES_READY:-0}" = 1 ] && [ -d node_modules ]; then
  echo "setup.sh: node_modules already present, npm ci skipped"
else
  npm ci --no-audit --no-fund
fi
# Prove the grader runs, offline, before any submission: grade the course's
# own starter of its first exercise (--credit-unchanged: its checks really run, realm
# and all), with the hidden suites when there are any (a suite or points file
# the grader cannot take fails here, not on every student's submission), and
# require the verdict a working grader gives the starter: its checks ran and
# it failed them. A results.json alone proves nothing: one is written even
# when the grader cannot run (red team 9 #15, #08).
check_out="$(mktemp -d)"
PROOF_HIDDEN=()
if [ -d "$AUTOGRADER/source/hidden" ]; then PROOF_HIDDEN=(--hidden "$AUTOGRADER/source/hidden"); fi
# The course's first exercise (a course of your own may have no 01).
FIRST="$(node -p "require('./exercises/course.json').exercises[0].id")"
node --import tsx grader/main.ts --submission exercises --exercises "$FIRST" --credit-unchanged --out "$check_out" --quiet \\
  \${PROOF_HIDDEN[@]+"\${PROOF_HIDDEN[@]}"} >/dev/null
if ! grep -Eq "^\${FIRST}: [0-9]+/[0-9]+ \\(failed\\)$" "$check_out/summary.txt"; then
  echo "setup.sh: the grader does not run: grading the starter of \${FIRST} gave" >&2
  cat "$check_out/summary.txt" >&2 || echo "(no summary.txt)" >&2
  exit 1
fi
rm -rf "$check_out"
# Every hidden suite, once, on its exercise's starter: it must load and report exactly the checks its
# points file names (the proof above runs 01's alone; a suite of 05 that could not load was found only
# after the due date, red team 10 #05).
if [ -d "$AUTOGRADER/source/hidden" ]; then
  node --import tsx grader/main.ts check-hidden --hidden "$AUTOGRADER/source/hidden"
fi
echo "setup.sh: the grader runs"
`;

export const RUN_AUTOGRADER = `#!/usr/bin/env bash
# Gradescope runs this for every submission (no network needed). The
# submission may be a whole student repository (exercises/ inside), the
# exercise folders, or the edited files uploaded one by one; files of the
# same name in two exercises (05 and 08) are uploaded as NN-<file> or in
# folders NN/.
set -euo pipefail
AUTOGRADER="\${AUTOGRADER_ROOT:-/autograder}"
cd "$AUTOGRADER/source/course"
# Two children at a time, or one on a single core: nproc reports the host's cores inside a container
# limited by a CPU quota, and each child may hold 150-400 MB (red team 9 #18).
JOBS="$(nproc)"
if [ "$JOBS" -gt 2 ]; then JOBS=2; fi
HIDDEN=()
if [ -d "$AUTOGRADER/source/hidden" ]; then HIDDEN=(--hidden "$AUTOGRADER/source/hidden"); fi
# The hidden suites run only from this date (gradescope-zip --hidden-from): see docs/instructors.md.
if [ -f "$AUTOGRADER/source/hidden-from" ]; then HIDDEN+=(--hidden-from "$(cat "$AUTOGRADER/source/hidden-from")"); fi
node --import tsx grader/main.ts --submission "$AUTOGRADER/submission" --out "$AUTOGRADER/results" \\
  --jobs "$JOBS" \${HIDDEN[@]+"\${HIDDEN[@]}"}
`;

interface entry {
  name: string;
  data: Buffer;
  mode: number;
}

/** zip_entries - a zip archive (deflate) of @entries, with Unix modes. */
export function zip_entries(entries: entry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  // 1 January 2000 00:00, fixed: the same inputs give the same zip.
  const time = 0;
  const date = ((2000 - 1980) << 9) | (1 << 5) | 1;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const packed = deflateRawSync(e.data);
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    parts.push(local, name, packed);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE((3 << 8) | 20, 4); // made by Unix
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x0800, 8);
    c.writeUInt16LE(8, 10);
    c.writeUInt16LE(time, 12);
    c.writeUInt16LE(date, 14);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(packed.length, 20);
    c.writeUInt32LE(e.data.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(0, 30);
    c.writeUInt16LE(0, 32);
    c.writeUInt16LE(0, 34);
    c.writeUInt16LE(0, 36);
    c.writeUInt32LE(((0o100000 | e.mode) << 16) >>> 0, 38);
    c.writeUInt32LE(offset, 42);
    central.push(c, name);
    offset += 30 + name.length + packed.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}

function files_under(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const d of readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    if (d.name === 'node_modules') continue;
    if (d.isDirectory()) out.push(...files_under(dir, r));
    else if (d.isFile()) out.push(r);
  }
  return out;
}

/** build_gradescope_zip - write the autograder zip of the course at @root to @file, with the hidden suites of @hidden run from @hidden_from (null: at every submission). */
export function build_gradescope_zip(root: string, file: string, hidden: string | null = null, hidden_from: Date | null = null): { file: string; files: number; hidden: string[] } {
  const manifest = read_manifest(root);
  // The hidden folder read as the grader will read it: a misnamed suite, a points file without its
  // suite, two suites of one exercise stop the build here, naming the file (red team 10 #06, #07).
  const suites = hidden ? read_hidden(hidden, manifest).map((h) => `${h.exercise.id} (${Object.keys(h.points).length} checks, ${Object.values(h.points).reduce((a, b) => a + b, 0)} points)`) : [];
  const stage = make_temp('shrinker-gradescope-');
  try {
    copy_course(root, join(stage, 'course'), manifest, false);
    // The starters as committed (or as the template recorded them), never the working tree: an
    // instructor who tried 01 locally shipped its solution as the starter, and on Gradescope (no
    // .git) every answer to 01 scored 0/0 'unchanged' (red team 9 #06).
    // Recorded too (grader/starters/, as export-student does): on Gradescope there is no .git, and the
    // grader must still know each starter (grade.ts required_starter). A course that cannot say its
    // starters is not zipped (red team 10 #03).
    const solved = starters_that_are_solutions(root, manifest, (id, f) => required_starter(root, id, f));
    if (solved.length) throw new Error(solved_starter_error('gradescope-zip refuses', solved));
    for (const e of manifest.exercises) {
      for (const f of e.files) {
        const committed = required_starter(root, e.id, f);
        writeFileSync(join(stage, 'course', 'exercises', e.id, f), committed);
        mkdirSync(join(stage, 'course', STARTERS_DIR, e.id), { recursive: true });
        writeFileSync(join(stage, 'course', STARTERS_DIR, e.id, `${f}.starter`), committed);
      }
    }
    // dereference: a suite that is a link to the instructor's private folder must go in as a file
    // (the link was dropped, and every student graded without it, red team 9 #21).
    if (hidden) cpSync(hidden, join(stage, 'hidden'), { recursive: true, dereference: true });
    if (hidden && hidden_from) writeFileSync(join(stage, 'hidden-from'), `${hidden_from.toISOString()}\n`);
    const entries: entry[] = [
      { name: 'setup.sh', data: Buffer.from(SETUP_SH), mode: 0o755 },
      { name: 'run_autograder', data: Buffer.from(RUN_AUTOGRADER), mode: 0o755 },
    ];
    for (const f of files_under(stage)) {
      const p = join(stage, f);
      entries.push({ name: f, data: readFileSync(p), mode: statSync(p).mode & 0o777 });
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, zip_entries(entries));
    return { file, files: entries.length, hidden: suites };
  } finally {
    remove(stage);
  }
}

