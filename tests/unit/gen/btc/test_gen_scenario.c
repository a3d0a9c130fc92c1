/* test_gen_scenario.c: scenario parsing: the built-in demo equals data/scenarios/demo-heist.json,
 * and every kind of bad scenario is rejected with a message naming the field. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/gen.h"
#include "chainwatch/util.h"
#include "harness.h"

static void test_demo_matches_file(void)
{
    const char *src = getenv("CW_SOURCE_DIR");
    if (!src)
        cw_test_skip("CW_SOURCE_DIR is not set");
    cw_buf p = {0};
    REQUIRE(cw_buf_printf(&p, "%s/data/scenarios/demo-heist.json", src) == 0);
    json_error_t e;
    json_t *file = json_load_file((const char *)p.data, 0, &e);
    json_t *built = json_loads(cw_gen_default_scenario(), 0, &e);
    CHECK(file && built && json_equal(file, built));
    json_decref(file);
    json_decref(built);
    cw_gen_scenario *s = NULL;
    REQUIRE(cw_gen_scenario_load(&s, (const char *)p.data) == 0);
    CHECK_EQ_INT(s->n_exchanges, 6);
    REQUIRE(s->n_heists == 1);
    CHECK_EQ_INT(s->heists[0].amount_sat, 80000000000LL);
    CHECK_EQ_INT(s->heists[0].n_steps, 6);
    CHECK_EQ_INT(s->heists[0].steps[1].kind, CW_GEN_STEP_PEEL_CHAIN);
    CHECK_EQ_INT(s->heists[0].steps[1].hops, 10);
    CHECK_EQ_INT(s->heists[0].steps[3].kind, CW_GEN_STEP_WHIRLPOOL);
    CHECK_EQ_INT(s->heists[0].steps[3].pool_sat, 5000000);
    CHECK_EQ_INT(s->heists[0].steps[5].n_to, 3);
    cw_gen_scenario_free(s);
    cw_buf_deinit(&p);
}

/* Parses text, expects CW_EINVAL and a message containing each needle. */
static void expect_error(const char *text, const char *needle1, const char *needle2)
{
    cw_gen_scenario *s = NULL;
    int rc = cw_gen_scenario_parse(&s, text, strlen(text), "bad.json");
    CHECK_EQ_INT(rc, CW_EINVAL);
    CHECK(s == NULL);
    const char *m = cw_error_last();
    bool ok = strstr(m, "bad.json") && strstr(m, needle1) && (!needle2 || strstr(m, needle2));
    if (!ok)
        fprintf(stderr, "  message was: %s\n", m);
    CHECK(ok);
    cw_gen_scenario_free(s);
}

#define WORLD "\"world\":{\"exchanges\":[\"A\",\"B\"]}"
#define HEIST(extra, steps)                                                                        \
    "{" WORLD ",\"heists\":[{\"name\":\"h\",\"victim\":\"A\",\"amount_sat\":100000000" extra       \
    ",\"steps\":[" steps "]}]}"

static void test_errors_name_the_field(void)
{
    expect_error("{\"nmae\":\"x\"}", "unknown field \"nmae\"", NULL);
    expect_error(HEIST(",\"colour\":1", ""), "heists[0]", "unknown field \"colour\"");
    expect_error(HEIST("", "{\"type\":\"peel_chain\",\"hopz\":3}"), "heists[0].steps[0]",
                 "unknown field \"hopz\"");
    expect_error("{" WORLD ",\"heists\":[{\"name\":\"h\",\"victim\":\"A\",\"amount_sat\":-5,"
                 "\"steps\":[]}]}",
                 "heists[0].amount_sat", "negative");
    expect_error(HEIST("", "{\"type\":\"fan_out\",\"split_sat\":[50000000,-1]}"),
                 "heists[0].steps[0].split_sat[1]", "negative");
    expect_error(HEIST("", "{\"type\":\"fan_out\",\"split_sat\":[60000000,50000000]}"),
                 "heists[0].steps[0].split_sat", "cannot be paid");
    expect_error(HEIST("", "{\"type\":\"peel_chain\",\"peel_fraction\":[0.5,0.1]}"),
                 "heists[0].steps[0].peel_fraction", NULL);
    expect_error(HEIST("", "{\"type\":\"cash_out\",\"to\":[\"Nope\"]}"), "heists[0].steps[0].to[0]",
                 "Nope");
    expect_error(HEIST("", "{\"type\":\"coinjoin\",\"kind\":\"tornado\"}"),
                 "heists[0].steps[0].kind", "tornado");
    expect_error(HEIST("", "{\"type\":\"coinjoin\",\"kind\":\"whirlpool\",\"pool_sat\":123}"),
                 "heists[0].steps[0].pool_sat", NULL);
    expect_error(HEIST("", "{\"type\":\"teleport\"}"), "heists[0].steps[0].type", "teleport");
    expect_error(HEIST(",\"fee_rate\":\"fast\"", ""), "heists[0].fee_rate", "integer");
    expect_error("{" WORLD ",\"heists\":[{\"name\":\"h\",\"victim\":\"Z\",\"amount_sat\":100000000,"
                 "\"steps\":[]}]}",
                 "heists[0].victim", "Z");
    expect_error("{" WORLD ",\"heists\":[{\"name\":\"h\",\"victim\":\"A\",\"steps\":[]}]}",
                 "heists[0].amount_sat", "missing");
    expect_error("{\"world\":{\"exchanges\":[\"A\",\"A\"]}}", "world.exchanges", "duplicate");
    expect_error("{\"world\":{\"miners\":0}}", "world.miners", NULL);
    expect_error("{\"name\": }", "line 1", NULL);
    expect_error("{\"world\":{\"economy\":\"rich\"}}", "world.economy", "mixed");
    expect_error(HEIST("", "{\"type\":\"peel_chain\",\"hops\":[30,10]}"), "heists[0].steps[0].hops",
                 NULL);
    expect_error(HEIST("", "{\"type\":\"peel_chain\",\"hops\":[10.5,30]}"),
                 "heists[0].steps[0].hops", "integer");
    expect_error(HEIST("", "{\"type\":\"wait\",\"kind\":\"joinmarket\"}"),
                 "heists[0].steps[0].kind", "only applies");
}

static void test_mixed_fields(void)
{
    const char *t = "{\"world\":{\"exchanges\":[\"A\",\"B\"],\"economy\":\"mixed\"},"
                    "\"heists\":[{\"name\":\"h\",\"victim\":\"A\",\"amount_sat\":100000000,"
                    "\"steps\":[{\"type\":\"peel_chain\",\"hops\":[10,30]},"
                    "{\"type\":\"peel_chain\",\"hops\":7},"
                    "{\"type\":\"coinjoin\",\"kind\":\"wasabi1\"},"
                    "{\"type\":\"coinjoin\",\"kind\":\"joinmarket\"},"
                    "{\"type\":\"coinjoin\",\"kind\":\"wasabi2\"}]}]}";
    cw_gen_scenario *s = NULL;
    REQUIRE(cw_gen_scenario_parse(&s, t, strlen(t), "ok.json") == 0);
    CHECK_EQ_INT(s->economy, CW_GEN_ECON_MIXED);
    CHECK_EQ_INT(s->heists[0].steps[0].hops, 10);
    CHECK_EQ_INT(s->heists[0].steps[0].hops_max, 30);
    CHECK_EQ_INT(s->heists[0].steps[1].hops, 7);
    CHECK_EQ_INT(s->heists[0].steps[1].hops_max, 7);
    CHECK_EQ_INT(s->heists[0].steps[2].kind, CW_GEN_STEP_WASABI1);
    CHECK_EQ_INT(s->heists[0].steps[3].kind, CW_GEN_STEP_JOINMARKET);
    CHECK_EQ_INT(s->heists[0].steps[4].kind, CW_GEN_STEP_WASABI);
    cw_gen_scenario_free(s);
    /* the shipped scenarios parse */
    const char *src = getenv("CW_SOURCE_DIR");
    if (!src)
        return;
    static const char *const files[] = {"quick-mixed.json", "mixed-heists.json"};
    for (size_t i = 0; i < 2; i++) {
        cw_buf p = {0};
        REQUIRE(cw_buf_printf(&p, "%s/data/scenarios/%s", src, files[i]) == 0);
        REQUIRE(cw_gen_scenario_load(&s, (const char *)p.data) == 0);
        CHECK_EQ_INT(s->economy, CW_GEN_ECON_MIXED);
        cw_gen_scenario_free(s);
        cw_buf_deinit(&p);
    }
}

static void test_valid_minimal(void)
{
    const char *t = HEIST("", "{\"type\":\"fan_out\",\"split_sat\":[50000000,40000000]},"
                              "{\"type\":\"cash_out\",\"deposits\":2,\"over_days\":1}");
    cw_gen_scenario *s = NULL;
    REQUIRE(cw_gen_scenario_parse(&s, t, strlen(t), "ok.json") == 0);
    CHECK_EQ_INT(s->heists[0].steps[0].n_split, 2);
    CHECK_EQ_INT(s->heists[0].steps[0].outputs, 2);
    CHECK_EQ_INT(s->heists[0].steps[1].deposits, 2);
    CHECK_EQ_INT(s->miners, 6); /* default */
    cw_gen_scenario_free(s);
}

int main(void)
{
    RUN(test_errors_name_the_field);
    RUN(test_valid_minimal);
    RUN(test_mixed_fields);
    RUN(test_demo_matches_file);
    return cw_test_done();
}
