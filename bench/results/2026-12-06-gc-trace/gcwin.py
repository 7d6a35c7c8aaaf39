import json,sys,re,datetime,glob
# usage: gcwin.py DIR BENCHLOG : GCs and samples around T0 (from the bench log's 'due at T0 = now + N s' line)
d,log=sys.argv[1],sys.argv[2]
L=open(log).read()
m=re.search(r'\[(\d\d):(\d\d):(\d\d) [^\]]*\] burst-\d+ r1/1 ours: probe .*now \+ ([\d.]+) s',L)
day=datetime.datetime.now(datetime.timezone.utc).date()
t=datetime.datetime(day.year,day.month,day.day,int(m[1]),int(m[2]),int(m[3]),tzinfo=datetime.timezone.utc).timestamp()+float(m[4])
t0=t*1000
rows=[json.loads(l) for f in glob.glob(d+'/gc-*.log') for l in open(f)]
rows.sort(key=lambda r:r['t'])
# refine T0: first sample with elu>=0.5 within [t0-2s, t0+2s]
cand=[r for r in rows if 'elu' in r and t0-1500<=r['t']<=t0+2500 and r['elu']>=0.5]
print('T0 from log (s-resolution):',t0, 'first busy sample:', cand[0]['t']-t0 if cand else None)
lo,hi=float(sys.argv[3]) if len(sys.argv)>3 else -30, float(sys.argv[4]) if len(sys.argv)>4 else 5
kinds={1:'minor',2:'major-ish',4:'MAJOR',8:'incremental',16:'weakcb'}
tot={}
for r in rows:
  dt=(r['t']-t0)/1000
  if lo<=dt<=hi:
    if 'gc' in r:
      k=kinds.get(r['gc'],r['gc']); tot[k]=tot.get(k,0)+r['ms']
      if r['gc']!=1 or r['ms']>5 or dt>-3: print(f"{dt:8.2f} GC {k:11s} {r['ms']:7.2f} ms")
    elif dt>-3: print(f"{dt:8.2f}  elu {r['elu']:.2f} heap {r['heapUsed']}/{r['heapTotal']} MB ext {r['ext']}")
print('GC ms by kind in window', {k:round(v,1) for k,v in tot.items()})
