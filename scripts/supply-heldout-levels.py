#!/usr/bin/python3
"""supply-heldout-levels.py BIN EVENTS.csv [RULES.csv]: for each event of EVENTS (the 2023-25
file, data/supply/heldout/events_2023_2025.csv) and each affected partner (USA, KOR, JPN),
the data-only and event-informed level at the announcement and effective months, as
`BIN supply explain C P --at M --json` gives them on $CHAINWATCH_SUPPLY_DB (which must hold the
events: `supply load events EVENTS`), the series behind the cell and its last month, and why
the level is what it is: no data, no dynamic rule fired (the nearest dynamic indicator against
its threshold), or the rules that fired. Markdown on stdout. Read-only.

EVENTS may also be a GTA or IEA policy file (`policy-events-gta-iea`, no `commodity` column):
its events are then read as the loader stored them (the database's `events` rows whose source
is that file; the loader maps implementers, minerals and measure types and leaves subsidies
out), so the script and the levels read one mapping, not two."""
import csv, json, os, sqlite3, subprocess, sys

BIN, EV = sys.argv[1], sys.argv[2]
RULES = sys.argv[3] if len(sys.argv) > 3 else None
PARTNERS = {"all": ["USA", "KOR", "JPN"], "US": ["USA"], "KR": ["KOR"], "JP": ["JPN"]}


def explain(c, p, m):
    cmd = [BIN, "supply", "explain", c, p, "--at", m, "--json"]
    if RULES:
        cmd += ["--rules", RULES]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        return None, r.stderr.strip().replace("chainwatch supply: ", "")
    return json.loads(r.stdout), None


def series(d):
    out = []
    tr, pr = d["data"].get("trade"), d["data"].get("price")
    if tr:
        g = d["data"].get("trade_group")
        out.append("trade %s%s to %s" % (tr["basis"].split(":")[0], " (group %s)" % g if g else "",
                                          tr["series_last"]))
    if pr:
        out.append("price %s to %s" % (pr["series"], pr["series_last"]))
    return "; ".join(out) or "none"


def why(d, month):
    dyn = [f for f in d["fired"] if f["kind"] == "dynamic"]
    if dyn:
        return "fired: " + ", ".join(
            "%s %s %.3g (%s)" % (f["rule"], f["indicator"], f["value"], f["at"]) for f in dyn)
    best = None
    ind = d["indicators"]
    for r in RULE_TABLE:
        if r["kind"] != "dynamic" or r["requires"]:
            continue
        v = ind.get(r["indicator"])
        if v is None:
            continue
        th = float(r["threshold"])
        frac = v / th if th else 0.0
        if best is None or frac > best[0]:
            best = (frac, r["rule_id"], r["indicator"], v, th)
    if best is None:
        return "no dynamic indicator defined (no monthly series read at %s)" % month
    return "no dynamic rule fired; nearest %s %s %.3g vs %g (%.0f %% of it)" % (
        best[1], best[2], best[3], best[4], 100 * best[0])


RULE_TABLE = list(csv.DictReader(open(RULES or sys.path[0] + "/../data/supply/rules.csv")))
print("| event | commodity | partner | month | data-only | event-informed | series (last month) | why (data-only) |")
print("|---|---|---|---|---|---|---|---|")


def month(d):
    """YYYY-MM of a date (YYYY-MM-DD, YYYY-MM; a year alone counts in January, as the levels
    count it)."""
    d = (d or "").strip()
    return d[:7] if len(d) >= 7 else d[:4] + "-01"


def events(path):
    """(event_id, commodities, affected, announced, effective) of each event of the file."""
    with open(path, newline="") as f:
        rd = csv.DictReader(f)
        if "commodity" in (rd.fieldnames or []):
            for e in rd:
                yield (e["event_id"], e["commodity"].split(";"), e["affected_partner"],
                       e["date_announced"], e["date_effective"])
            return
    db = os.environ.get("CHAINWATCH_SUPPLY_DB", "supply.db")
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    rows = con.execute(
        "SELECT event_id, commodity, affected, announced, effective, source FROM events"
        " ORDER BY announced, event_id").fetchall()
    con.close()
    mine = [r for r in rows if r[5] and os.path.basename(r[5]) == os.path.basename(path)]
    if not mine:
        sys.exit("%s: no `commodity` column, and no events of this file in %s (load it with "
                 "`chainwatch supply load events %s`)" % (path, db, path))
    for r in mine:
        yield (r[0], (r[1] or "").split(";"), r[2], month(r[3]), month(r[4] or r[3]))


for eid, coms, aff, ann, eff in events(EV):
    for c in coms:
        for p in PARTNERS.get(aff, [aff]):
            months = [("ann", ann), ("eff", eff)]
            if ann == eff:
                months = [("ann=eff", ann)]
            for tag, m in months:
                d, err = explain(c, p, m)
                if err:
                    print("| %s | %s | %s | %s %s | no data | no data | - | %s |" % (
                        eid, c, p, tag, m, err))
                    continue
                print("| %s | %s | %s | %s %s | %s | %s | %s | %s |" % (
                    eid, c, p, tag, m, d["level_data_only_name"], d["level_name"],
                    series(d), why(d, m)))
