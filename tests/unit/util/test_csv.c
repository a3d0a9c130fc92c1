/* test_csv.c: the one CSV reader (chainwatch/csv.h) that labels and supply share: RFC 4180
 * records, line numbers across quoted line breaks, CRLF, a BOM, blank lines, and the two modes
 * (strict for label files, lenient for published statistics). */
#include <string.h>

#include "chainwatch/csv.h"
#include "chainwatch/errors.h"
#include "harness.h"

static void test_records(void)
{
    static const char in[] = "\xEF\xBB\xBF"
                             "a, B ,c\r\n"
                             "1,\"two, \"\"2\"\"\",3\n"
                             "\n"
                             "\"multi\nline\",x,\n"
                             "last,\"\",z";
    cw_csv c;
    cw_csv_open_mem(&c, "t.csv", in, sizeof in - 1, CW_CSV_STRICT);
    REQUIRE(cw_csv_next(&c) == 1);
    CHECK_EQ_INT((int64_t)c.n_fields, 3);
    CHECK_EQ_STR(c.fields[0], "a");       /* the BOM is not part of the first field */
    CHECK_EQ_INT(cw_csv_col(&c, "b"), 1); /* case-insensitive, spaces trimmed */
    CHECK_EQ_INT(cw_csv_col(&c, "d"), -1);
    REQUIRE(cw_csv_next(&c) == 1);
    CHECK_EQ_STR(c.fields[1], "two, \"2\"");
    CHECK_EQ_INT((int64_t)c.rec_line, 2);
    REQUIRE(cw_csv_next(&c) == 1); /* the blank line 3 is skipped */
    CHECK_EQ_INT((int64_t)c.rec_line, 4);
    CHECK_EQ_STR(c.fields[0], "multi\nline");
    CHECK_EQ_INT((int64_t)c.n_fields, 3);
    CHECK_EQ_STR(c.fields[2], "");
    REQUIRE(cw_csv_next(&c) == 1); /* the last record has no line end */
    CHECK_EQ_INT((int64_t)c.rec_line, 6);
    CHECK_EQ_STR(c.fields[1], "");
    CHECK_EQ_STR(c.fields[2], "z");
    CHECK_EQ_INT(cw_csv_next(&c), 0);
    cw_csv_close(&c);
}

/* Each bad input: its error names the file and the line, in both modes or in strict only. */
static void test_errors(void)
{
    static const struct {
        const char *in, *msg;
        int lenient; /* 1: read in lenient mode as `kept`; 0: an error in both modes */
        const char *kept;
    } cases[] = {
        {"a,b\nx,\"open\n", "t.csv: line 2: unterminated quoted field", 0, NULL},
        {"a\nb\0c\n", "t.csv: line 2: NUL byte", 0, NULL},
        {"a\n\"q\"tail,1\n", "t.csv: line 2: field 1: text after a closing quote", 1, "qtail"},
        {"a\nin\"side,1\n", "t.csv: line 2: field 1: quote inside an unquoted field", 1,
         "in\"side"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = strlen(cases[i].in);
        if (i == 1)
            len = 6; /* "a\nb\0c\n" */
        for (int strict = 1; strict >= 0; strict--) {
            cw_csv c;
            cw_csv_open_mem(&c, "t.csv", cases[i].in, len, strict ? CW_CSV_STRICT : 0);
            int rc = cw_csv_next(&c);
            CHECK_EQ_INT(rc, 1);
            rc = cw_csv_next(&c);
            if (strict || !cases[i].lenient) {
                CHECK_EQ_INT(rc, CW_ECORRUPT);
                CHECK(strstr(cw_error_last(), cases[i].msg) != NULL);
            } else {
                CHECK_EQ_INT(rc, 1);
                CHECK_EQ_STR(c.fields[0], cases[i].kept);
            }
            cw_csv_close(&c);
        }
    }
}

static void test_file(void)
{
    cw_csv c;
    CHECK(cw_csv_open(&c, "/nonexistent/x.csv", 0) != 0);
    CHECK(strstr(cw_error_last(), "/nonexistent/x.csv") != NULL);
    cw_csv_close(&c);
}

int main(void)
{
    RUN(test_records);
    RUN(test_errors);
    RUN(test_file);
    return cw_test_done();
}
