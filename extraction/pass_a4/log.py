import csv,sys
# usage: python3 log.py corpus "query" n_hits useful "notes"
f='/work/extraction/pass_a4/search_log.csv'
n=sum(1 for _ in open(f))
with open(f,'a',newline='') as fh:
    csv.writer(fh).writerow([n,'2026-12-01',sys.argv[1],sys.argv[2],sys.argv[3],sys.argv[4],sys.argv[5]])
