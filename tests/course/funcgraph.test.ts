// course/funcgraph.ts: the learner's calls as trace events, only while the trace is on.
import { describe, expect, it } from 'vitest';
import { traced_exports } from '../../course/funcgraph';
import { user_task } from '../../kernel/fork';
import { start_kernel } from '../../kernel/init/main';

const answer = {
  async count(n: number): Promise<number> {
    return n * 2;
  },
  sync_flag(): boolean {
    return true;
  },
  policy: { batch: 4 },
};

async function run(trace: boolean) {
  const impl = traced_exports(answer);
  const got: unknown[] = [];
  const r = await start_kernel({ trace }, () => {
    user_task(async () => {
      got.push(await impl.count(21), impl.sync_flag());
    }, 'i915_ioctl');
  });
  return { impl, got, events: r.trace.filter((e) => e.event.startsWith('funcgraph_')).map((e) => `${e.comm} ${e.event} ${JSON.stringify(e.fields)}`) };
}

describe('traced_exports', () => {
  it('records each call and what it returned, in the calling task, while the trace is on', async () => {
    const { got, events, impl } = await run(true);
    expect(got).toEqual([42, true]);
    expect(events).toEqual([
      'i915_ioctl funcgraph_entry {"func":"count"}',
      'i915_ioctl funcgraph_exit {"func":"count","retval":42}',
      'i915_ioctl funcgraph_entry {"func":"sync_flag"}',
      'i915_ioctl funcgraph_exit {"func":"sync_flag","retval":true}',
    ]);
    expect(impl.policy).toBe(answer.policy); // data exports are the very objects
  });

  it('records nothing and changes no result with the trace off', async () => {
    const { got, events } = await run(false);
    expect(got).toEqual([42, true]);
    expect(events).toEqual([]);
  });
});
