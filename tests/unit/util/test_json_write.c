/* test_json_write.c: the JSON escaper and writer (util/json_write.c) against jansson and JCS:
 *  - every one-byte string, and 20,000 random strings mixing ASCII, controls, quotes,
 *    backslashes, valid two- to four-byte UTF-8 and invalid bytes: the escaper writes exactly
 *    what json_dumps writes for the same string, and refuses exactly the strings jansson
 *    refuses (invalid UTF-8), appending nothing then; in lowercase mode it writes what
 *    cw_jcs_serialize writes (RFC 8785);
 *  - the invalid forms by name: a lone continuation byte, an overlong NUL and slash, a
 *    surrogate, a code point past U+10FFFF, a truncated sequence, 0xFE and 0xFF;
 *  - integers (both ends of int64) as json_dumps writes them; an error sticks;
 *  - a nested document written with the writer equals json_dumps of the same tree, and
 *    parses back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chainwatch/errors.h"
#include "chainwatch/json_write.h"
#include "chainwatch/share.h"
#include "chainwatch/util.h"
#include "harness.h"

/* jansson's serialisation of the string s[0..n) (NULL: jansson refuses it). */
static char *jansson_string(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    char *t = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    json_decref(j);
    return t;
}

/* The escaper on s[0..n) in both cases against jansson and JCS; 1 when all agree. */
static int agrees(const char *s, size_t n)
{
    cw_buf b = {0};
    cw_buf_append(&b, "x", 1); /* something before: a refusal must leave it as it was */
    b.len = 1;
    int rc = cw_json_escape(&b, s, n, CW_JSON_HEX_UPPER);
    char *want = jansson_string(s, n);
    int ok;
    if (!want)
        ok = rc == CW_EINVAL && b.len == 1 && b.data[1] == 0;
    else
        ok = rc == 0 && b.len == 1 + strlen(want) && !memcmp(b.data + 1, want, strlen(want));
    free(want);
    /* lowercase: as JCS writes the same string */
    json_t *j = json_stringn(s, n);
    if (j) {
        cw_buf jcs = {0}, low = {0};
        ok = ok && cw_jcs_serialize(j, &jcs) == 0 &&
             cw_json_escape(&low, s, n, CW_JSON_HEX_LOWER) == 0 && low.len == jcs.len &&
             !memcmp(low.data, jcs.data, low.len);
        cw_buf_deinit(&jcs);
        cw_buf_deinit(&low);
        json_decref(j);
    }
    cw_buf_deinit(&b);
    return ok;
}

static void test_escape_bytes(void)
{
    int bad = 0;
    for (int c = 0; c < 256; c++) {
        char s[1] = {(char)c};
        bad += !agrees(s, 1);
    }
    CHECK_EQ_INT(bad, 0);
    /* the short escapes and \u00XX by name */
    cw_buf b = {0};
    REQUIRE(cw_json_escape(&b, "\"\\\b\t\n\f\r\x01\x1f\x7f/", 11, CW_JSON_HEX_UPPER) == 0);
    CHECK_EQ_STR((const char *)b.data, "\"\\\"\\\\\\b\\t\\n\\f\\r\\u0001\\u001F\x7f/\"");
    b.len = 0;
    REQUIRE(cw_json_escape(&b, "\x1f", 1, CW_JSON_HEX_LOWER) == 0);
    CHECK_EQ_STR((const char *)b.data, "\"\\u001f\"");
    b.len = 0;
    REQUIRE(cw_json_escape(&b, "", 0, CW_JSON_HEX_UPPER) == 0);
    CHECK_EQ_STR((const char *)b.data, "\"\"");
    b.len = 0;
    REQUIRE(cw_json_escape(&b, "a\0b", 3, CW_JSON_HEX_UPPER) == 0); /* NUL: \u0000 */
    CHECK_EQ_STR((const char *)b.data, "\"a\\u0000b\"");
    cw_buf_deinit(&b);
}

static void test_escape_invalid(void)
{
    static const char *const bad[] = {
        "\x80",             /* a lone continuation byte */
        "\xc0\x80",         /* overlong NUL */
        "\xc0\xaf",         /* overlong slash */
        "\xe0\x80\xaf",     /* overlong, three bytes */
        "\xed\xa0\x80",     /* a surrogate, U+D800 */
        "\xf4\x90\x80\x80", /* U+110000 */
        "\xe2\x82",         /* truncated */
        "ok\xfe",           /* 0xFE */
        "\xff",             /* 0xFF */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cw_buf b = {0};
        CHECK_EQ_INT(cw_json_escape(&b, bad[i], strlen(bad[i]), CW_JSON_HEX_UPPER), CW_EINVAL);
        CHECK_EQ_INT(b.len, 0);
        CHECK(strstr(cw_error_last(), "invalid UTF-8 at byte") != NULL);
        CHECK(agrees(bad[i], strlen(bad[i])));
        cw_buf_deinit(&b);
    }
    /* the largest of each length is valid */
    CHECK(agrees("\x7f\xdf\xbf\xef\xbf\xbf\xf4\x8f\xbf\xbf", 10));
}

static void test_escape_random(void)
{
    static const char *const pieces[] = {"a",
                                         "Z",
                                         " ",
                                         "\"",
                                         "\\",
                                         "/",
                                         "\n",
                                         "\t",
                                         "\x01",
                                         "\x1f",
                                         "\x7f",
                                         "\xc3\xa9",
                                         "\xe4\xb8\xad",
                                         "\xf0\x9f\x98\x80",
                                         "\x80",
                                         "\xc3",
                                         "\xed\xa0\x80",
                                         "\xff",
                                         "\xef\xbb\xbf",
                                         "\xe2\x80\xa8"};
    uint64_t x = 88172645463325252ull;
    int bad = 0, refused = 0;
    for (int k = 0; k < 20000; k++) {
        char s[128];
        size_t n = 0;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int parts = (int)(x % 12);
        for (int p = 0; p < parts; p++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            /* invalid pieces (index 14..17) rarely, so most strings are valid */
            size_t i = x % 20;
            if (i >= 14 && i <= 17 && (x >> 32) % 8)
                i = x % 14;
            size_t l = strlen(pieces[i]);
            memcpy(s + n, pieces[i], l);
            n += l;
        }
        char *j = jansson_string(s, n);
        refused += !j;
        free(j);
        bad += !agrees(s, n);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(refused > 500 && refused < 10000); /* both kinds were tried */
}

static void test_numbers(void)
{
    cw_buf b = {0};
    cw_json_writer w;
    cw_jw_init(&w, &b);
    cw_jw_array(&w);
    cw_jw_int(&w, INT64_MIN);
    cw_jw_int(&w, INT64_MAX);
    cw_jw_int(&w, 0);
    cw_jw_int(&w, -1);
    cw_jw_end_array(&w);
    CHECK_EQ_INT(w.rc, 0);
    CHECK_EQ_STR((const char *)b.data, "[-9223372036854775808,9223372036854775807,0,-1]");
    cw_jw_string(&w, "\xff"); /* refused: the string appends nothing (its comma may stand) */
    CHECK_EQ_INT(w.rc, CW_EINVAL);
    CHECK_EQ_STR((const char *)b.data, "[-9223372036854775808,9223372036854775807,0,-1],");
    cw_jw_int(&w, 5); /* errors stick: later calls write nothing */
    CHECK_EQ_INT(w.rc, CW_EINVAL);
    CHECK_EQ_STR((const char *)b.data, "[-9223372036854775808,9223372036854775807,0,-1],");
    cw_buf_deinit(&b);
}

static void test_writer_document(void)
{
    json_t *tree =
        json_pack("{s:s, s:I, s:[{s:b, s:n}, [], {}], s:{s:[i, s]}, s:s}", "a\"b", "v\xc3\xa9", "n",
                  (json_int_t)-42, "list", "t", 1, "z", "o", "k", 7, "x\n", "end", "");
    REQUIRE(tree != NULL);
    char *want = json_dumps(tree, JSON_COMPACT);
    cw_buf b = {0};
    cw_json_writer w;
    cw_jw_init(&w, &b);
    cw_jw_object(&w);
    cw_jw_key(&w, "a\"b");
    cw_jw_string(&w, "v\xc3\xa9");
    cw_jw_key(&w, "n");
    cw_jw_int(&w, -42);
    cw_jw_key(&w, "list");
    cw_jw_array(&w);
    cw_jw_object(&w);
    cw_jw_key(&w, "t");
    cw_jw_bool(&w, true);
    cw_jw_key(&w, "z");
    cw_jw_null(&w);
    cw_jw_end_object(&w);
    cw_jw_array(&w);
    cw_jw_end_array(&w);
    cw_jw_object(&w);
    cw_jw_end_object(&w);
    cw_jw_end_array(&w);
    cw_jw_key(&w, "o");
    cw_jw_raw(&w, "{\"k\":[7,\"x\\n\"]}", 15);
    cw_jw_key(&w, "end");
    cw_jw_string(&w, "");
    cw_jw_end_object(&w);
    CHECK_EQ_INT(w.rc, 0);
    CHECK_EQ_STR((const char *)b.data, want);
    json_t *back = json_loads((const char *)b.data, 0, NULL);
    CHECK(back && json_equal(back, tree));
    /* a string with invalid UTF-8 stops the writer */
    cw_jw_string(&w, "\xff");
    CHECK_EQ_INT(w.rc, CW_EINVAL);
    json_decref(back);
    free(want);
    json_decref(tree);
    cw_buf_deinit(&b);
}

int main(void)
{
    RUN(test_escape_bytes);
    RUN(test_escape_invalid);
    RUN(test_escape_random);
    RUN(test_numbers);
    RUN(test_writer_document);
    return cw_test_done();
}
