#!/usr/bin/python3
"""supply-heldout-levels.py BIN EVENTS.csv [RULES.csv]: for each event of EVENTS (the 2023-25
file, data/supply/heldout/events_2023_2025.csv) and each affected partner (USA, KOR, JPN),
the data-only and event-informed level at the announcement and effective months, as
`BIN supply explain C P --at M --json` gives them on $CHAINWATCH_SUPPLY_DB (which must hold the
events: `supply load events EVENTS`), the series behind the cell and its last month, and why
the level is what it is: no data, no dynamic rule fired (the nearest dynamic indicator against
its threshold), or the rules that fired. Markdown on stdout. Read-only."""
import csv, json, subprocess, sys

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
for e in csv.DictReader(open(EV)):
    for c in e["commodity"].split(";"):
        for p in PARTNERS.get(e["affected_partner"], [e["affected_partner"]]):
            months = [("ann", e["date_announced"]), ("eff", e["date_effective"])]
            if e["date_announced"] == e["date_effective"]:
                months = [("ann=eff", e["date_announced"])]
            for tag, m in months:
                d, err = explain(c, p, m)
                if err:
                    print("| %s | %s | %s | %s %s | no data | no data | - | %s |" % (
                        e["event_id"], c, p, tag, m, err))
                    continue
                print("| %s | %s | %s | %s %s | %s | %s | %s | %s |" % (
                    e["event_id"], c, p, tag, m, d["level_data_only_name"], d["level_name"],
                    series(d), why(d, m)))
