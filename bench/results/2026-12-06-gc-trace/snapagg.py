import json,sys,collections
s=json.load(open(sys.argv[1]))
m=s['snapshot']['meta'];nf=m['node_fields'];nl=len(nf);types=m['node_types'][0]
it,iname,isz=nf.index('type'),nf.index('name'),nf.index('self_size')
nodes=s['nodes'];strs=s['strings']
agg=collections.defaultdict(lambda:[0,0]);tot=0
for i in range(0,len(nodes),nl):
  t=types[nodes[i+it]];n=strs[nodes[i+iname]]
  if t in('string','concatenated string','sliced string'): n='(string)'
  k=t+' | '+n[:80]
  a=agg[k];a[0]+=nodes[i+isz];a[1]+=1;tot+=nodes[i+isz]
print('total MB %.1f nodes %d'%(tot/2**20,len(nodes)//nl))
for k,(sz,c) in sorted(agg.items(),key=lambda x:-x[1][0])[:50]: print('%7.1f MB %9d %s'%(sz/2**20,c,k))
