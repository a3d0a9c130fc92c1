/*
 * replay_main.c: runs a libFuzzer target over every file of a corpus folder, so that
 * `make test` replays each fuzz corpus with the ordinary (gcc, ASan+UBSan) test build.
 */
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainwatch/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (!d) {
        fprintf(stderr, "%s: cannot open corpus folder\n", argv[1]);
        return 1;
    }
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
        uint8_t *buf;
        size_t len;
        if (cw_file_read(&buf, &len, path) != 0)
            continue;
        LLVMFuzzerTestOneInput(buf, len);
        cw_free(buf);
        n++;
    }
    closedir(d);
    printf("replayed %d inputs from %s\n", n, argv[1]);
    printf("%d passed, 0 failed\n", n);
    return n > 0 ? 0 : 1;
}
