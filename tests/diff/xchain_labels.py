"""The labels a provider has for a cross-chain world, as `labels import csv` reads them.

usage: xchain_labels.py EVM_TRUTH_ADDRESSES.csv [BTC_TRUTH_ADDRESSES.csv] > labels.csv

From the EVM world's truth: its exchanges, mixer pools, bridge router and vault. From the
Bitcoin world's truth (when given): the exchanges' hot wallets and deposit addresses. Nothing the
trace is meant to find (the thief's addresses, the bridge's Bitcoin payout, deposit addresses on
the EVM side) is labelled. Shared by scripts/eval-xchain.sh, scripts/eval-evm.sh,
tests/cli/trace_xchain.sh and tests/cli/evm_gen_otc.sh.
"""
import csv
import sys

EVM_CATEGORY = {"exchange": "exchange", "mixer_pool": "mixer",
                "bridge_router": "bridge", "bridge_vault": "bridge"}


def main(evm_truth, btc_truth):
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["address", "entity", "category", "asset"])
    with open(evm_truth, newline="") as f:
        for r in csv.DictReader(f):
            if r["category"] in EVM_CATEGORY:
                out.writerow([r["address"], r["entity_name"] or r["category"],
                              EVM_CATEGORY[r["category"]], "ETH"])
    if not btc_truth:
        return
    with open(btc_truth, newline="") as f:
        for r in csv.DictReader(f):
            if r["category"] in ("exchange", "exchange_deposit"):
                out.writerow([r["address"], r["entity_name"], r["category"], "XBT"])


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: xchain_labels.py EVM_TRUTH_ADDRESSES.csv [BTC_TRUTH_ADDRESSES.csv]")
    main(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else None)
