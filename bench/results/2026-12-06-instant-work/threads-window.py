# Reads what threads.py wrote (first argument) and prints, per worker process, the 6 s in which it used the most
# CPU and how that CPU splits between its threads: MAIN (the JavaScript main thread), node (V8's helper threads and
# worker threads), tokio-runtime-w (the Temporal SDK's Rust core), and the rest.
import collections, sys

by_pid = collections.defaultdict(list)
for line in open(sys.argv[1]):
    t, pid, tid, name, ticks = line.split()
    by_pid[pid].append((float(t), tid, name, int(ticks)))
for pid, rows in by_pid.items():
    times = sorted({row[0] for row in rows})
    if len(times) < 20:
        continue
    snap = collections.defaultdict(dict)
    for t, tid, name, ticks in rows:
        snap[t][tid] = (name, ticks)
    total = {t: sum(v[1] for v in snap[t].values()) for t in times}
    best = None
    for i, t in enumerate(times):
        j = next((k for k in range(i, len(times)) if times[k] >= t + 6), None)
        if j is None:
            break
        used = total[times[j]] - total[t]
        if best is None or used > best[0]:
            best = (used, t, times[j])
    used, a, b = best
    print(f'pid {pid}: {used / 100:.2f} s of CPU in 6 s')
    split = collections.Counter()
    for tid, (name, ticks) in snap[b].items():
        split['MAIN' if tid == pid else name] += ticks - snap[a].get(tid, (name, 0))[1]
    for name, ticks in split.most_common():
        print(f'   {name:20s} {ticks / 100:.2f} s')
