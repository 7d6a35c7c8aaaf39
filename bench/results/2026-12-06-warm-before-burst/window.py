# CPU seconds per process (threads of many-threaded ones apart) in [T0+a, T0+b], from machine.py's log.
import collections, sys
log, t0, a, b = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
snaps = collections.defaultdict(dict)
names = {}
for line in open(log):
    t, pid, tid, name, ticks = line.split()
    snaps[float(t)][(pid, tid)] = int(ticks)
    names[(pid, tid)] = name
times = sorted(snaps)
lo = min(times, key=lambda t: abs(t - (t0 + a)))
hi = min(times, key=lambda t: abs(t - (t0 + b)))
print(f'window {lo - t0:+.2f} .. {hi - t0:+.2f} s')
use = collections.Counter()
for key, ticks in snaps[hi].items():
    d = ticks - snaps[lo].get(key, 0)
    if d <= 0: continue
    pid, tid = key
    use[f'{pid}:{names[key]}'] += d
for label, d in use.most_common(20):
    print(f'{d / 100:6.2f} s  {label}')
