import { MOMENT_MS } from './moment-cache';
import { VisibilityCounts, type CountScope, type EventMark } from './visibility-counts';

const DAY = 86_400_000;
const pendingInDay: CountScope = { statuses: ['scheduled', 'locked'], range: { from: 0, to: DAY } };
const mark = (time: number, status: EventMark['status'], id = 'e'): EventMark => ({ id, time, status });

/** A count source answering `answers[query]`, recording its loads; a clock the test moves. */
function setup(answers: Record<string, number>) {
  const clock = { now: 100 };
  const loads: string[] = [];
  const counts = new VisibilityCounts(
    async (query) => {
      loads.push(query);
      return answers[query] ?? 0;
    },
    () => clock.now,
  );
  return { clock, loads, counts, answers };
}

describe('VisibilityCounts', () => {
  it('reuses a count for a time that grows with what it counted', async () => {
    const { clock, loads, counts } = setup({ small: 10, large: 50_000 });
    await counts.get('small', pendingInDay);
    await counts.get('large', pendingInDay);
    clock.now += MOMENT_MS;
    await counts.get('small', pendingInDay);
    await counts.get('large', pendingInDay);
    expect(loads).toEqual(['small', 'large', 'small']);
    clock.now += 25_000; // 50,000 × 0.5 ms after it was answered
    await counts.get('large', pendingInDay);
    expect(loads).toEqual(['small', 'large', 'small', 'large']);
  });

  it('shares one load between concurrent askers, however long it takes', async () => {
    let answer: (n: number) => void = () => undefined;
    let loads = 0;
    const clock = { now: 0 };
    const counts = new VisibilityCounts(
      () => {
        loads += 1;
        return new Promise((resolve) => (answer = resolve));
      },
      () => clock.now,
    );
    const first = counts.get('q', pendingInDay);
    clock.now += 5 * MOMENT_MS;
    const second = counts.get('q', pendingInDay);
    answer(3);
    expect(await Promise.all([first, second])).toEqual([3, 3]);
    expect(loads).toBe(1);
  });

  it('does not keep a failure: the next asker loads again', async () => {
    let fail = true;
    const counts = new VisibilityCounts(async () => {
      if (fail) throw new Error('down');
      return 7;
    });
    await expect(counts.get('q')).rejects.toThrow('down');
    fail = false;
    expect(await counts.get('q')).toBe(7);
  });

  it("moves a count answered before a change exactly, by this process's changes in its scope only", async () => {
    const { clock, loads, counts } = setup({ large: 50_000 });
    await counts.get('large', pendingInDay);
    clock.now += 10;
    const t = clock.now;
    counts.changed({ after: mark(1000, 'scheduled') }, t); // created in scope
    counts.changed({ after: mark(DAY + 1, 'scheduled') }, t); // due after the range
    counts.changed({ before: mark(2000, 'delivered') }, t); // deleted, a status it does not count
    counts.changed({ before: mark(3000, 'scheduled'), after: mark(3000, 'cancelled') }, t); // cancelled
    counts.changed({ before: mark(4000, 'scheduled'), after: mark(5000, 'scheduled') }, t); // rescheduled within
    counts.changed({ before: mark(6000, 'locked'), after: mark(DAY + 5, 'locked') }, t); // rescheduled out
    expect(await counts.get('large', pendingInDay)).toBe(50_000 + 1 - 1 - 1);
    expect(loads).toEqual(['large']);
  });

  it('finds the counts a change may touch in any stretch of time their range covers', async () => {
    const BUCKET = 2 ** 30; // the index's bucket
    const { clock, counts } = setup({ narrow: 100, spanning: 20_000, wide: 60_000, other: 30_000 });
    const pending = (from: number, to: number): CountScope => ({ statuses: ['scheduled'], range: { from, to } });
    await counts.get('narrow', pending(5 * BUCKET, 5 * BUCKET + 1000));
    await counts.get('spanning', pending(5 * BUCKET, 9 * BUCKET)); // four buckets
    await counts.get('wide', pending(-(2 ** 40), 2 ** 40)); // too many buckets: visited by every change
    await counts.get('other', pending(20 * BUCKET, 21 * BUCKET));
    clock.now += 10;
    counts.changed({ after: mark(7 * BUCKET + 3, 'scheduled') }, clock.now);
    counts.changed({ before: mark(20 * BUCKET + 3, 'scheduled'), after: mark(8 * BUCKET, 'scheduled') }, clock.now);
    expect(await counts.get('narrow', pending(5 * BUCKET, 5 * BUCKET + 1000))).toBe(100);
    expect(await counts.get('spanning', pending(5 * BUCKET, 9 * BUCKET))).toBe(20_002);
    expect(await counts.get('wide', pending(-(2 ** 40), 2 ** 40))).toBe(60_001);
    expect(await counts.get('other', pending(20 * BUCKET, 21 * BUCKET))).toBe(29_999);
  });

  it('indexes a count asked again after it was dropped once, not twice', async () => {
    const { clock, loads, counts, answers } = setup({ q: 10 });
    await counts.get('q', pendingInDay);
    clock.now += MOMENT_MS; // a count of a moment has expired: asked again, replacing the first
    answers.q = 20_000;
    await counts.get('q', pendingInDay);
    clock.now += 10;
    counts.changed({ after: mark(1000, 'scheduled') }, clock.now);
    expect(await counts.get('q', pendingInDay)).toBe(20_001);
    counts.changed({ before: mark(2000, 'scheduled') }, clock.now);
    expect(await counts.get('q', pendingInDay)).toBe(20_000);
    // Expired, it is asked again, and the index holds the new count only.
    answers.q = 0;
    clock.now += 40_000;
    expect(await counts.get('q', pendingInDay)).toBe(0);
    expect(loads).toEqual(['q', 'q', 'q']);
    counts.changed({ after: mark(3000, 'scheduled') }, clock.now + 10);
    expect(await counts.get('q', pendingInDay)).toBe(0); // a count of a moment that a change touches is dropped
    expect(loads).toEqual(['q', 'q', 'q', 'q']);
  });

  it('counts only ids within its id bounds', async () => {
    const { clock, counts } = setup({ bucket: 5_000 });
    const bucket: CountScope = { ...pendingInDay, range: { ...pendingInDay.range, ids: { from: 0x80, to: 0x90 } } };
    await counts.get('bucket', bucket);
    clock.now += 10;
    counts.changed({ after: mark(1000, 'scheduled', '7f-x') }, clock.now);
    counts.changed({ after: mark(1000, 'scheduled', '80-x') }, clock.now);
    counts.changed({ after: mark(1000, 'scheduled', '90') }, clock.now);
    expect(await counts.get('bucket', bucket)).toBe(5_001);
  });

  it('gives a count that raced with a change what it added, never what it took away', async () => {
    const { clock, counts } = setup({ large: 50_000 });
    const startedAt = clock.now;
    await counts.get('large', pendingInDay); // answered while the changes below ran
    counts.changed({ after: mark(1000, 'scheduled') }, startedAt);
    counts.changed({ before: mark(2000, 'scheduled'), after: mark(2000, 'cancelled') }, startedAt);
    expect(await counts.get('large', pendingInDay)).toBe(50_001);
  });

  it('moves a count still in flight when a change ends by what the change added', async () => {
    let answer: (n: number) => void = () => undefined;
    const counts = new VisibilityCounts(() => new Promise((resolve) => (answer = resolve)));
    const pending = counts.get('q', pendingInDay);
    counts.changed({ after: mark(1000, 'scheduled') }, Date.now());
    counts.changed({ before: mark(2000, 'scheduled') }, Date.now());
    answer(5);
    expect(await pending).toBe(6);
  });

  it('asks again rather than answer a count moved below zero', async () => {
    const { clock, loads, counts, answers } = setup({ q: 2_500 });
    await counts.get('q', pendingInDay); // 2,500: reused 1.25 s, so moved rather than dropped
    clock.now += 10;
    answers.q = 0;
    for (let i = 0; i < 2_501; i++) counts.changed({ before: mark(1000 + i, 'scheduled') }, clock.now);
    expect(await counts.get('q', pendingInDay)).toBe(0);
    expect(loads).toEqual(['q', 'q']);
  });

  it('forgets a count of a moment that a change touches, and keeps one it does not', async () => {
    const { clock, loads, counts, answers } = setup({ inDay: 5, nextDay: 7 });
    const nextDay: CountScope = { ...pendingInDay, range: { from: DAY, to: 2 * DAY } };
    await counts.get('inDay', pendingInDay);
    await counts.get('nextDay', nextDay);
    answers.inDay = 6;
    counts.changed({ after: mark(1000, 'scheduled') }, clock.now);
    expect(await counts.get('inDay', pendingInDay)).toBe(6);
    expect(await counts.get('nextDay', nextDay)).toBe(7);
    expect(loads).toEqual(['inDay', 'nextDay', 'inDay']);
  });

  it('after a change of unknown effect, forgets counts of a moment and keeps others for a moment only', async () => {
    const { clock, loads, counts } = setup({ small: 5, large: 50_000, tries: 3 });
    await counts.get('small', pendingInDay);
    await counts.get('large', pendingInDay);
    await counts.get('tries');
    counts.changed(undefined, clock.now);
    await counts.get('small', pendingInDay);
    await counts.get('large', pendingInDay);
    await counts.get('tries');
    expect(loads).toEqual(['small', 'large', 'tries', 'small', 'tries']);
    clock.now += MOMENT_MS;
    await counts.get('large', pendingInDay);
    expect(loads.at(-1)).toBe('large');
  });

  it('forgets a count whose scope is not known on any write, and nothing on a change that wrote nothing', async () => {
    const { clock, loads, counts } = setup({ tries: 3 });
    await counts.get('tries');
    counts.changed({}, clock.now);
    await counts.get('tries');
    counts.changed({ after: mark(DAY * 9, 'scheduled') }, clock.now);
    await counts.get('tries');
    expect(loads).toEqual(['tries', 'tries']);
  });
});
