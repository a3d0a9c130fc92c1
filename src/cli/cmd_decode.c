/*
 * cmd_decode.c: `chainwatch decode (--block FILE | --tx FILE | --blk FILE | --hex HEX)`:
 * decodes raw bytes without a store and prints one JSON object per transaction (JSON lines):
 * txid, wtxid, sizes, inputs' outpoints and outputs with value, script type and address. For
 * blocks it first prints the block's header line. Used by investigators on raw data and by the
 * differential test against python-bitcoinlib.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/btc/block.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"
#include "cli/cli.h"

extern const cw_command cw_cmd_decode;

static json_t *tx_json(const cw_tx *tx, const cw_txin *ins, const cw_txout *outs, cw_network net)
{
    char h[65], a[CW_ADDR_STR_MAX];
    json_t *jo = json_array(), *ji = json_array();
    for (uint32_t i = 0; i < tx->n_in; i++) {
        const cw_txin *in = &ins[tx->first_in + i];
        cw_hex_encode_rev(h, in->prev_txid, 32);
        json_array_append_new(ji, json_pack("{s:s, s:I, s:I}", "prev_txid", h, "prev_vout",
                                            (json_int_t)in->prev_vout, "sequence",
                                            (json_int_t)in->sequence));
    }
    for (uint32_t i = 0; i < tx->n_out; i++) {
        const cw_txout *o = &outs[tx->first_out + i];
        cw_addr_key k;
        cw_script_type t = cw_script_classify(o->script, o->script_len, &k);
        json_t *jv =
            json_pack("{s:I, s:s}", "value", (json_int_t)o->value, "type", cw_script_type_name(t));
        if (k.kind != CW_ADDR_NONE && cw_addr_encode(a, sizeof a, &k, net) == 0)
            json_object_set_new(jv, "address", json_string(a));
        else
            json_object_set_new(jv, "address", json_null());
        json_array_append_new(jo, jv);
    }
    cw_hex_encode_rev(h, tx->txid, 32);
    json_t *j = json_pack("{s:s, s:I, s:I, s:b, s:i, s:I, s:o, s:o}", "txid", h, "size",
                          (json_int_t)tx->size, "weight", (json_int_t)tx->base_size * 3 + tx->size,
                          "segwit", tx->segwit, "version", tx->version, "locktime",
                          (json_int_t)tx->locktime, "inputs", ji, "outputs", jo);
    cw_hex_encode_rev(h, tx->wtxid, 32);
    json_object_set_new(j, "wtxid", json_string(h));
    return j;
}

static int print_line(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    if (!s)
        return CW_EXIT_FAIL;
    puts(s);
    free(s);
    return 0;
}

static int decode_block(const uint8_t *data, size_t len, const char *what, uint64_t base,
                        cw_network net)
{
    cw_block b = {0};
    int rc = cw_block_decode(&b, data, len, what, base, CW_HASH_ALL);
    if (rc) {
        cw_block_deinit(&b);
        return rc;
    }
    uint8_t root[32];
    char h[65], m[65];
    cw_block_merkle(root, &b);
    cw_hex_encode_rev(h, b.hash, 32);
    cw_hex_encode_rev(m, b.header.merkle, 32);
    print_line(json_pack("{s:s, s:I, s:I, s:I, s:s, s:b}", "block", h, "n_tx", (json_int_t)b.n_tx,
                         "size", (json_int_t)b.size, "weight", (json_int_t)b.weight, "merkle_root",
                         m, "merkle_ok", memcmp(root, b.header.merkle, 32) == 0));
    for (uint32_t i = 0; i < b.n_tx; i++)
        print_line(tx_json(&b.txs[i], b.ins, b.outs, net));
    cw_block_deinit(&b);
    return 0;
}

static int run(int argc, char **argv)
{
    const char *mode = NULL, *arg = NULL;
    cw_network net = CW_NET_MAIN;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--network") && i + 1 < argc) {
            if (cw_network_parse(&net, argv[++i]))
                return cw_cli_usage_error(&cw_cmd_decode, "%s", cw_error_last());
        } else if ((!strcmp(argv[i], "--block") || !strcmp(argv[i], "--tx") ||
                    !strcmp(argv[i], "--blk") || !strcmp(argv[i], "--hex")) &&
                   i + 1 < argc) {
            mode = argv[i];
            arg = argv[++i];
        } else if (!strcmp(argv[i], "--json")) {
            /* the output is always JSON lines: an accepted --json would change nothing */
            return cw_cli_usage_error(&cw_cmd_decode,
                                      "unknown option --json (decode always prints JSON lines)");
        } else {
            return cw_cli_usage_error(&cw_cmd_decode, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!mode)
        return cw_cli_usage_error(&cw_cmd_decode, "one of --block, --tx, --blk, --hex is needed");
    uint8_t *data = NULL;
    size_t len = 0;
    int rc;
    if (!strcmp(mode, "--hex"))
        rc = cw_hex_decode_alloc(&data, &len, arg);
    else
        rc = cw_file_read(&data, &len, arg);
    if (rc)
        return cw_cli_fail("decode", rc);
    if (!strcmp(mode, "--block")) {
        rc = decode_block(data, len, arg, 0, net);
    } else if (!strcmp(mode, "--blk")) {
        uint8_t magic[4];
        cw_network_magic(magic, net);
        size_t off = 0;
        while (
            rc == 0 && off + 8 <= len &&
            !(data[off] == 0 && data[off + 1] == 0 && data[off + 2] == 0 && data[off + 3] == 0)) {
            if (memcmp(data + off, magic, 4) != 0) {
                rc = cw_error_set(CW_ECORRUPT, "%s: bad magic at offset %zu", arg, off);
                break;
            }
            uint32_t sz;
            memcpy(&sz, data + off + 4, 4);
            if (sz > len - off - 8) {
                rc = cw_error_set(CW_ECORRUPT, "%s: record at offset %zu runs past the end", arg,
                                  off);
                break;
            }
            rc = decode_block(data + off + 8, sz, arg, off + 8, net);
            off += 8 + (size_t)sz;
        }
    } else {
        cw_tx tx;
        cw_txin *ins = NULL;
        cw_txout *outs = NULL;
        uint32_t ci = 0, co = 0;
        size_t used = 0;
        rc = cw_tx_decode(&tx, data, len, &used, &ins, &ci, &outs, &co, 0, 0, arg, 0);
        if (rc == 0 && used != len)
            rc = cw_error_set(CW_ECORRUPT, "%s: %zu trailing bytes after the tx", arg, len - used);
        if (rc == 0)
            print_line(tx_json(&tx, ins, outs, net));
        free(ins);
        free(outs);
    }
    cw_free(data);
    return rc ? cw_cli_fail("decode", rc) : CW_EXIT_OK;
}

const cw_command cw_cmd_decode = {
    "decode", "decode raw blocks or transactions (no store needed)",
    "Usage: chainwatch decode (--block FILE | --blk FILE | --tx FILE | --hex HEX) [--network NET]\n"
    "\n"
    "Decodes a bare serialised block (--block), a blk*.dat file (--blk), or one transaction\n"
    "(--tx FILE or --hex HEX) and prints JSON lines: a header line per block (hash, size,\n"
    "weight, merkle check), then one object per tx (txid, wtxid, inputs, outputs with value,\n"
    "script type and address). There is no --json: the output is always JSON lines (exit 2).\n",
    run};
