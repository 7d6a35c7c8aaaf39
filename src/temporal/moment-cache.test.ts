import { MomentCache } from './moment-cache';

describe('MomentCache', () => {
  it('shares one load between concurrent and recent askers, and loads again once the moment has passed', async () => {
    let now = 0;
    let loads = 0;
    const cache = new MomentCache<number>(1000, () => now);
    const load = async () => ++loads;
    expect(await Promise.all([cache.get('q', load), cache.get('q', load)])).toEqual([1, 1]);
    now = 999;
    expect(await cache.get('q', load)).toBe(1);
    expect(await cache.get('other', load)).toBe(2);
    now = 1000;
    expect(await cache.get('q', load)).toBe(3);
  });

  it('does not keep a failure', async () => {
    const cache = new MomentCache<number>(1000, () => 0);
    await expect(cache.get('q', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('q', async () => 7)).toBe(7);
  });
});
