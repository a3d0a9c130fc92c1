#!/usr/bin/env python3
"""ETH transfers as ethereum-etl CSVs (blocks.csv, transactions.csv, receipts.csv) for the CLI
tests that hand-make a tiny world: `from transfers_world import World`, then World.block([(FROM,
TO, WEI), ...]) for each block (block n's hash 0x..b000+n, tx i's hash 0x..d00000+i, timestamps
1700000000 + 12 n, gas 21,000 at price 0) and World.write(DIR). block returns the block's tx
hashes. Deterministic."""
import os


class World:
    def __init__(self):
        self.blocks, self.txs = [], []

    def block(self, transfers):
        n = len(self.blocks) + 1
        self.blocks.append((n, "0x%064x" % (0xB000 + n), "0x%064x" % (0xB000 + n - 1),
                            len(transfers)))
        for i, (f, t, v) in enumerate(transfers):
            self.txs.append(("0x%064x" % (0xD00000 + len(self.txs) + 1), n, self.blocks[-1][1],
                             i, f, t, v))
        return [x[0] for x in self.txs[len(self.txs) - len(transfers):]]

    def write(self, out):
        os.makedirs(out, exist_ok=True)
        miner = "0x" + "miner".encode().hex().ljust(40, "0")
        with open(f"{out}/blocks.csv", "w") as f:
            f.write("number,hash,parent_hash,nonce,sha3_uncles,logs_bloom,transactions_root,"
                    "state_root,receipts_root,miner,difficulty,total_difficulty,size,extra_data,"
                    "gas_limit,gas_used,timestamp,transaction_count,base_fee_per_gas,"
                    "withdrawals_root,withdrawals\n")
            for n, h, p, k in self.blocks:
                f.write(f"{n},{h},{p},0x0,0x0,0x0,0x0,0x0,0x0,{miner},0,0,1000,0x,30000000,"
                        f"{21000 * k},{1700000000 + 12 * n},{k},,,\n")
        with open(f"{out}/transactions.csv", "w") as f:
            f.write("hash,nonce,block_hash,block_number,transaction_index,from_address,"
                    "to_address,value,gas,gas_price,input,block_timestamp,max_fee_per_gas,"
                    "max_priority_fee_per_gas,transaction_type\n")
            for h, n, bh, i, fr, to, v in self.txs:
                f.write(f"{h},0,{bh},{n},{i},{fr},{to},{v},21000,0,0x,{1700000000 + 12 * n},,,0\n")
        with open(f"{out}/receipts.csv", "w") as f:
            f.write("transaction_hash,transaction_index,block_hash,block_number,"
                    "cumulative_gas_used,gas_used,contract_address,root,status,"
                    "effective_gas_price\n")
            for h, n, bh, i, fr, to, v in self.txs:
                f.write(f"{h},{i},{bh},{n},{21000 * (i + 1)},21000,,,1,0\n")
