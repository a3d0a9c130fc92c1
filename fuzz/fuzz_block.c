/*
 * fuzz_block.c: libFuzzer target for the block and transaction decoders.
 * Any input must decode or fail cleanly; a block that decodes must re-serialise every tx to
 * its own bytes and have a computable merkle root; a lone tx likewise. Aborts on violation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/block.h"
#include "chainwatch/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cw_block b = {0};
    if (cw_block_decode(&b, data, size, "fuzz", 0, CW_HASH_ALL) == 0) {
        uint8_t root[32];
        if (cw_block_merkle(root, &b) != 0)
            abort();
        for (uint32_t i = 0; i < b.n_tx; i++) {
            uint8_t *ser;
            size_t n;
            if (cw_tx_serialize(&ser, &n, &b.txs[i], b.ins, b.outs) != 0)
                abort();
            if (n != b.txs[i].size || memcmp(ser, b.txs[i].raw, n) != 0)
                abort();
            free(ser);
        }
    }
    cw_block_deinit(&b);
    cw_tx tx;
    cw_txin *ins = NULL;
    cw_txout *outs = NULL;
    uint32_t ci = 0, co = 0;
    size_t used = 0;
    if (cw_tx_decode(&tx, data, size, &used, &ins, &ci, &outs, &co, 0, 0, "fuzz", 0) == 0) {
        uint8_t *ser;
        size_t n;
        if (used > size || cw_tx_serialize(&ser, &n, &tx, ins, outs) != 0)
            abort();
        if (n != used || memcmp(ser, data, n) != 0)
            abort();
        free(ser);
    }
    free(ins);
    free(outs);
    return 0;
}
