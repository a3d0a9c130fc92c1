/*
 * bench_cold_lookup.c: the disk reads one cold address lookup waits for, counted in a way the
 * machine's load does not change. For each address of a file: the store's files are dropped
 * from the page cache (the handle closed first, so nothing stays mapped; posix_fadvise
 * DONTNEED; blocks.col and the manifests kept: 800 KB read with read-ahead, resident after a
 * server's first few lookups), the store and its address-history index are opened as the server
 * opens them (advised random, prefetch hints on), and one page is read as the server reads it
 * (cw_query_address_page_ix, offset 0, limit 25, the server bench's request). Counted around
 * the lookup alone, in this thread: its sleeps (voluntary context switches: each is one wait for
 * the disk, the number of dependent reads), its major page faults, the bytes it read from the
 * disk (/proc/thread-self/io), and per file the pages that became resident (mincore: what was
 * read, wherever the read came from). Prints the means, the distribution of sleeps, and the
 * pages per file. Not a test.
 *
 * usage: bench_cold_lookup STORE ADDRS_FILE [N]   (default 200 addresses, the file's first N;
 *        VERBOSE=1 prints each lookup)
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chainwatch/btc/addrhist.h"
#include "chainwatch/btc/query.h"
#include "chainwatch/btc/store.h"
#include "chainwatch/errors.h"
#include "chainwatch/util.h"

enum { MAX_FILES = 64 };

typedef struct file {
    char path[4608];
    const char *name; /* relative to the store */
    size_t len, pages;
    unsigned char *vec;
    uint64_t read; /* pages made resident by the lookups, summed */
    int keep;      /* not dropped (blocks.col, manifests) */
} file;

static size_t n_files;
static file files[MAX_FILES];

static void add_files(const char *root, const char *sub)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s%s%s", root, *sub ? "/" : "", sub);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) && n_files < MAX_FILES) {
        if (e->d_name[0] == '.')
            continue;
        file *f = &files[n_files];
        snprintf(f->path, sizeof f->path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(f->path, &st))
            continue;
        if (S_ISDIR(st.st_mode)) {
            char s[4096];
            snprintf(s, sizeof s, "%s%s%s", sub, *sub ? "/" : "", e->d_name);
            add_files(root, s);
            continue;
        }
        f->name = f->path + strlen(root) + 1;
        f->len = (size_t)st.st_size;
        f->pages = (f->len + 4095) / 4096;
        f->vec = calloc(f->pages + 1, 1);
        f->keep = !strcmp(e->d_name, "blocks.col") || strstr(e->d_name, "MANIFEST") ||
                  strstr(e->d_name, "manifest") || f->len == 0;
        n_files++;
    }
    if (d)
        closedir(d);
}

static void drop(void)
{
    for (size_t i = 0; i < n_files; i++) {
        if (files[i].keep)
            continue;
        int fd = open(files[i].path, O_RDONLY);
        if (fd >= 0) {
            (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
            close(fd);
        }
    }
}

/* Resident pages of each file into vec (mapped and unmapped here: nothing is read). */
static void resident(unsigned char **out)
{
    for (size_t i = 0; i < n_files; i++) {
        file *f = &files[i];
        memset(out[i], 0, f->pages + 1);
        if (!f->len)
            continue;
        int fd = open(f->path, O_RDONLY);
        void *m = fd >= 0 ? mmap(NULL, f->len, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
        if (m != MAP_FAILED) {
            (void)mincore(m, f->len, out[i]);
            munmap(m, f->len);
        }
        if (fd >= 0)
            close(fd);
    }
}

static uint64_t io_read_bytes(void)
{
    FILE *fp = fopen("/proc/thread-self/io", "r");
    char line[128];
    uint64_t v = 0;
    while (fp && fgets(line, sizeof line, fp))
        if (sscanf(line, "read_bytes: %" SCNu64, &v) == 1)
            break;
    if (fp)
        fclose(fp);
    return v;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_cold_lookup STORE ADDRS_FILE [N]\n");
        return 2;
    }
    bool verbose = getenv("VERBOSE") != NULL;
    size_t want = argc > 3 ? (size_t)strtoull(argv[3], NULL, 10) : 200;
    FILE *af = fopen(argv[2], "r");
    if (!af) {
        perror(argv[2]);
        return 1;
    }
    add_files(argv[1], "");
    unsigned char **before = calloc(n_files, sizeof *before),
                  **after = calloc(n_files, sizeof *after);
    for (size_t i = 0; i < n_files; i++) {
        before[i] = calloc(files[i].pages + 1, 1);
        after[i] = calloc(files[i].pages + 1, 1);
    }
    double *ms = calloc(want ? want : 1, sizeof *ms);
    uint64_t hist[16] = {0}, sleeps = 0, majflt = 0, bytes = 0, n = 0, missing = 0, indexed = 0;
    char addr[256];
    while (n < want && fgets(addr, sizeof addr, af)) {
        addr[strcspn(addr, "\r\n")] = 0;
        if (!*addr)
            continue;
        drop();
        cw_chainstore *cs = NULL;
        cw_addrhist *ix = NULL;
        if (cw_chainstore_open(&cs, argv[1], false, CW_NET_MAIN)) {
            fprintf(stderr, "%s\n", cw_error_last());
            return 1;
        }
        cw_chainstore_advise_random(cs);
        if (cw_addrhist_open(&ix, cs) == 0) {
            cw_addrhist_advise_random(ix);
            indexed++;
        }
        resident(before);
        struct rusage r0, r1;
        getrusage(RUSAGE_THREAD, &r0);
        uint64_t b0 = io_read_bytes();
        double t0 = cw_now();
        cw_addr_page p;
        int rc = cw_query_address_page_ix(&p, cs, ix, addr, 0, 25);
        double t1 = cw_now();
        uint64_t b1 = io_read_bytes();
        getrusage(RUSAGE_THREAD, &r1);
        resident(after);
        if (rc) {
            missing++;
        } else {
            uint64_t s = (uint64_t)(r1.ru_nvcsw - r0.ru_nvcsw);
            sleeps += s;
            hist[s < 15 ? s : 15]++;
            majflt += (uint64_t)(r1.ru_majflt - r0.ru_majflt);
            bytes += b1 - b0;
            ms[n++] = (t1 - t0) * 1e3;
            if (verbose)
                printf("%s: %" PRIu64 " outputs, %" PRIu64 " entries, %.2f ms, sleeps %" PRIu64
                       ", major faults %ld, pages:",
                       addr, (uint64_t)p.sum.n_out, p.n_hist, ms[n - 1], s,
                       r1.ru_majflt - r0.ru_majflt);
            for (size_t i = 0; i < n_files; i++) {
                uint64_t got = 0;
                for (size_t k = 0; k < files[i].pages; k++)
                    got += after[i][k] & 1 && !(before[i][k] & 1);
                files[i].read += got;
                if (verbose && got)
                    printf(" %s %" PRIu64, files[i].name, got);
            }
            if (verbose)
                printf("\n");
            cw_query_address_page_free(&p);
        }
        cw_addrhist_close(ix);
        cw_chainstore_close(cs);
    }
    fclose(af);
    if (!n) {
        fprintf(stderr, "no address found\n");
        return 1;
    }
    qsort(ms, n, sizeof *ms, cmp_dbl);
    printf("%" PRIu64 " cold lookups (%" PRIu64 " through the index, %" PRIu64
           " not found): sleeps %.2f, major faults %.2f, disk reads %.1f KiB per lookup;"
           " time p50 %.2f ms, p99 %.2f ms\n",
           n, indexed, missing, (double)sleeps / (double)n, (double)majflt / (double)n,
           (double)bytes / (double)n / 1024, ms[n / 2], ms[n * 99 / 100]);
    printf("sleeps per lookup:");
    for (int s = 0; s < 16; s++)
        if (hist[s])
            printf(" %d%s: %" PRIu64, s, s == 15 ? "+" : "", hist[s]);
    printf("\npages read per lookup, by file:");
    for (size_t i = 0; i < n_files; i++)
        if (files[i].read)
            printf(" %s %.2f", files[i].name, (double)files[i].read / (double)n);
    printf("\n");
    for (size_t i = 0; i < n_files; i++) {
        free(files[i].vec);
        free(before[i]);
        free(after[i]);
    }
    free(before);
    free(after);
    free(ms);
    return 0;
}
