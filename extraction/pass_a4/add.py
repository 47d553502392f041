import csv,sys,json
# usage: python3 add.py file.csv '<json list of rows>'
f=sys.argv[1]; rows=json.loads(sys.argv[2])
hdr=next(csv.reader(open(f)))
with open(f,'a',newline='') as fh:
    w=csv.writer(fh)
    for r in rows:
        if isinstance(r,dict):
            w.writerow([r.get(h,'') for h in hdr])
        else:
            assert len(r)==len(hdr),(len(r),len(hdr),r)
            w.writerow(r)
