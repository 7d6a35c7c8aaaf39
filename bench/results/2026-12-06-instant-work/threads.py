# Samples the CPU time of every thread of the bench's worker (any process whose command line has worker.ts) every
# 0.5 s, from /proc, and appends "time pid tid name ticks" lines to the file named by the first argument.
# Run it beside `bench/run.sh`; threads-window.py reads what it wrote.
import glob, os, sys, time

out = open(sys.argv[1], 'a')
while True:
    now = time.time()
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            cmd = open(f'/proc/{pid}/cmdline', 'rb').read().replace(b'\0', b' ').decode()
        except OSError:
            continue
        if 'worker.ts' not in cmd and 'worker.js' not in cmd:
            continue
        for path in glob.glob(f'/proc/{pid}/task/*/stat'):
            try:
                stat = open(path).read()
            except OSError:
                continue
            name = stat[stat.index('(') + 1:stat.rindex(')')].replace(' ', '_')
            fields = stat[stat.rindex(')') + 2:].split()
            out.write(f'{now:.2f} {pid} {path.split("/")[4]} {name} {int(fields[11]) + int(fields[12])}\n')
    out.flush()
    time.sleep(0.5)
