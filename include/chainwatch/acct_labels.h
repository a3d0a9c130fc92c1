/*
 * acct_labels.h: the labels of an EVM store's accounts, read once from the label store so
 * that traces, screening and the monitor never query SQLite per account (analytics module).
 *
 * Every address label whose subject is an EVM address ("0x" and 40 hex digits, compared
 * case-insensitively) and present in the store is kept, whatever its asset code: OFAC lists
 * one EVM address under ETH, USDT, USDC, ARB, BSC, ETC... and the same key controls it on every
 * EVM chain. An account keeps all its labels: a category mask (bit i = category i of
 * cw_label_categories()) and a primary label chosen by severity, sanctioned first, so that a
 * sanctioned label never hides behind an exchange's or a miner's label. Entities may own
 * addresses on several chains: the entity's reference ("ofac:27307") is kept with each label.
 */
#ifndef CHAINWATCH_ACCT_LABELS_H
#define CHAINWATCH_ACCT_LABELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainwatch/evm/store.h"
#include "chainwatch/labels.h"

typedef struct cw_acct_labels cw_acct_labels;

/* One label of an account. Strings borrowed until cw_acct_labels_free. */
typedef struct cw_acct_label {
    const char *entity;
    const char *entity_ref; /* "" when none */
    const char *category;
    const char *asset;    /* the label's asset code as published (ETH, USDT, ...) */
    const char *programs; /* ';'-separated, "" when none */
    const char *source;
} cw_acct_label;

/* Reads every EVM address label of db present in s. db may be NULL (an empty map).
 * *out owned by the caller. Returns 0, CW_ENOMEM or the label store's error. */
int cw_acct_labels_new(cw_acct_labels **out, const cw_evmstore *s, cw_labels *db);
void cw_acct_labels_free(cw_acct_labels *m);

/* Labelled accounts in the map. */
size_t cw_acct_labels_count(const cw_acct_labels *m);

/* The category mask of an account (0 when unlabelled). */
uint32_t cw_acct_labels_mask(const cw_acct_labels *m, uint32_t account);

/* Index of a category in cw_label_categories(), or -1. */
int cw_acct_labels_category_index(const char *category);

/* True when the account has a label of this category. */
bool cw_acct_labels_has(const cw_acct_labels *m, uint32_t account, const char *category);

/* The primary label (the most severe: sanctioned, theft, ransomware, darknet_market, scam,
 * mixer, bridge, exchange, exchange_deposit, then the rest in list order), or NULL. */
const cw_acct_label *cw_acct_labels_primary(const cw_acct_labels *m, uint32_t account);

/* All labels of an account: a borrowed array of *n, or NULL when unlabelled. */
const cw_acct_label *cw_acct_labels_all(const cw_acct_labels *m, uint32_t account, size_t *n);

/* The first label of the account with this category, or NULL. */
const cw_acct_label *cw_acct_labels_of(const cw_acct_labels *m, uint32_t account,
                                       const char *category);

/* Where an account-model trace stops for labels (CW_ACCT_STOP_* of acct_trace.h): exchange
 * and exchange_deposit -> exchange, mixer -> mixer, bridge -> bridge, else 0. A sanctioned
 * account is not a stop by itself: the value goes on and the account is reported. */
int cw_acct_labels_stop(const cw_acct_labels *m, uint32_t account);

/* Calls cb for every labelled account (ascending id). Returns 0 or cb's non-zero value. */
int cw_acct_labels_foreach(const cw_acct_labels *m, int (*cb)(uint32_t account, void *payload),
                           void *payload);

#endif
