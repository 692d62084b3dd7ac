import { describe, expect, it } from 'vitest';
import { explore } from '../../explorer/explore';
import { render_timeline } from '../../explorer/render';
import { replay } from '../../explorer/replay';
import { format_schedule, MODEL_VERSION, parse_schedule, schedule_checksum, schedule_string_error } from '../../explorer/schedule';
import { abba_toy, lost_update, lost_wakeup, window_of_two } from './fixtures';

describe('schedule strings', () => {
  it('round-trip: parse(format(s)) gives s back, and the text is canonical', () => {
    const s = [
      { at: 3, pid: 2 },
      { at: 17, pid: 1 },
    ];
    const text = format_schedule('abba-toy', s);
    expect(text).toMatch(new RegExp(`^sl1:abba-toy:m${MODEL_VERSION}:3=2\\.17=1:[0-9a-f]{4}$`));
    expect(parse_schedule(text, 'abba-toy')).toEqual({ scenario_id: 'abba-toy', model_version: MODEL_VERSION, schedule: s });
    expect(format_schedule('abba-toy', parse_schedule(text).schedule)).toBe(text);
    expect(format_schedule('abba-toy', [])).toMatch(/^sl1:abba-toy:m\d+:-:[0-9a-f]{4}$/);
  });

  it('rejects malformed, altered and mismatched strings with a message saying what is wrong', () => {
    const good = format_schedule('abba-toy', [{ at: 2, pid: 2 }]);
    const reject = (text: string, scenario = 'abba-toy') => {
      try {
        parse_schedule(text, scenario);
      } catch (e) {
        expect(e).toBeInstanceOf(schedule_string_error);
        return (e as Error).message;
      }
      throw new Error(`accepted ${text}`);
    };
    expect(reject('hello')).toMatch(/is not a schedule string: it should start with "sl1:"/);
    expect(reject('sl1:abba-toy:m1:2=2')).toMatch(/expected 5 fields/);
    // One mistyped digit: the checksum catches it.
    expect(reject(good.replace(':2=2:', ':2=3:'))).toMatch(/fails its checksum: it was altered or mistyped/);
    expect(reject(good.slice(0, -1) + (good.endsWith('0') ? '1' : '0'))).toMatch(/fails its checksum/);
    expect(reject(good, 'lost-update-2')).toMatch(/is for scenario "abba-toy", not "lost-update-2"/);
    const old_body = `sl1:abba-toy:m${MODEL_VERSION + 7}:2=2`;
    expect(reject(`${old_body}:${schedule_checksum(old_body)}`)).toMatch(new RegExp(`made by model version ${MODEL_VERSION + 7}, and this is version ${MODEL_VERSION}`));
    const unordered = `sl1:abba-toy:m${MODEL_VERSION}:5=1.3=2`;
    expect(reject(`${unordered}:${schedule_checksum(unordered)}`)).toMatch(/increasing order, and 3 comes after 5/);
    const junk = `sl1:abba-toy:m${MODEL_VERSION}:5=x`;
    expect(reject(`${junk}:${schedule_checksum(junk)}`)).toMatch(/"5=x" should be <decision>=<pid>/);
  });
});

describe('replay', () => {
  it('replays every reported failure identically from its schedule string (same dmesg, reports and trace)', async () => {
    for (const sc of [abba_toy(true), lost_wakeup(false), lost_update(3), window_of_two()]) {
      const x = await explore(sc);
      expect(x.failures.length).toBeGreaterThan(0);
      for (const f of x.failures) {
        const a = await replay(sc, f.schedule_string);
        const b = await replay(sc, f.schedule_string);
        expect(a.failures.map((g) => g.signature)).toContain(f.signature);
        // The report is the same as in the exploration run (traced or not), but for the Call Trace of a
        // task that sleeps (hung task, deadlock): only a traced run records where a task went to sleep.
        const same = (r: typeof f.report) => ({ ...r, call_trace: r.kind === 'deadlock' || r.kind === 'hung_task' ? [] : r.call_trace });
        expect(same(a.failures.find((g) => g.signature === f.signature)!.report)).toEqual(same(f.report));
        expect(b.dmesg_text).toBe(a.dmesg_text);
        expect(b.result.reports).toEqual(a.result.reports);
        expect(JSON.stringify(b.result.trace)).toBe(JSON.stringify(a.result.trace));
        expect(b.timeline_text).toBe(a.timeline_text);
        expect(a.result.trace.length).toBeGreaterThan(0);
      }
    }
  });

  it('rejects a schedule that does not fit the run, naming the decision and what was runnable', async () => {
    const sc = abba_toy(true);
    await expect(replay(sc, format_schedule(sc.id, [{ at: 2, pid: 9 }]))).rejects.toThrow(
      'the schedule does not fit this run: decision #2 names pid 9, but the runnable tasks there were task_ab:1, task_ba:2 (default task_ab:1).',
    );
    await expect(replay(sc, format_schedule(sc.id, [{ at: 2, pid: 1 }]))).rejects.toThrow(/decision #2 names pid 1, which is already the default choice there/);
    await expect(replay(sc, format_schedule(sc.id, [{ at: 400, pid: 1 }]))).rejects.toThrow(/names decision #400 \(pid 1\), but the run ended after \d+ decisions/);
    await expect(replay(sc, 'sl1:abba-toy:m1:2=2:0000')).rejects.toThrow(/fails its checksum/);
  });

  it('renders a timeline that interleaves switches, departures and kernel log lines in order, and serialises to JSON', async () => {
    const sc = abba_toy(true);
    const f = (await explore(sc)).failures[0]!;
    const r = await replay(sc, f.schedule_string);
    expect(JSON.parse(JSON.stringify(r.timeline))).toEqual(r.timeline);
    const text = r.timeline_text.split('\n');
    const note = text.findIndex((l) => l.includes('>>> explorer: decision #2: ran task_ba:2 instead of task_ab:1 (task_ab:1 could have run on: a preemption)'));
    expect(note).toBeGreaterThan(0);
    expect(text[note + 1]).toMatch(/^\[ +1\.\d{6}\] task_ab-1 +\[00\d\] sched_switch: prev_comm=task_ab prev_pid=1 ==> next_comm=task_ba next_pid=2$/);
    expect(text.some((l) => /task_ba-2 +\[00\d\] sched_sleep: state=D on="wait queue lock_a"/.test(l))).toBe(true);
    // Every dmesg line is in the timeline, unchanged and in order, after the events that preceded it.
    const log_lines = text.filter((l) => r.result.dmesg.includes(l));
    expect(log_lines).toEqual(r.result.dmesg);
    const hung = text.findIndex((l) => l.includes('INFO: task task_ab:1 blocked for more than 120 seconds.'));
    expect(hung).toBeGreaterThan(note);
    expect(text[text.length - 1]).toMatch(/wait-for cycle: task_ab:1 -> wait queue lock_b -> task_ba:2 -> wait queue lock_a -> task_ab:1$/);
    // The log-only view has the notes and the log, no events; the tail view says what it left out.
    expect(render_timeline(r.timeline, { log_only: true }).split('\n').filter((l) => !l.includes('>>> explorer')).join('\n')).toBe(r.dmesg_text);
    const tail = render_timeline(r.timeline, { tail: 9 }).split('\n');
    expect(tail[0]).toMatch(/^\.\.\. \(\d+ earlier lines; of those, what explains the failure:\)$/);
    // A tail keeps, before its window, the last lines that explain the failure: the explorer's departure, the hung tasks.
    expect(tail.slice(1, 4).map((l) => /decision #2|INFO: task task_ab:1 blocked|INFO: task task_ba:2 blocked/.test(l))).toEqual([true, true, true]);
    expect(tail[4]).toBe('... (the last 6 lines:)');
    expect(tail.slice(-6)).toEqual(text.slice(-6));
    // With nothing that explains before the window, only the count of what was left out.
    const plain = render_timeline(r.timeline.filter((e) => e.type !== 'decision'), { tail: 1 }).split('\n');
    expect(plain).toHaveLength(2);
  });

  it('replays the default schedule ("-") as the plain run', async () => {
    const sc = abba_toy(true);
    const r = await replay(sc, format_schedule(sc.id, []));
    expect(r.result.stop).toBe('completed');
    expect(r.timeline.filter((e) => e.type === 'decision')).toEqual([]);
  });
});

describe('runs asked for at the same time', () => {
  it('are queued, not interleaved: concurrent explorations and replays give the same results as one at a time', async () => {
    const sc = abba_toy(true);
    const alone = await explore(sc);
    const r_alone = await replay(sc, alone.failures[0]!.schedule_string);
    const [x1, r1, x2] = await Promise.all([explore(sc), replay(sc, alone.failures[0]!.schedule_string), explore(lost_update(3))]);
    expect(x1).toEqual(alone);
    expect(r1.dmesg_text).toBe(r_alone.dmesg_text);
    expect(x2.failures.map((f) => f.kind)).toEqual(['assert']);
  });
});
