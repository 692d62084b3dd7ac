// A small unified line diff (longest common subsequence), enough for
// exercise files of a few hundred lines, with no dependency and no git.

type op = { kind: ' ' | '-' | '+'; text: string; a: number; b: number };

function edit_script(a: readonly string[], b: readonly string[]): op[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j] = LCS length of a[i..] and b[j..]
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const ops: op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ kind: ' ', text: a[i]!, a: i++, b: j++ });
    // Removals first where both would do, as diff(1) prints them.
    else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) ops.push({ kind: '-', text: a[i]!, a: i++, b: j });
    else ops.push({ kind: '+', text: b[j]!, a: i, b: j++ });
  }
  return ops;
}

/** unified_diff - @a_text -> @b_text as a unified diff with @context lines; '' when equal. */
export function unified_diff(a_text: string, b_text: string, a_name: string, b_name: string, context = 3): string {
  if (a_text === b_text) return '';
  const a = a_text.split('\n');
  const b = b_text.split('\n');
  const ops = edit_script(a, b);
  const changed = ops.map((o) => o.kind !== ' ');
  const out = [`--- ${a_name}`, `+++ ${b_name}`];
  let k = 0;
  while (k < ops.length) {
    if (!changed[k]) {
      k++;
      continue;
    }
    // a hunk: from context lines before this change to context lines after the last change within reach
    const start = Math.max(0, k - context);
    let end = k;
    for (;;) {
      let next = end + 1;
      while (next < ops.length && !changed[next]) next++;
      if (next < ops.length && next - end <= 2 * context) end = next;
      else break;
    }
    const stop = Math.min(ops.length, end + context + 1);
    const hunk = ops.slice(start, stop);
    const a_start = hunk[0]!.a + 1;
    const b_start = hunk[0]!.b + 1;
    const a_len = hunk.filter((o) => o.kind !== '+').length;
    const b_len = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${a_start},${a_len} +${b_start},${b_len} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.text}`);
    k = stop;
  }
  return out.join('\n');
}
