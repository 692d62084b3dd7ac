// Small schema validators for the grader's output formats (no network, no
// dependency): a JSON-schema-like subset for the JSON formats, and a minimal
// XML reader for JUnit. Each returns the list of problems ([] = valid).
type schema =
  | { type: 'string'; pattern?: RegExp; maxLength?: number; enum?: readonly string[] }
  | { type: 'number'; minimum?: number; integer?: boolean; const?: number }
  | { type: 'null' }
  | { type: 'boolean' }
  | { type: 'array'; items: schema }
  | { type: 'object'; properties: Record<string, schema>; required?: readonly string[]; closed?: boolean }
  | { anyOf: schema[] };

export function validate(v: unknown, s: schema, at = '$'): string[] {
  if ('anyOf' in s) {
    const all = s.anyOf.map((x) => validate(v, x, at));
    return all.some((p) => p.length === 0) ? [] : [`${at}: matches none of the allowed shapes (${all.map((p) => p[0]).join(' | ')})`];
  }
  switch (s.type) {
    case 'string':
      if (typeof v !== 'string') return [`${at}: expected a string`];
      if (s.pattern && !s.pattern.test(v)) return [`${at}: "${v}" does not match ${s.pattern}`];
      if (s.maxLength !== undefined && v.length > s.maxLength) return [`${at}: longer than ${s.maxLength}`];
      if (s.enum && !s.enum.includes(v)) return [`${at}: "${v}" is not one of ${s.enum.join(', ')}`];
      return [];
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) return [`${at}: expected a number`];
      if (s.integer && !Number.isInteger(v)) return [`${at}: expected an integer`];
      if (s.minimum !== undefined && v < s.minimum) return [`${at}: below ${s.minimum}`];
      if (s.const !== undefined && v !== s.const) return [`${at}: must be ${s.const}`];
      return [];
    case 'null':
      return v === null ? [] : [`${at}: expected null`];
    case 'boolean':
      return typeof v === 'boolean' ? [] : [`${at}: expected a boolean`];
    case 'array':
      if (!Array.isArray(v)) return [`${at}: expected an array`];
      return v.flatMap((x, i) => validate(x, s.items, `${at}[${i}]`));
    case 'object': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return [`${at}: expected an object`];
      const o = v as Record<string, unknown>;
      const out: string[] = [];
      for (const k of s.required ?? []) if (!(k in o)) out.push(`${at}: missing "${k}"`);
      for (const [k, x] of Object.entries(o)) {
        const sub = s.properties[k];
        if (!sub) {
          if (s.closed) out.push(`${at}: unknown key "${k}"`);
          continue;
        }
        out.push(...validate(x, sub, `${at}.${k}`));
      }
      return out;
    }
  }
}

const str = { type: 'string' } as const;
const num0 = { type: 'number', minimum: 0 } as const;
const VISIBILITY = ['hidden', 'after_due_date', 'after_published', 'visible'] as const;
const FORMATS = ['text', 'html', 'simple_format', 'md', 'ansi'] as const;

/** Gradescope results.json (docs/specs.md of gradescope/autograder_samples). */
export const GRADESCOPE: schema = {
  type: 'object',
  closed: true,
  required: ['score', 'max_score', 'execution_time', 'output', 'tests'],
  properties: {
    score: num0,
    max_score: num0,
    execution_time: num0,
    output: str,
    output_format: { type: 'string', enum: FORMATS },
    test_output_format: { type: 'string', enum: FORMATS },
    test_name_format: { type: 'string', enum: FORMATS },
    visibility: { type: 'string', enum: VISIBILITY },
    stdout_visibility: { type: 'string', enum: VISIBILITY },
    tests: {
      type: 'array',
      items: {
        type: 'object',
        closed: true,
        required: ['name', 'number', 'score', 'max_score', 'status', 'output', 'visibility', 'tags'],
        properties: {
          name: str,
          number: { type: 'string', pattern: /^\d+(\.\d+)*$/ },
          score: num0,
          max_score: num0,
          status: { type: 'string', enum: ['passed', 'failed'] },
          output: str,
          output_format: { type: 'string', enum: FORMATS },
          visibility: { type: 'string', enum: VISIBILITY },
          tags: { type: 'array', items: str },
        },
      },
    },
  },
};

/** GitHub Classroom runner result, version 1 (classroom-resources/autograding-*-grader src/main.js). */
export const CLASSROOM: schema = {
  type: 'object',
  closed: true,
  required: ['version', 'status', 'max_score', 'tests'],
  properties: {
    version: { type: 'number', const: 1 },
    status: { type: 'string', enum: ['pass', 'fail', 'error'] },
    max_score: num0,
    tests: {
      type: 'array',
      items: {
        type: 'object',
        closed: true,
        required: ['name', 'status', 'score', 'message', 'test_code', 'filename', 'line_no', 'duration'],
        properties: {
          name: str,
          status: { type: 'string', enum: ['pass', 'fail', 'error'] },
          score: num0,
          message: str,
          test_code: str,
          filename: str,
          line_no: { type: 'number', integer: true, minimum: 0 },
          duration: num0,
        },
      },
    },
  },
};

/** Exercism results.json version 3 (exercism/docs building/tooling/test-runners/interface.md). */
export const EXERCISM: schema = {
  type: 'object',
  closed: true,
  required: ['version', 'status', 'tests'],
  properties: {
    version: { type: 'number', const: 3 },
    status: { type: 'string', enum: ['pass', 'fail', 'error'] },
    message: { anyOf: [{ type: 'string', maxLength: 65_535 }, { type: 'null' }] },
    tests: {
      type: 'array',
      items: {
        type: 'object',
        closed: true,
        required: ['name', 'status', 'test_code'],
        properties: {
          name: str,
          status: { type: 'string', enum: ['pass', 'fail', 'error'] },
          message: { anyOf: [str, { type: 'null' }] },
          output: { anyOf: [{ type: 'string', maxLength: 500 }, { type: 'null' }] },
          test_code: str,
          task_id: { type: 'number', integer: true, minimum: 1 },
        },
      },
    },
  },
};

/** The rules Exercism adds on top of the shape. */
export function exercism_rules(r: { status: string; message?: string | null; tests: { status: string; message?: string | null }[] }): string[] {
  const out: string[] = [];
  if (r.status === 'error' && !r.message) out.push('status error needs a message');
  if (r.status !== 'error' && r.tests.length === 0) out.push('pass/fail needs tests');
  if (r.status === 'pass' && r.tests.some((t) => t.status !== 'pass')) out.push('status pass with a failing test');
  if (r.status === 'fail' && !r.tests.some((t) => t.status !== 'pass')) out.push('status fail with no failing test');
  for (const t of r.tests) if (t.status !== 'pass' && !t.message) out.push(`test "${(t as { name?: string }).name}" fails without a message`);
  return out;
}

export interface xml_node {
  name: string;
  attrs: Record<string, string>;
  children: xml_node[];
  text: string;
}

/** parse_xml - a strict reader for the XML subset JUnit uses; throws on malformed input. */
export function parse_xml(xml: string): xml_node {
  let i = 0;
  const s = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const unescape = (t: string) => {
    if (/&(?!(amp|lt|gt|quot|apos);)/.test(t)) throw new Error(`bad entity in "${t.slice(0, 40)}"`);
    return t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  };
  const element = (): xml_node => {
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>/.exec(s.slice(i));
    if (!open) throw new Error(`expected an element at ${i}: ${s.slice(i, i + 40)}`);
    i += open[0].length;
    const attrs: Record<string, string> = {};
    for (const m of open[2]!.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
      if (m[1]! in attrs) throw new Error(`duplicate attribute ${m[1]}`);
      attrs[m[1]!] = unescape(m[2]!);
    }
    const node: xml_node = { name: open[1]!, attrs, children: [], text: '' };
    if (open[3]) return node;
    for (;;) {
      const close = new RegExp(`^</${open[1]}\\s*>`).exec(s.slice(i));
      if (close) {
        i += close[0].length;
        return node;
      }
      if (s[i] === '<') {
        if (s[i + 1] === '/') throw new Error(`mismatched close tag at ${i}: ${s.slice(i, i + 40)}`);
        node.children.push(element());
      } else {
        const end = s.indexOf('<', i);
        if (end < 0) throw new Error('unterminated element');
        node.text += unescape(s.slice(i, end));
        i = end;
      }
    }
  };
  const root = element();
  if (s.slice(i).trim()) throw new Error('content after the root element');
  return root;
}

/** junit_problems - structural check of a JUnit report (testsuites > testsuite > testcase), counts included. */
export function junit_problems(xml: string): string[] {
  let root: xml_node;
  try {
    root = parse_xml(xml);
  } catch (e) {
    return [`not well-formed: ${(e as Error).message}`];
  }
  const out: string[] = [];
  const int = (n: xml_node, a: string) => {
    const v = n.attrs[a];
    if (v === undefined || !/^\d+$/.test(v)) out.push(`<${n.name}> needs an integer ${a}`);
    return Number(v);
  };
  if (root.name !== 'testsuites') out.push('root must be <testsuites>');
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const suite of root.children) {
    if (suite.name !== 'testsuite') {
      out.push(`unexpected <${suite.name}> in <testsuites>`);
      continue;
    }
    if (!suite.attrs.name) out.push('<testsuite> needs a name');
    const cases = suite.children.filter((c) => c.name === 'testcase');
    for (const c of suite.children) if (!['testcase', 'system-out', 'system-err', 'properties'].includes(c.name)) out.push(`unexpected <${c.name}> in <testsuite>`);
    const f = cases.filter((c) => c.children.some((x) => x.name === 'failure')).length;
    const e = cases.filter((c) => c.children.some((x) => x.name === 'error')).length;
    if (int(suite, 'tests') !== cases.length) out.push(`${suite.attrs.name}: tests="${suite.attrs.tests}" but ${cases.length} testcases`);
    if (int(suite, 'failures') !== f) out.push(`${suite.attrs.name}: failures count`);
    if (int(suite, 'errors') !== e) out.push(`${suite.attrs.name}: errors count`);
    for (const c of cases) {
      if (!c.attrs.name || !c.attrs.classname) out.push('<testcase> needs name and classname');
      for (const x of c.children) if (!['properties', 'failure', 'error', 'skipped', 'system-out'].includes(x.name)) out.push(`unexpected <${x.name}> in <testcase>`);
      for (const x of c.children.filter((y) => y.name === 'failure' || y.name === 'error')) if (!('message' in x.attrs)) out.push('<failure>/<error> needs a message');
    }
    tests += cases.length;
    failures += f;
    errors += e;
  }
  if (Number(root.attrs.tests) !== tests || Number(root.attrs.failures) !== failures || Number(root.attrs.errors) !== errors) out.push('<testsuites> totals do not add up');
  return out;
}

/**
 * The Jenkins xunit plugin's JUnit schema (junit-10.xsd), as content models:
 * for each element, its attributes (required ones marked), the typed ones,
 * and its children as an ordered sequence of (name, min, max). A report
 * that passes jenkins_junit_problems() validates against that XSD.
 */
const DECIMAL = /^-?\d+(\.\d+)?$/;
const INT = /^\d+$/;
interface element_model {
  attrs: Record<string, { required?: boolean; type?: RegExp }>;
  sequence: { name: string; min: number; max: number }[];
  text?: boolean;
}
const MANY = Number.POSITIVE_INFINITY;
const JENKINS_JUNIT: Record<string, element_model> = {
  testsuites: {
    attrs: { name: {}, time: { type: DECIMAL }, tests: { type: INT }, failures: { type: INT }, errors: { type: INT }, disabled: { type: INT } },
    sequence: [{ name: 'testsuite', min: 0, max: MANY }],
  },
  testsuite: {
    attrs: {
      name: { required: true }, tests: { required: true, type: INT }, failures: { type: INT }, errors: { type: INT }, time: { type: DECIMAL },
      disabled: { type: INT }, skipped: { type: INT }, skips: { type: INT }, timestamp: {}, hostname: {}, id: {}, package: {}, file: {}, log: {}, url: {}, version: {}, group: {},
    },
    sequence: [{ name: 'properties', min: 0, max: 1 }, { name: 'testcase', min: 0, max: MANY }, { name: 'system-out', min: 0, max: 1 }, { name: 'system-err', min: 0, max: 1 }],
  },
  properties: { attrs: {}, sequence: [{ name: 'property', min: 1, max: MANY }] },
  property: { attrs: { name: { required: true }, value: { required: true } }, sequence: [] },
  testcase: {
    attrs: { name: { required: true }, classname: {}, time: { type: DECIMAL }, assertions: {}, status: {}, group: {} },
    sequence: [{ name: 'skipped', min: 0, max: 1 }, { name: 'error', min: 0, max: MANY }, { name: 'failure', min: 0, max: MANY }, { name: 'system-out', min: 0, max: MANY }, { name: 'system-err', min: 0, max: MANY }],
  },
  skipped: { attrs: { message: {} }, sequence: [], text: true },
  error: { attrs: { message: {}, type: {} }, sequence: [], text: true },
  failure: { attrs: { message: {}, type: {} }, sequence: [], text: true },
  'system-out': { attrs: {}, sequence: [], text: true },
  'system-err': { attrs: {}, sequence: [], text: true },
};

/** jenkins_junit_problems - where @xml breaks the Jenkins xunit JUnit schema ([] = valid). */
export function jenkins_junit_problems(xml: string): string[] {
  let root: xml_node;
  try {
    root = parse_xml(xml);
  } catch (e) {
    return [`not well-formed: ${(e as Error).message}`];
  }
  const out: string[] = [];
  const check = (n: xml_node, path: string) => {
    const m = JENKINS_JUNIT[n.name];
    if (!m) return void out.push(`${path}: <${n.name}> is not in the schema`);
    for (const [a, spec] of Object.entries(m.attrs)) if (spec.required && !(a in n.attrs)) out.push(`${path}: missing attribute ${a}`);
    for (const [a, v] of Object.entries(n.attrs)) {
      const spec = m.attrs[a];
      if (!spec) out.push(`${path}: attribute ${a} is not allowed`);
      else if (spec.type && !spec.type.test(v)) out.push(`${path}: attribute ${a}="${v}" has the wrong type`);
    }
    if (!m.text && n.text.trim()) out.push(`${path}: text is not allowed in <${n.name}>`);
    // The children, in the sequence's order and counts.
    let k = 0;
    for (const step of m.sequence) {
      let count = 0;
      while (k < n.children.length && n.children[k]!.name === step.name) {
        count++;
        k++;
      }
      if (count < step.min) out.push(`${path}: needs at least ${step.min} <${step.name}>`);
      if (count > step.max) out.push(`${path}: at most ${step.max} <${step.name}>`);
    }
    if (k < n.children.length) out.push(`${path}: <${n.children[k]!.name}> is not allowed here in <${n.name}>`);
    n.children.forEach((c, i) => check(c, `${path}/${c.name}[${i}]`));
  };
  if (root.name !== 'testsuites' && root.name !== 'testsuite') out.push('root must be <testsuites> or <testsuite>');
  check(root, root.name);
  return out;
}
