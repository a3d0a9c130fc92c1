/*
 * rules.c: the editable rule table (data/supply/rules.csv, built in as the default). Each rule
 * maps one indicator condition (op, threshold, lookback in months) to a level; `requires`
 * names earlier rules that must also fire, so composite conditions stay one row each.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chainwatch/errors.h"
#include "supply/supply_int.h"
#include "supply/supply_rules.h"

static const char *const level_names[] = {"none", "interest", "caution", "alert", "severe"};

const char *cw_supply_level_name(int level)
{
    return level >= 0 && level <= 4 ? level_names[level] : "?";
}

int cw_supply_level_parse(const char *text)
{
    for (int i = 0; i <= 4; i++)
        if (!strcasecmp(text, level_names[i]))
            return i;
    if (text[0] >= '0' && text[0] <= '4' && text[1] == 0)
        return text[0] - '0';
    return cw_error_set(CW_EINVAL, "unknown level '%s' (interest, caution, alert, severe or 1-4)",
                        text);
}

void cw_supply_rules_free(cw_supply_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        cw_free(r->rules[i].source);
    cw_free(r->rules);
    cw_free(r);
}

size_t cw_supply_rules_count(const cw_supply_rules *r)
{
    return r->n;
}

const char *cw_supply__rule_kind_name(int kind)
{
    return kind == CW_RULE_STRUCTURAL ? "structural"
           : kind == CW_RULE_DYNAMIC  ? "dynamic"
           : kind == CW_RULE_EVENT    ? "event"
                                      : "standing";
}

static int indicator_index(const char *name)
{
    static const char *const names[] = {CW_SUPPLY_INDICATORS};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(names[i], name))
            return (int)i;
    return -1;
}

int cw_supply_rules_parse(cw_supply_rules **out, const char *text, size_t len, const char *name)
{
    *out = NULL;
    cw_csv c;
    cw_csv_open_mem(&c, name, text, len, 0);
    int rc = 0;
    cw_supply_rules *r = cw_calloc(1, sizeof *r);
    if (!r) {
        rc = cw_error_set(CW_ENOMEM, "out of memory");
        goto out;
    }
    rc = cw_csv_next(&c);
    if (rc <= 0) {
        rc = rc ? rc : cw_error_set(CW_ECORRUPT, "%s: empty rule table", name);
        goto out;
    }
    static const char *const cols[] = {"rule_id",         "level",    "kind",
                                       "indicator",       "op",       "threshold",
                                       "lookback_months", "requires", "source"};
    int idx[9];
    for (size_t i = 0; i < 9; i++) {
        idx[i] = cw_csv_col(&c, cols[i]);
        if (idx[i] < 0) {
            rc = cw_error_set(CW_ECORRUPT, "%s:1: rule table lacks column %s", name, cols[i]);
            goto out;
        }
    }
    size_t need = c.n_fields;
    while ((rc = cw_csv_next(&c)) == 1) {
        if (c.n_fields < need) {
            rc = cw_error_set(CW_ECORRUPT, "%s:%zu: expected %zu fields, got %zu", name, c.rec_line,
                              need, c.n_fields);
            goto out;
        }
        cw_sup_rule ru;
        memset(&ru, 0, sizeof ru);
        const char *f[9];
        for (size_t i = 0; i < 9; i++)
            f[i] = cw_supply__trim(c.fields[idx[i]]);
        if (!*f[0] || strlen(f[0]) >= sizeof ru.id) {
            rc = cw_error_set(CW_ECORRUPT, "%s:%zu: rule_id empty or too long", name, c.rec_line);
            goto out;
        }
        snprintf(ru.id, sizeof ru.id, "%s", f[0]);
        for (size_t i = 0; i < r->n; i++)
            if (!strcmp(r->rules[i].id, ru.id)) {
                rc = cw_error_set(CW_ECORRUPT, "%s:%zu: duplicate rule_id %s", name, c.rec_line,
                                  ru.id);
                goto out;
            }
        ru.level = cw_supply_level_parse(f[1]);
        if (ru.level <= 0) {
            rc = cw_error_set(CW_ECORRUPT,
                              "%s:%zu: level '%s' is not interest, caution, alert or "
                              "severe",
                              name, c.rec_line, f[1]);
            goto out;
        }
        if (!strcmp(f[2], "structural"))
            ru.kind = CW_RULE_STRUCTURAL;
        else if (!strcmp(f[2], "dynamic"))
            ru.kind = CW_RULE_DYNAMIC;
        else if (!strcmp(f[2], "event"))
            ru.kind = CW_RULE_EVENT;
        else if (!strcmp(f[2], "standing"))
            ru.kind = CW_RULE_STANDING;
        else {
            rc = cw_error_set(CW_ECORRUPT,
                              "%s:%zu: kind '%s' is not structural, dynamic, event or standing",
                              name, c.rec_line, f[2]);
            goto out;
        }
        ru.ind = indicator_index(f[3]);
        if (ru.ind < 0) {
            rc =
                cw_error_set(CW_ECORRUPT, "%s:%zu: unknown indicator '%s'", name, c.rec_line, f[3]);
            goto out;
        }
        snprintf(ru.indicator, sizeof ru.indicator, "%s", f[3]);
        static const char *const ops[] = {">=", ">", "<=", "<"};
        ru.op = -1;
        for (int i = 0; i < 4; i++)
            if (!strcmp(f[4], ops[i]))
                ru.op = i;
        if (ru.op < 0) {
            rc = cw_error_set(CW_ECORRUPT, "%s:%zu: op '%s' is not >=, >, <= or <", name,
                              c.rec_line, f[4]);
            goto out;
        }
        if (cw_supply__num(&ru.threshold, f[5], false)) {
            rc = cw_error_set(CW_ECORRUPT, "%s:%zu: threshold '%s' is not a number", name,
                              c.rec_line, f[5]);
            goto out;
        }
        double lb = 0;
        if (*f[6] && (cw_supply__num(&lb, f[6], false) || lb < 0 || lb > 120 || lb != floor(lb))) {
            rc = cw_error_set(CW_ECORRUPT, "%s:%zu: lookback_months '%s' is not 0..120", name,
                              c.rec_line, f[6]);
            goto out;
        }
        ru.lookback = (int)lb;
        /* requires: ';'-separated ids of earlier rules */
        char req[160];
        snprintf(req, sizeof req, "%s", f[7]);
        for (char *tok = req, *next; tok && *tok; tok = next) {
            next = strchr(tok, ';');
            if (next)
                *next++ = 0;
            tok = cw_supply__trim(tok);
            int found = -1;
            for (size_t i = 0; i < r->n; i++)
                if (!strcmp(r->rules[i].id, tok))
                    found = (int)i;
            if (found < 0) {
                rc =
                    cw_error_set(CW_ECORRUPT, "%s:%zu: requires '%s', which is not an earlier rule",
                                 name, c.rec_line, tok);
                goto out;
            }
            /* the two levels are evaluated apart: an alert rule reading a standing rule would
             * never fire, and a standing rule may rest only on structural or standing rules */
            int rk = r->rules[found].kind;
            bool fits = ru.kind == CW_RULE_STANDING
                            ? rk == CW_RULE_STANDING || rk == CW_RULE_STRUCTURAL
                            : rk != CW_RULE_STANDING;
            if (!fits) {
                rc =
                    cw_error_set(CW_ECORRUPT,
                                 "%s:%zu: rule %s (%s) requires '%s' (%s): a standing rule may "
                                 "require only structural or standing rules, and no other "
                                 "rule may require a standing one",
                                 name, c.rec_line, ru.id, f[2], tok, cw_supply__rule_kind_name(rk));
                goto out;
            }
            if (ru.n_requires >= 4) {
                rc =
                    cw_error_set(CW_ECORRUPT, "%s:%zu: at most 4 required rules", name, c.rec_line);
                goto out;
            }
            ru.requires[ru.n_requires++] = found;
        }
        ru.source = cw_strdup(f[8]);
        cw_sup_rule *nr = cw_realloc(r->rules, (r->n + 1) * sizeof *nr);
        if (!nr || !ru.source) {
            cw_free(ru.source);
            rc = cw_error_set(CW_ENOMEM, "out of memory");
            goto out;
        }
        r->rules = nr;
        nr[r->n++] = ru;
    }
    if (rc == 0 && r->n == 0)
        rc = cw_error_set(CW_ECORRUPT, "%s: the rule table has no rules", name);
out:
    cw_csv_close(&c);
    if (rc < 0) {
        cw_supply_rules_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int cw_supply_rules_load(cw_supply_rules **out, const char *path)
{
    if (!path) {
        const char *t = cw_supply_ref_builtin("rules.csv");
        return cw_supply_rules_parse(out, t, strlen(t), "rules.csv (built-in)");
    }
    uint8_t *buf;
    size_t len;
    int rc = cw_file_read(&buf, &len, path);
    if (rc)
        return rc;
    rc = cw_supply_rules_parse(out, (const char *)buf, len, path);
    cw_free(buf);
    return rc;
}
