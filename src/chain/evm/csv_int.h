/*
 * csv_int.h: the EVM CSV reader's record splitting (csv.c), reached by the tests only.
 */
#ifndef CW_CHAIN_EVM_CSV_INT_H
#define CW_CHAIN_EVM_CSV_INT_H

#include <stdbool.h>
#include <stddef.h>

/* The ways to split a record: the general RFC 4180 way, the one-pass block scan in the widest
 * instructions the CPU has, or the block scan in one given width (the tests compare them). */
enum {
    CW_EVM_SPLIT_GENERAL = 0,
    CW_EVM_SPLIT_SCAN = 1,
    CW_EVM_SCAN_SSE2 = 2, /* SSE2 on x86-64, a plain loop elsewhere */
    CW_EVM_SCAN_AVX2 = 3,
    CW_EVM_SCAN_AVX512 = 4 /* AVX-512BW */
};

/* Splits the record at the start of buf one of the reader's ways (above): a block scan returns
 * 1 = split, 0 = left to the general way with buf unchanged; the general way 1, or negative with
 * the error set, naming the line. A scan width the CPU lacks is refused (CW_EINVAL). All unquote
 * in place. Fields into f/n (room for 64), their number into *nf, the index of the record's
 * newline (or len) into *end. */
int cw_evm_csv_split_record(char *buf, size_t len, int way, const char **f, size_t *n, int *nf,
                            size_t *end);

#endif
