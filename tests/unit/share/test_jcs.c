/* test_jcs.c: RFC 8785 canonicalization against the RFC's own examples: the section 3.2.4
 * transformation, the section 3.2.3 sorting example and the Appendix B number table; plus
 * NaN/infinity refusal and integers. */
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/errors.h"
#include "chainwatch/share.h"
#include "harness.h"

static char *canon(const char *text)
{
    json_error_t err;
    json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!v) {
        fprintf(stderr, "parse: %s\n", err.text);
        return NULL;
    }
    char *out = NULL;
    int rc = cw_jcs_dumps(v, &out, NULL);
    json_decref(v);
    return rc ? NULL : out;
}

static void test_rfc_example(void)
{
    /* RFC 8785 section 3.2.4 (input) and 3.2.4 / Appendix output. */
    const char *in = "{\n  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, "
                     "0.000000000000000000000000001],\n  \"string\": "
                     "\"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n  "
                     "\"literals\": [null, true, false]\n}";
    const char *want = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,"
                       "0.002,1e-27],\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
    char *got = canon(in);
    CHECK_EQ_STR(got, want);
    free(got);
}

static void test_rfc_sorting(void)
{
    /* RFC 8785 section 3.2.3: members sorted by UTF-16 code units (the emoji's surrogate
     * pair D83D sorts before U+FB33 although its code point is larger). */
    const char *in =
        "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew "
        "Letter Dalet With Dagesh\",\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning "
        "Face\",\"\\u0080\":\"Control\",\"\\u00f6\":\"Latin Small Letter O With "
        "Diaeresis\"}";
    const char *want = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\","
                       "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\",\"\xe2\x82\xac\":"
                       "\"Euro Sign\",\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
                       "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}";
    char *got = canon(in);
    CHECK_EQ_STR(got, want);
    free(got);
}

static double from_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static void test_appendix_b_numbers(void)
{
    static const struct {
        uint64_t bits;
        const char *want;
    } v[] = {
        {0x0000000000000000ULL, "0"},
        {0x8000000000000000ULL, "0"},
        {0x0000000000000001ULL, "5e-324"},
        {0x8000000000000001ULL, "-5e-324"},
        {0x7fefffffffffffffULL, "1.7976931348623157e+308"},
        {0xffefffffffffffffULL, "-1.7976931348623157e+308"},
        {0x4340000000000000ULL, "9007199254740992"},
        {0xc340000000000000ULL, "-9007199254740992"},
        {0x4430000000000000ULL, "295147905179352830000"},
        {0x44b52d02c7e14af5ULL, "9.999999999999997e+22"},
        {0x44b52d02c7e14af6ULL, "1e+23"},
        {0x44b52d02c7e14af7ULL, "1.0000000000000001e+23"},
        {0x444b1ae4d6e2ef4eULL, "999999999999999700000"},
        {0x444b1ae4d6e2ef4fULL, "999999999999999900000"},
        {0x444b1ae4d6e2ef50ULL, "1e+21"},
        {0x3eb0c6f7a0b5ed8cULL, "9.999999999999997e-7"},
        {0x3eb0c6f7a0b5ed8dULL, "0.000001"},
        {0x41b3de4355555553ULL, "333333333.3333332"},
        {0x41b3de4355555554ULL, "333333333.33333325"},
        {0x41b3de4355555555ULL, "333333333.3333333"},
        {0x41b3de4355555556ULL, "333333333.3333334"},
        {0x41b3de4355555557ULL, "333333333.33333343"},
        {0xbecbf647612f3696ULL, "-0.0000033333333333333333"},
        {0x43143ff3c1cb0959ULL, "1424953923781206.2"},
    };
    char buf[32];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        CHECK_EQ_INT(cw_jcs_format_number(buf, from_bits(v[i].bits)), 0);
        CHECK_EQ_STR(buf, v[i].want);
    }
    /* 0x7fffffffffffffff (NaN) and 0x7ff0000000000000 (Infinity) are errors. */
    CHECK_EQ_INT(cw_jcs_format_number(buf, from_bits(0x7fffffffffffffffULL)), CW_EINVAL);
    CHECK_EQ_INT(cw_jcs_format_number(buf, from_bits(0x7ff0000000000000ULL)), CW_EINVAL);
    json_t *r = json_real(1.5);
    json_real_set(r, NAN); /* jansson refuses NaN: the value stays 1.5 */
    cw_buf b = {0};
    CHECK_EQ_INT(cw_jcs_serialize(r, &b), 0);
    cw_buf_deinit(&b);
    json_decref(r);
}

static void test_integers_and_nesting(void)
{
    char *got = canon("{\"b\":[1,-2,0,9007199254740991,{\"z\":null,\"a\":\"x\"}],\"a\":1.0,"
                      "\"\":true, \"c\":-0.0}");
    /* 2^53-1 is the largest exact integer; 1.0 is 1; -0 is 0. */
    CHECK_EQ_STR(got, "{\"\":true,\"a\":1,\"b\":[1,-2,0,9007199254740991,{\"a\":\"x\",\"z\":null}],"
                      "\"c\":0}");
    free(got);
    got = canon("\"\\u0000\\u001f\\b\\t\\f\\u007f\"");
    CHECK_EQ_STR(got, "\"\\u0000\\u001f\\b\\t\\f\x7f\"");
    free(got);
}

/* Finding M4: JCS wrote integers beyond 2^53 as the nearest double, so 2^53+1 and 2^53 had
 * the same canonical form and a partner accepted a changed wei amount as validly signed. Now
 * such integers are refused (they travel as strings), and a signature over 2^53-1 does not
 * verify for 2^53-2. */
static void test_big_integers_refused(void)
{
    CHECK(canon("{\"wei\":9007199254740993}") == NULL);
    CHECK(canon("[9007199254740992]") == NULL);
    CHECK(canon("[-9007199254740992]") == NULL);
    CHECK(canon("{\"wei\":1000000000000000000000}") == NULL); /* jansson: too big */
    json_t *v = json_pack("{s:I}", "wei", (json_int_t)9007199254740993LL);
    cw_buf b = {0};
    CHECK_EQ_INT(cw_jcs_serialize(v, &b), CW_EINVAL);
    CHECK(strstr(cw_error_last(), "2^53") != NULL);
    cw_buf_deinit(&b);
    json_decref(v);
    uint8_t pk[CW_SIGN_PK], sk[CW_SIGN_SK], sig[CW_SIGN_SIG];
    crypto_sign_keypair(pk, sk);
    json_t *a = json_pack("{s:I}", "wei", (json_int_t)9007199254740991LL);
    json_t *c = json_pack("{s:I}", "wei", (json_int_t)9007199254740990LL);
    json_t *big = json_pack("{s:I}", "wei", (json_int_t)9007199254740993LL);
    REQUIRE(cw_sign_json(sig, a, sk) == 0);
    CHECK_EQ_INT(cw_verify_json(sig, a, pk), 0);
    CHECK(cw_verify_json(sig, c, pk) != 0);
    CHECK(cw_sign_json(sig, big, sk) != 0);
    json_decref(a);
    json_decref(c);
    json_decref(big);
}

int main(void)
{
    RUN(test_rfc_example);
    RUN(test_rfc_sorting);
    RUN(test_appendix_b_numbers);
    RUN(test_integers_and_nesting);
    RUN(test_big_integers_refused);
    return cw_test_done();
}
