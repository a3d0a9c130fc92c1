#!/usr/bin/python3
"""One line of scripts/evm-label-sweep.sh from tests/diff/evm_eval.py's output.
usage: evm_sweep_line.py WORLD VARIANT EVAL_TXT"""
import re
import sys

name, variant, path = sys.argv[1:]
text = open(path).read()
PATTERNS = [
    ("found", r"^cash-out txs: truth \d+, found (\d+)", "-"),
    ("recall", r"^cash-out.*recall ([0-9.]+)", "-"),
    ("precision", r"^cash-out.*precision ([0-9.]+)", "-"),
    ("worst%", r"worst ([0-9.]+) %", "-"),
    ("svc", r"services.*?: (\d+) txs", "0"),
    ("links", r"^mixer:.*precision ([0-9.]+)", "-"),
    ("bridge", r"^bridge exits.*recall ([0-9.]+)", "-"),
    ("named%", r"\(([0-9.]+) %\)", "-"),
    ("", r"^RESULT (\w+)", "-"),
]
out = ["%-15s %-8s" % (name, variant)]
for label, rx, default in PATTERNS:
    m = re.search(rx, text, re.M)
    out.append((label + " " if label else "") + (m.group(1) if m else default))
print(" ".join(out))
