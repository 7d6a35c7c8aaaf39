# Samples every process's CPU ticks (and each thread of processes with >8 threads) every 0.2 s until killed.
import os, sys, time
out = open(sys.argv[1], 'w')
while True:
    t = time.time()
    for pid in os.listdir('/proc'):
        if not pid.isdigit(): continue
        try:
            s = open(f'/proc/{pid}/stat').read()
            comm = s[s.index('(')+1:s.rindex(')')].replace(' ', '_')
            f = s[s.rindex(')')+2:].split()
            ticks = int(f[11]) + int(f[12])
            if ticks == 0: continue
            nthreads = int(f[17])
            out.write(f'{t:.2f} {pid} {pid} {comm} {ticks}\n')
            if nthreads > 8:
                for tid in os.listdir(f'/proc/{pid}/task'):
                    if tid == pid: continue
                    ts = open(f'/proc/{pid}/task/{tid}/stat').read()
                    tcomm = ts[ts.index('(')+1:ts.rindex(')')].replace(' ', '_')
                    tf = ts[ts.rindex(')')+2:].split()
                    out.write(f'{t:.2f} {pid} {tid} T:{tcomm} {int(tf[11]) + int(tf[12])}\n')
        except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
            pass
    out.flush()
    time.sleep(max(0, 0.2 - (time.time() - t)))
