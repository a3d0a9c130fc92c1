/*
 * test_column.c: cw_column_open on files it refuses (empty when read-only, shorter than the
 * header, bad magic, another format version, another row width) returns the error and keeps no
 * descriptor open (a server refreshing a damaged address index once leaked one per refresh); a
 * good file opens, and closes, with the descriptor count back where it was.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/store.h"
#include "harness.h"

static int open_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static void write_file(const char *path, const void *b, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, b, n) == (ssize_t)n);
    close(fd);
}

static void test_refused_headers_keep_nothing_open(void)
{
    const char *dir = cw_test_tmpdir();
    char path[1200];
    snprintf(path, sizeof path, "%s/good.col", dir);
    cw_column c;
    REQUIRE(cw_column_open(&c, dir, "good", 8, true) == 0); /* a valid header to alter */
    REQUIRE(cw_column_close(&c, true) == 0);
    uint8_t hdr[CW_COLUMN_HEADER];
    int fd = open(path, O_RDONLY);
    REQUIRE(fd >= 0 && read(fd, hdr, sizeof hdr) == (ssize_t)sizeof hdr);
    close(fd);
    struct {
        const char *name;
        int rc;
    } cases[] = {{"empty", CW_ECORRUPT},
                 {"short", CW_ECORRUPT},
                 {"magic", CW_ECORRUPT},
                 {"version", CW_EVERSION},
                 {"width", CW_ECORRUPT}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t b[CW_COLUMN_HEADER];
        memcpy(b, hdr, sizeof b);
        size_t n = sizeof b;
        if (!strcmp(cases[i].name, "empty"))
            n = 0;
        else if (!strcmp(cases[i].name, "short"))
            n = 10;
        else if (!strcmp(cases[i].name, "magic"))
            b[0] ^= 0xff;
        else if (!strcmp(cases[i].name, "version"))
            b[8] ^= 0x7f;
        else
            b[12] = 16; /* a row width of 16 where 8 is asked */
        snprintf(path, sizeof path, "%s/%s.col", dir, cases[i].name);
        write_file(path, b, n);
        int before = open_fds();
        CHECK_EQ_INT(cw_column_open(&c, dir, cases[i].name, 8, false), cases[i].rc);
        CHECK_EQ_INT(c.fd, -1);
        CHECK_EQ_INT(open_fds(), before);
    }
    int before = open_fds();
    REQUIRE(cw_column_open(&c, dir, "good", 8, false) == 0);
    CHECK_EQ_INT(open_fds(), before + 1);
    REQUIRE(cw_column_close(&c, false) == 0);
    CHECK_EQ_INT(open_fds(), before);
}

int main(void)
{
    RUN(test_refused_headers_keep_nothing_open);
    return cw_test_done();
}
