// A task that adds a field to a sealed model struct, writes a field only the
// kernel sets, or redefines one (kernel/model_struct.ts) dies of the host's
// TypeError. The oops says what that means in kernel terms, and keeps the
// host's own words beside it, so the learner reads "your code added a field
// 'wb_saved' that the kernel's struct does not have", not only a JavaScript
// error (the grader's seal of session 12 had turned the state-across-calls
// message of 09, 10, 12 and 13's decoys into a bare TypeError).
import { describe, expect, it } from 'vitest';
import { start_kernel } from '../../kernel/init/main';
import { kthread_run } from '../../kernel/kthread';
import { model_struct } from '../../kernel/model_struct';

/** The reports of a boot whose one kthread runs @body. */
async function titles_when(body: () => void): Promise<string[]> {
  const r = await start_kernel({}, () => {
    kthread_run(async () => body(), 'learner');
  });
  return r.reports.map((x) => `${x.kind}: ${x.title}`);
}

describe('an oops from a sealed struct', () => {
  it('names the field a task added, with the host error beside it', async () => {
    const s = model_struct({ flags: 0 });
    const titles = await titles_when(() => {
      (s as Record<string, unknown>).wb_saved = 1;
    });
    expect(titles).toEqual([
      "bug: Oops: your code added a field 'wb_saved' that the kernel's struct does not have (TypeError: Cannot add property wb_saved, object is not extensible)",
    ]);
  });

  it('names a field only the kernel sets', async () => {
    const s = model_struct(Object.defineProperty({}, 'pid', { value: 7, writable: false, enumerable: true }));
    const titles = await titles_when(() => {
      (s as { pid: number }).pid = 8;
    });
    expect(titles).toHaveLength(1);
    expect(titles[0]).toMatch(/^bug: Oops: your code wrote the field 'pid', which only the kernel sets \(TypeError: Cannot assign to read only property 'pid'/);
  });

  it('leaves any other exception as the host said it', async () => {
    const titles = await titles_when(() => {
      throw new RangeError('too far');
    });
    expect(titles).toEqual(['bug: Oops: RangeError: too far']);
  });
});
