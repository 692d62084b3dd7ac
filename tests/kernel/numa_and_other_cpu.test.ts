// The model's nodes (boot parameter nr_node_ids) and its other CPU at an
// atomic (kernel/lib/atomic.ts model_other_cpu_at_atomic): what exercise 11's
// checks rely on to show per-node deferred work and a claim split in two ops.
import { describe, expect, it } from 'vitest';
import { atomic_long_add, atomic_long_read, atomic_long_set, atomic_long_t, atomic_long_xchg, model_other_cpu_at_atomic } from '../../kernel/lib/atomic';
import { GFP_NOFS } from '../../kernel/mm/gfp';
import { drop_slab, nr_node_ids, register_shrinker, shrink_slab, shrinker_nr_deferred, SHRINK_STOP, SHRINKER_NUMA_AWARE } from '../../kernel/mm/vmscan';
import { run_in_kthread, test_shrinker } from './mm_helpers';

describe('nodes', () => {
  it('one node unless a boot asks for more', async () => {
    let seen = 0;
    await run_in_kthread({}, async () => {
      seen = nr_node_ids;
    });
    expect(seen).toBe(1);
    await run_in_kthread({ nr_node_ids: 3 }, async () => {
      seen = nr_node_ids;
    });
    expect(seen).toBe(3);
  });

  it('a NUMA-aware shrinker keeps nr_deferred per node; one that is not aware is always called with nid 0', async () => {
    const aware = test_shrinker(() => 1000, (sc) => (sc.gfp_mask === GFP_NOFS ? SHRINK_STOP : 0), { flags: SHRINKER_NUMA_AWARE });
    const plain = test_shrinker(() => 1000, () => SHRINK_STOP);
    const nids: number[] = [];
    const count = plain.count_objects;
    plain.count_objects = (s, sc) => {
      nids.push(sc.nid);
      return count(s, sc);
    };
    const deferred: number[][] = [];
    await run_in_kthread(
      { nr_node_ids: 2 },
      async () => {
        await shrink_slab(GFP_NOFS, 1, null, 100, 999);
        deferred.push([shrinker_nr_deferred(aware, 0), shrinker_nr_deferred(aware, 1)], [shrinker_nr_deferred(plain, 0)]);
      },
      () => {
        expect(register_shrinker(aware)).toBe(0);
        expect(register_shrinker(plain)).toBe(0);
      },
    );
    expect(aware.nr_deferred).toHaveLength(2);
    expect(plain.nr_deferred).toHaveLength(1);
    // delta = (4*100/2)*1000/1000 = 200, all deferred (SHRINK_STOP), on node 1 only.
    expect(deferred[0]).toEqual([0, 200]);
    expect(deferred[1]).toEqual([200]);
    expect(nids).toEqual([0]);
  });

  it('drop_slab drops every node (drop_slab_node for each online node)', async () => {
    const nids: number[] = [];
    const s = test_shrinker(
      (sc) => {
        nids.push(sc.nid);
        return 0;
      },
      () => 0,
      { flags: SHRINKER_NUMA_AWARE },
    );
    await run_in_kthread({ nr_node_ids: 3 }, () => drop_slab(), () => void register_shrinker(s));
    expect(nids).toEqual([0, 1, 2]);
  });
});

describe('the other CPU at an atomic', () => {
  it("lands its ops just before each op on the watched word, and only there", async () => {
    const seen: string[] = [];
    let lost = 0;
    await run_in_kthread({}, async () => {
      const v = new atomic_long_t(400);
      const other = new atomic_long_t(7);
      // Another CPU adds 300 before this CPU's second op on v.
      model_other_cpu_at_atomic(v, (w, op, index) => {
        seen.push(`${index}:${op}`);
        if (index === 1) atomic_long_add(300, w);
      });
      atomic_long_read(other);
      const nr = atomic_long_read(v); // 400
      atomic_long_set(v, 0); // the other CPU's 300 lands just before: wiped out
      lost = 400 + 300 - nr - atomic_long_read(v);
      model_other_cpu_at_atomic(null);
      atomic_long_xchg(v, 0);
    });
    expect(seen).toEqual(['0:atomic_long_read', '1:atomic_long_set', '2:atomic_long_read']);
    expect(lost).toBe(300);
  });

  it('is gone at the next boot', async () => {
    let calls = 0;
    await run_in_kthread({}, async () => {
      const v = new atomic_long_t(0);
      model_other_cpu_at_atomic(v, () => calls++);
      atomic_long_read(v);
    });
    await run_in_kthread({}, async () => {
      atomic_long_read(new atomic_long_t(0));
    });
    expect(calls).toBe(1);
  });
});
