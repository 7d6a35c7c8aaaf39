import json,sys,glob,re,datetime
d,log=sys.argv[1],sys.argv[2]
L=open(log).read()
m=re.search(r'\[(\d\d):(\d\d):(\d\d) [^\]]*\] burst-\d+ r1/1 ours: probe .*now \+ ([\d.]+) s',L)
day=datetime.datetime.now(datetime.timezone.utc).date()
t0=(datetime.datetime(day.year,day.month,day.day,int(m[1]),int(m[2]),int(m[3]),tzinfo=datetime.timezone.utc).timestamp()+float(m[4]))*1000
rows=sorted([json.loads(l) for f in glob.glob(d+'/gc-*.log') for l in open(f)],key=lambda r:r['t'])
last=None; scav=[]
for r in rows:
  dt=(r['t']-t0)/1000
  if 'gc' in r:
    if r['gc']==1: scav.append((dt,r['ms']))
    else: print(f"{dt:8.1f} GC {r['gc']} {r['ms']} ms   heap before {last['heapUsed'] if last else '?'}/{last['heapTotal'] if last else '?'} ext {last['ext'] if last else '?'}")
  else: last=r
  if 'elu' in r and int(dt*4)%40==0: print(f"{dt:8.1f}   heap {r['heapUsed']}/{r['heapTotal']} ext {r['ext']} elu {r['elu']}")
import statistics
for lo,hi in [(-250,-60),(-60,-3),(0,4)]:
  s=[ms for t,ms in scav if lo<=t<hi]
  if s: print(f"scavenges {lo}..{hi}s: n={len(s)} median {statistics.median(s):.1f} ms sum {sum(s):.0f}")
