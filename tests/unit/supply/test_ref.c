/*
 * test_ref.c: the built-in reference tables are byte-identical to data/supply (so the two never
 * drift; regenerate with data/supply/gen_ref_data.py), the default rule table parses, and bad
 * rule tables are refused with the line named.
 */
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/supply.h"
#include "chainwatch/util.h"
#include "harness.h"

static void test_builtin_matches_files(void)
{
    const char *src = getenv("CW_SOURCE_DIR");
    if (!src)
        cw_test_skip("CW_SOURCE_DIR is not set");
    static const char *const files[] = {"commodities.csv",  "commodity_aliases.csv",
                                        "countries.csv",    "country_aliases.csv",
                                        "price_series.csv", "rules.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[2048];
        snprintf(path, sizeof path, "%s/data/supply/%s", src, files[i]);
        uint8_t *buf;
        size_t len;
        REQUIRE(cw_file_read(&buf, &len, path) == 0);
        const char *b = cw_supply_ref_builtin(files[i]);
        CHECK(b && strlen(b) == len && memcmp(b, buf, len) == 0);
        if (!(b && strlen(b) == len && memcmp(b, buf, len) == 0))
            fprintf(stderr,
                    "  %s differs from the built-in copy: run data/supply/gen_ref_data.py\n",
                    files[i]);
        cw_free(buf);
    }
    CHECK(cw_supply_ref_builtin("nope.csv") == NULL);
}

static void test_rules(void)
{
    cw_supply_rules *r;
    REQUIRE(cw_supply_rules_load(&r, NULL) == 0);
    CHECK(cw_supply_rules_count(r) >= 10);
    cw_supply_rules_free(r);
    const char *head =
        "rule_id,level,kind,indicator,op,threshold,lookback_months,requires,source\n";
    struct {
        const char *body, *needle;
    } bad[] = {
        {"a,alert,dynamic,no_such,>=,1,0,,x\n", "t.csv:2: unknown indicator"},
        {"a,alert,dynamic,trade_z,=>,1,0,,x\n", "t.csv:2: op"},
        {"a,alert,dynamic,trade_z,>=,one,0,,x\n", "t.csv:2: threshold"},
        {"a,loud,dynamic,trade_z,>=,1,0,,x\n", "t.csv:2: level"},
        {"a,alert,dynamic,trade_z,>=,1,0,b,x\n", "t.csv:2: requires 'b'"},
        {"a,alert,dynamic,trade_z,>=,1,0,,x\na,alert,dynamic,trade_z,>=,1,0,,x\n",
         "t.csv:3: duplicate"},
        {"a,alert,weird,trade_z,>=,1,0,,x\n", "t.csv:2: kind"},
        {"a,alert,dynamic,trade_z\n", "t.csv:2: expected"},
        /* the standing level and the alert level are evaluated apart (issue 16, fifth stop) */
        {"a,caution,standing,price_pctile,>=,0.9,0,,x\nb,alert,dynamic,trade_z,>=,1,0,a,x\n",
         "t.csv:3: rule b (dynamic) requires 'a' (standing)"},
        {"a,caution,dynamic,trade_z,>=,1,0,,x\nb,alert,standing,price_pctile,>=,0.9,0,a,x\n",
         "t.csv:3: rule b (standing) requires 'a' (dynamic)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "%s%s", head, bad[i].body);
        CHECK(cw_supply_rules_parse(&r, text, strlen(text), "t.csv") == CW_ECORRUPT);
        CHECK(strstr(cw_error_last(), bad[i].needle) != NULL);
        if (!strstr(cw_error_last(), bad[i].needle))
            fprintf(stderr, "  got: %s\n", cw_error_last());
    }
    CHECK(cw_supply_level_parse("severe") == CW_SUPPLY_SEVERE);
    CHECK(cw_supply_level_parse("2") == CW_SUPPLY_CAUTION);
    CHECK(cw_supply_level_parse("7") == CW_EINVAL);
}

int main(void)
{
    RUN(test_rules);
    RUN(test_builtin_matches_files);
    return cw_test_done();
}
