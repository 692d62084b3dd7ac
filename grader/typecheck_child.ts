// The grader's type check of one submission, in its own process (it parses
// the learner's files and the model, ~3 s, and must not block the parent's
// other jobs): prints one JSON line {diagnostics}. It never runs the code.
//   node --import tsx grader/typecheck_child.ts ROOT FILE...
import { typechecker } from '../course/typecheck';

const [root, ...files] = process.argv.slice(2);
if (!root) {
  process.stderr.write('usage: typecheck_child.ts ROOT FILE...\n');
  process.exit(2);
}
const diagnostics = new typechecker(root).check(files);
process.stdout.write(`${JSON.stringify({ diagnostics })}\n`);
