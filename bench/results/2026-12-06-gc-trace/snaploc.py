import json,sys,collections
s=json.load(open(sys.argv[1]))
m=s['snapshot']['meta'];nf=m['node_fields'];nl=len(nf);types=m['node_types'][0]
it,iname,isz=nf.index('type'),nf.index('name'),nf.index('self_size')
nodes=s['nodes'];strs=s['strings']
locs=s.get('locations',[]);lf=m.get('location_fields');print(lf,len(locs))
ll=len(lf)
# script names: find via script_id -> need mapping; node has no script names in snapshot; use ids
agg=collections.Counter()
for j in range(0,len(locs),ll):
  oi,sid,line,col=locs[j:j+4]
  t=types[nodes[oi+it]]
  if t=='closure': agg[(sid,line,col,strs[nodes[oi+iname]])]+=1
for k,c in agg.most_common(45): print(c,k)
