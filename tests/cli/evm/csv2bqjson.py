#!/usr/bin/python3
"""Rewrites an ethereum-etl or BigQuery CSV export as BigQuery's newline-delimited JSON export.

    csv2bqjson.py SRC DST    one DST/<kind>-000000000000.json per SRC/<kind>*.csv

BigQuery's JSON export (EXPORT DATA / bq extract --destination_format NEWLINE_DELIMITED_JSON)
writes one object a line with compact separators; INT64, NUMERIC and BIGNUMERIC values as JSON
strings (64-bit integers do not survive JSON numbers in most readers); TIMESTAMP as text; REPEATED
fields as lists (logs' topics; blocks' withdrawals as objects, their integers strings too); and it
leaves NULL fields out of the line. trace_address is a STRING column ("0,1"). Every non-empty CSV
value is therefore written as a string, but topics and withdrawals as lists, and an empty value is
left out. Standard library only.
"""
import csv
import glob
import json
import os
import sys

csv.field_size_limit(1 << 30)


def withdrawals(text):
    t = text.strip()
    if not t.startswith("["):
        t = "[" + t + "]"
    return [{k: (str(v) if isinstance(v, int) else v) for k, v in w.items()} for w in json.loads(t)]


def main():
    src, dst = sys.argv[1], sys.argv[2]
    os.makedirs(dst, exist_ok=True)
    for path in sorted(glob.glob(os.path.join(src, "*.csv"))):
        kind = os.path.basename(path)[:-4]
        with open(path, newline="") as f, open(os.path.join(dst, kind + "-000000000000.json"), "w") as o:
            for r in csv.DictReader(f):
                obj = {}
                for k, v in r.items():
                    if v is None or v == "":
                        continue  # BigQuery leaves NULL fields out
                    if k == "topics":
                        obj[k] = v.split(",")
                    elif k == "withdrawals":
                        obj[k] = withdrawals(v)
                        if not obj[k]:
                            del obj[k]
                    else:
                        obj[k] = v
                o.write(json.dumps(obj, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
