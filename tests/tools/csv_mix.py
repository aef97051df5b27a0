#!/usr/bin/env python3
"""Deterministic CSV of mixed lines for the fast path's differential
tests (case 174): usage csv_mix.py SEED LINES [DELIMITER].

Plain and quoted fields, doubled quotes, quoted delimiters and newlines,
quotes out of place (inside a field, next to a blank), a quoted field
never closed, blanks around fields, tabs, CR and CR LF line ends, blank
lines, lines of delimiters only, fields of 70 to 130 bytes (across the
64-byte words), a line of 300 fields and one of 5000 bytes."""
import random, sys
seed=int(sys.argv[1]); n=int(sys.argv[2]); d=sys.argv[3] if len(sys.argv)>3 else ','
R=random.Random(seed)
toks=['abc','12.5','Région','','x y',' pad ','"q"','"a,b"','"a""b"','""','"x\ny"','"open',' "sp"','"t" ','mid"q','\t','a\tb','"'+'z'*70+'"','w'*130,'é'*40,';',',','"";""','" "','"a;b"']
eols=['\n','\r\n','\r']
out=[]
hdr=d.join('c%d'%i for i in range(8))+'\n'
out.append(hdr)
for i in range(n):
    r=R.random()
    if r<0.02: out.append(R.choice(['\n','  \n',d*3+'\n','""\n',' \t \n'])); continue
    if r<0.025: out.append(d.join(['v']*300)+'\n'); continue
    if r<0.03: out.append('L'*5000+'\n'); continue
    nf=R.choice([8,8,8,8,7,9,1,3])
    fs=[]
    for j in range(nf):
        t=R.choice(toks) if R.random()<0.5 else R.choice(['abc','42','x','1 234,5','Occitanie'])
        fs.append(t.replace(',',d) if d!=',' and R.random()<0.3 else t)
    out.append(d.join(fs)+R.choice(eols if R.random()<0.1 else ['\n']))
sys.stdout.write(''.join(out))
