import { MOMENT_MS } from './moment-cache';
import { VisibilityCounts, type CountScope } from './visibility-counts';

const DAY = 86_400_000;
const scheduledInDay: CountScope = { statuses: ['scheduled', 'locked'], range: { from: 0, to: DAY } };

/** A count source answering `answers[query]`, counting its loads; a clock the test moves. */
function setup(answers: Record<string, number>) {
  const clock = { now: 0 };
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
    await counts.get('small', scheduledInDay);
    await counts.get('large', scheduledInDay);
    clock.now = MOMENT_MS + 1;
    await counts.get('small', scheduledInDay);
    await counts.get('large', scheduledInDay);
    expect(loads).toEqual(['small', 'large', 'small']);
    clock.now = 25_000; // 50,000 × 0.5 ms
    await counts.get('large', scheduledInDay);
    expect(loads).toEqual(['small', 'large', 'small', 'large']);
  });

  it('shares one load between concurrent askers and does not keep a failure', async () => {
    const { loads, counts } = setup({ q: 3 });
    expect(await Promise.all([counts.get('q'), counts.get('q')])).toEqual([3, 3]);
    expect(loads).toEqual(['q']);
    const failing = new VisibilityCounts(() => Promise.reject(new Error('down')));
    await expect(failing.get('q')).rejects.toThrow('down');
  });

  it("moves a long-lived count by this process's own changes in its scope, and only those", async () => {
    const { loads, counts } = setup({ large: 50_000 });
    await counts.get('large', scheduledInDay);
    counts.changed({ after: { id: 'e', time: 1000, status: 'scheduled' } }); // created in scope
    counts.changed({ after: { id: 'e', time: DAY + 1, status: 'scheduled' } }); // due after the range
    counts.changed({ before: { id: 'e', time: 2000, status: 'delivered' } }); // a status it does not count, deleted
    counts.changed({
      before: { id: 'e', time: 3000, status: 'scheduled' },
      after: { id: 'e', time: 3000, status: 'cancelled' },
    });
    counts.changed({
      before: { id: 'e', time: 4000, status: 'scheduled' },
      after: { id: 'e', time: 5000, status: 'scheduled' },
    });
    expect(await counts.get('large', scheduledInDay)).toBe(50_000 + 1 - 1);
    counts.changed({ after: { id: 'e', time: 10, status: 'locked' } });
    expect(await counts.get('large', scheduledInDay)).toBe(50_000 + 1);
    expect(loads).toEqual(['large']);
  });

  it('forgets a count of a moment that a change touches, and keeps one it does not', async () => {
    const { loads, counts, answers } = setup({ inDay: 5, nextDay: 7 });
    const nextDay: CountScope = { ...scheduledInDay, range: { from: DAY, to: 2 * DAY } };
    await counts.get('inDay', scheduledInDay);
    await counts.get('nextDay', nextDay);
    answers.inDay = 6;
    counts.changed({ after: { id: 'e', time: 1000, status: 'scheduled' } });
    expect(await counts.get('inDay', scheduledInDay)).toBe(6);
    expect(await counts.get('nextDay', nextDay)).toBe(7);
    expect(loads).toEqual(['inDay', 'nextDay', 'inDay']);
  });

  it('moves a count still in flight when a change ends: it was asked before the change could show', async () => {
    let answer: (n: number) => void = () => undefined;
    const counts = new VisibilityCounts(() => new Promise((resolve) => (answer = resolve)));
    const pending = counts.get('q', scheduledInDay);
    counts.changed({ after: { id: 'e', time: 1000, status: 'scheduled' } });
    answer(5);
    expect(await pending).toBe(6);
    expect(await counts.get('q', scheduledInDay)).toBe(6);
  });

  it('after a change of unknown effect, forgets counts of a moment and keeps others for a moment only', async () => {
    const { clock, loads, counts } = setup({ small: 5, large: 50_000, tries: 3 });
    await counts.get('small', scheduledInDay);
    await counts.get('large', scheduledInDay);
    await counts.get('tries');
    counts.changed(undefined);
    await counts.get('small', scheduledInDay);
    await counts.get('large', scheduledInDay);
    await counts.get('tries');
    expect(loads).toEqual(['small', 'large', 'tries', 'small', 'tries']);
    clock.now = MOMENT_MS;
    await counts.get('large', scheduledInDay);
    expect(loads.at(-1)).toBe('large');
  });

  it('forgets a count whose scope is not known on any change', async () => {
    const { loads, counts } = setup({ tries: 3 });
    await counts.get('tries');
    counts.changed({});
    await counts.get('tries');
    expect(loads).toEqual(['tries', 'tries']);
  });
});
