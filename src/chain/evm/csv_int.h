/*
 * csv_int.h: the EVM CSV reader's record splitting (csv.c), reached by the tests only.
 */
#ifndef CW_CHAIN_EVM_CSV_INT_H
#define CW_CHAIN_EVM_CSV_INT_H

#include <stdbool.h>
#include <stddef.h>

/* Splits the record at the start of buf one of the reader's two ways: fast = the one-pass block
 * scan (1 = split, 0 = left to the general way with buf unchanged), else the general RFC 4180
 * way (find_end + split: 1, or negative with the error set, naming the line). Both unquote in
 * place. Fields into f/n (room for 64), their number into *nf, the index of the record's
 * newline (or len) into *end. */
int cw_evm_csv_split_record(char *buf, size_t len, bool fast, const char **f, size_t *n, int *nf,
                            size_t *end);

#endif
