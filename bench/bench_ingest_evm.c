/*
 * bench_ingest_evm.c: EVM CSV ingest throughput (MB/s of CSV, value movements per second,
 * store bytes per movement) and its ratio to a plain pass that only reads the same CSV bytes
 * from the page cache and splits them into records and fields (cw_evm_csv_split_only): the bound
 * for any CSV ingest on one thread. Goal: at least 0.5 of that pass. Not a test: it prints.
 * It also prints the ratio to a stricter plain pass that splits with the reader's own 64-byte
 * block scan (cw_evm_csv_split_blocks), which the goal's memchr split is slower than.
 * Then where the floor is: the decoder alone (no store) and writing + fsyncing as many bytes as
 * the store holds, each timed apart; what the ingest costs beyond both is the writer's own.
 *
 * With --json PATH (the same world as ethereum-etl's JSON lines: a directory of .json files or a
 * stream file, tests/cli/evm/csv2jsonl.py) it then times the decoder alone and the ingest of
 * that, in rows a second beside the CSV's (rows: the JSON's lines, the same data rows the CSV
 * holds), and prints whether the two stores are byte-identical.
 *
 * usage: bench_ingest_evm WORK_DIR [CSV_DIR [--json PATH] | --txs N]
 *   With CSV_DIR (e.g. from `chainwatch gen evm --out CSV_DIR --txs 1000000`) it ingests that;
 *   otherwise it first writes a synthetic ethereum-etl world of N txs (default 1,000,000: 100
 *   txs a block, ETH transfers with receipts, ERC-20 Transfer logs on half of them, an internal
 *   call on a tenth) into WORK_DIR/csv.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "chainwatch/errors.h"
#include "chainwatch/evm/csv.h"
#include "chainwatch/evm/ingest.h"
#include "chainwatch/evm/store.h"
#include "chainwatch/util.h"

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void hex(FILE *f, uint64_t a, uint64_t b, int bytes)
{
    /* deterministic pseudo-random bytes from (a, b) */
    uint64_t s = a * 0x9e3779b97f4a7c15ull + b * 0xbf58476d1ce4e5b9ull + 1;
    fputs("0x", f);
    for (int i = 0; i < bytes; i += 8) {
        uint64_t v = rng(&s);
        int n = bytes - i < 8 ? bytes - i : 8;
        for (int k = 0; k < n; k++)
            fprintf(f, "%02x", (unsigned)((v >> (8 * k)) & 0xff));
    }
}

static void write_world(const char dir[4096], uint64_t n_txs)
{
    char p[4200];
    mkdir(dir, 0755);
    FILE *fb, *ft, *fr, *fl, *ftr;
    snprintf(p, sizeof p, "%s/blocks.csv", dir);
    fb = fopen(p, "w");
    snprintf(p, sizeof p, "%s/transactions.csv", dir);
    ft = fopen(p, "w");
    snprintf(p, sizeof p, "%s/receipts.csv", dir);
    fr = fopen(p, "w");
    snprintf(p, sizeof p, "%s/logs.csv", dir);
    fl = fopen(p, "w");
    snprintf(p, sizeof p, "%s/traces.csv", dir);
    ftr = fopen(p, "w");
    if (!fb || !ft || !fr || !fl || !ftr) {
        perror("write_world");
        exit(1);
    }
    fputs("number,hash,parent_hash,nonce,sha3_uncles,logs_bloom,transactions_root,state_root,"
          "receipts_root,miner,difficulty,total_difficulty,size,extra_data,gas_limit,gas_used,"
          "timestamp,transaction_count,base_fee_per_gas,withdrawals_root,withdrawals\n",
          fb);
    fputs("hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,"
          "gas,gas_price,input,block_timestamp,max_fee_per_gas,max_priority_fee_per_gas,"
          "transaction_type\n",
          ft);
    fputs("transaction_hash,transaction_index,block_hash,block_number,cumulative_gas_used,"
          "gas_used,contract_address,root,status,effective_gas_price,l1_fee,l1_gas_used,"
          "l1_gas_price,l1_fee_scalar\n",
          fr);
    fputs("log_index,transaction_hash,transaction_index,block_hash,block_number,address,data,"
          "topics\n",
          fl);
    fputs("block_number,transaction_hash,transaction_index,from_address,to_address,value,input,"
          "output,trace_type,call_type,reward_type,gas,gas_used,subtraces,trace_address,error,"
          "status,trace_id\n",
          ftr);
    uint64_t per = 100, nb = (n_txs + per - 1) / per, s = 42, tx = 0;
    const uint64_t users = 200000;
    for (uint64_t b = 0; b < nb; b++) {
        uint64_t nt = n_txs - tx < per ? n_txs - tx : per;
        fprintf(fb, "%llu,", (unsigned long long)(1000000 + b));
        hex(fb, 1, b, 32);
        fputc(',', fb);
        hex(fb, 1, b - 1, 32);
        fputs(",0x0000000000000000,"
              "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347,0x00,0x00,0x00,"
              "0x00,",
              fb);
        hex(fb, 3, b % 50, 20);
        fprintf(fb, ",0,0,40000,0x,30000000,%llu,%llu,%llu,7000000000,,\n",
                (unsigned long long)(21000 * nt), (unsigned long long)(1700000000 + 12 * b),
                (unsigned long long)nt);
        unsigned li = 0;
        for (uint64_t i = 0; i < nt; i++, tx++) {
            uint64_t from = rng(&s) % users, to = rng(&s) % users;
            unsigned long long value = (unsigned long long)(rng(&s) % 1000000000000000000ull);
            /* tx */
            hex(ft, 2, tx, 32);
            fprintf(ft, ",%llu,", (unsigned long long)(tx % 1000));
            hex(ft, 1, b, 32);
            fprintf(ft, ",%llu,%llu,", (unsigned long long)(1000000 + b), (unsigned long long)i);
            hex(ft, 4, from, 20);
            fputc(',', ft);
            bool token = i % 2 == 0;
            hex(ft, 4, token ? users + (i % 7) : to, 20);
            fprintf(ft, ",%llu,60000,9000000000,%s,%llu,12000000000,2000000000,2\n",
                    token ? 0ull : value,
                    token ? "0xa9059cbb000000000000000000000000000000000000000000000000000000000000"
                            "0000000000000000000000000000000000000000000000000000000000000000000000"
                            "0000"
                          : "0x",
                    (unsigned long long)(1700000000 + 12 * b));
            /* receipt */
            hex(fr, 2, tx, 32);
            fprintf(fr, ",%llu,", (unsigned long long)i);
            hex(fr, 1, b, 32);
            fprintf(fr, ",%llu,%llu,21000,,,1,9000000000,,,,\n", (unsigned long long)(1000000 + b),
                    (unsigned long long)(21000 * (i + 1)));
            if (token) {
                fprintf(fl, "%u,", li++);
                hex(fl, 2, tx, 32);
                fprintf(fl, ",%llu,", (unsigned long long)i);
                hex(fl, 1, b, 32);
                fprintf(fl, ",%llu,", (unsigned long long)(1000000 + b));
                hex(fl, 4, users + (i % 7), 20);
                fprintf(fl,
                        ",0x%064llx,"
                        "\"0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef,"
                        "0x000000000000000000000000",
                        value);
                uint64_t s1 = 4 * 0x9e3779b97f4a7c15ull + from * 0xbf58476d1ce4e5b9ull + 1;
                (void)s1;
                char buf[64];
                FILE *m = fmemopen(buf, sizeof buf, "w");
                hex(m, 4, from, 20);
                fclose(m);
                fputs(buf + 2, fl);
                fputs(",0x000000000000000000000000", fl);
                m = fmemopen(buf, sizeof buf, "w");
                hex(m, 4, to, 20);
                fclose(m);
                fputs(buf + 2, fl);
                fputs("\"\n", fl);
            }
            if (i % 10 == 5) {
                fprintf(ftr, "%llu,", (unsigned long long)(1000000 + b));
                hex(ftr, 2, tx, 32);
                fprintf(ftr, ",%llu,", (unsigned long long)i);
                hex(ftr, 4, to, 20);
                fputc(',', ftr);
                hex(ftr, 4, rng(&s) % users, 20);
                fprintf(ftr, ",1000,0x,0x,call,call,,0,0,0,0,,1,x\n");
            }
        }
    }
    fclose(fb);
    fclose(ft);
    fclose(fr);
    fclose(fl);
    fclose(ftr);
}

static double user_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return user_seconds() + (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Seconds this thread has run on a CPU and waited for one (Linux /proc/thread-self/schedstat);
 * false when the kernel does not say. Wall clock minus both is the time it slept: I/O waits. */
static bool sched_seconds(double *run, double *queued)
{
    FILE *f = fopen("/proc/thread-self/schedstat", "r");
    if (!f)
        return false;
    unsigned long long r, q;
    bool ok = fscanf(f, "%llu %llu", &r, &q) == 2;
    fclose(f);
    *run = (double)r / 1e9;
    *queued = (double)q / 1e9;
    return ok;
}

static uint64_t dir_bytes(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    uint64_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "LOCK"))
            continue;
        char p[4400];
        snprintf(p, sizeof p, "%.4000s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st))
            continue;
        if (S_ISDIR(st.st_mode) && depth < 8)
            n += dir_bytes(p, depth + 1);
        else if (S_ISREG(st.st_mode))
            n += (uint64_t)st.st_size;
    }
    closedir(d);
    return n;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* The store's digest: SHA-256 of its files but LOCK, concatenated in name order (byte order),
 * as `ls | grep -v '^LOCK$' | sort | xargs cat | sha256sum` gives it in the C locale. Two
 * writers that must give the same store compare this. 0 and hex set, or -1. */
static int store_digest(const char *dir, char hex[65])
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, by_name);
    if (n < 0)
        return -1;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int rc = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 ? 0 : -1;
    static char buf[1 << 20];
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        char p[4400];
        snprintf(p, sizeof p, "%.4000s/%s", dir, name);
        struct stat st;
        if (!rc && name[0] != '.' && strcmp(name, "LOCK") && !stat(p, &st) && S_ISREG(st.st_mode)) {
            int fd = open(p, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                rc = -1;
            ssize_t got;
            while (!rc && (got = read(fd, buf, sizeof buf)) > 0)
                if (EVP_DigestUpdate(md, buf, (size_t)got) != 1)
                    rc = -1;
            if (fd >= 0)
                close(fd);
        }
        free(names[i]);
    }
    free(names);
    unsigned char d[32];
    unsigned len = 0;
    if (!rc && EVP_DigestFinal_ex(md, d, &len) == 1 && len == 32) {
        for (int i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", d[i]);
    } else {
        rc = -1;
    }
    EVP_MD_CTX_free(md);
    return rc;
}

/* the load average, "1.23 0.98 0.75" (1, 5, 15 minutes) from /proc/loadavg, or "" */
static void load_avg(char out[64])
{
    out[0] = '\0';
    FILE *f = fopen("/proc/loadavg", "r");
    if (!f)
        return;
    char a[16], b[16], c[16];
    if (fscanf(f, "%15s %15s %15s", a, b, c) == 3)
        snprintf(out, 64, "%s %s %s", a, b, c);
    fclose(f);
}

typedef uint64_t (*split_fn)(const char *buf, size_t len, uint64_t *rows);

/* The plain pass: read every CSV file of dir (page cache) and split it into fields. */
static void split_pass(const char *dir, int depth, uint64_t *bytes, uint64_t *fields,
                       uint64_t *rows, split_fn split)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    static char buf[1 << 22];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char p[4400];
        snprintf(p, sizeof p, "%.4000s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st))
            continue;
        if (S_ISDIR(st.st_mode) && depth < 8) {
            split_pass(p, depth + 1, bytes, fields, rows, split);
            continue;
        }
        size_t nl = strlen(e->d_name);
        if (nl < 4 || strcmp(e->d_name + nl - 4, ".csv"))
            continue;
        int fd = open(p, O_RDONLY);
        if (fd < 0)
            continue;
        size_t keep = 0;
        for (;;) {
            ssize_t n = read(fd, buf + keep, sizeof buf - keep);
            if (n <= 0)
                break;
            *bytes += (uint64_t)n;
            size_t len = keep + (size_t)n;
            /* split whole lines; keep the partial last one */
            size_t cut = len;
            while (cut > 0 && buf[cut - 1] != '\n')
                cut--;
            uint64_t r;
            *fields += split(buf, cut, &r);
            *rows += r;
            keep = len - cut;
            memmove(buf, buf + cut, keep);
        }
        close(fd);
    }
    closedir(d);
}

/* The decoder alone: every block read, split, decoded and cross-checked (cw_evm_csv_next),
 * nothing stored. Returns CPU seconds, or a negative value on error. */
static double decode_pass(const char *csv, uint64_t *blocks)
{
    cw_evm_csv *r = NULL;
    cw_evm_block b;
    cw_evm_block_init(&b);
    double c = cpu_seconds();
    int rc = cw_evm_csv_open(&r, csv);
    *blocks = 0;
    while (!rc) {
        int k = cw_evm_csv_next(r, &b);
        if (k <= 0) {
            rc = k;
            break;
        }
        (*blocks)++;
    }
    double dc = cpu_seconds() - c;
    cw_evm_csv_close(r);
    cw_evm_block_free(&b);
    if (rc < 0) {
        fprintf(stderr, "decode: %s\n", cw_error_last());
        return -1;
    }
    return dc;
}

/* Lines of the plain .json files under path (a directory, recursively, or one file). */
static uint64_t count_lines(const char *path, int depth)
{
    struct stat st;
    if (stat(path, &st))
        return 0;
    uint64_t n = 0;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d || depth > 8) {
            if (d)
                closedir(d);
            return 0;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            size_t nl = strlen(e->d_name);
            char p[4400];
            snprintf(p, sizeof p, "%.4000s/%s", path, e->d_name);
            if (e->d_name[0] != '.' &&
                (e->d_type == DT_DIR || (nl > 5 && !strcmp(e->d_name + nl - 5, ".json"))))
                n += count_lines(p, depth + 1);
        }
        closedir(d);
        return n;
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    static char buf[1 << 20];
    ssize_t k;
    while ((k = read(fd, buf, sizeof buf)) > 0)
        for (const char *q = buf; (q = memchr(q, '\n', (size_t)(buf + k - q))); q++)
            n++;
    close(fd);
    return n;
}

/* The store's bytes alone: `bytes` written with pwrite in 4 MiB pieces to one new file in
 * dir and fsynced, as the writer's columns reach the disk (the bytes every store of this size
 * must write). Returns CPU seconds. */
static double write_pass(const char *dir, uint64_t bytes)
{
    char p[4400];
    snprintf(p, sizeof p, "%.4000s/write_pass.tmp", dir);
    static char buf[1 << 22];
    memset(buf, 0x5a, sizeof buf);
    double c = cpu_seconds();
    int fd = open(p, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0)
        return -1;
    for (uint64_t off = 0; off < bytes; off += sizeof buf) {
        size_t n = bytes - off < sizeof buf ? (size_t)(bytes - off) : sizeof buf;
        if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
            break;
    }
    (void)fsync(fd);
    close(fd);
    double dc = cpu_seconds() - c;
    unlink(p);
    return dc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_ingest_evm WORK_DIR [CSV_DIR | --txs N]\n");
        return 2;
    }
    const char *work = argv[1];
    const char *json_in = argc >= 5 && !strcmp(argv[3], "--json") ? argv[4] : NULL;
    char csv[4096], store[4200];
    uint64_t n_txs = 1000000;
    mkdir(work, 0755);
    if (argc >= 4 && !strcmp(argv[2], "--txs"))
        n_txs = strtoull(argv[3], NULL, 10);
    if (argc >= 3 && strcmp(argv[2], "--txs")) {
        snprintf(csv, sizeof csv, "%.4000s", argv[2]);
    } else {
        snprintf(csv, sizeof csv, "%.4000s/csv", work);
        double t = cw_now();
        write_world(csv, n_txs);
        printf("synthetic world: %llu txs written in %.1f s\n", (unsigned long long)n_txs,
               cw_now() - t);
    }
    snprintf(store, sizeof store, "%.4000s/store", work);
    char cmd[8300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", store);
    if (system(cmd) != 0)
        return 1;
    /* warm the page cache, then the plain pass (best of 3): the goal's (a memchr per field,
     * cw_evm_csv_split_only) and the stricter one with the reader's block scan */
    uint64_t bytes = 0, fields = 0, rows = 0;
    split_pass(csv, 0, &bytes, &fields, &rows, cw_evm_csv_split_only);
    double best = 1e9, best_cpu = 1e9, best_blk_cpu = 1e9;
    for (int k = 0; k < 2; k++) {
        split_fn fn = k ? cw_evm_csv_split_blocks : cw_evm_csv_split_only;
        double b_wall = 1e9, b_cpu = 1e9, b_user = 0;
        for (int i = 0; i < 3; i++) {
            bytes = fields = rows = 0;
            double t = cw_now(), c = cpu_seconds(), u = user_seconds();
            split_pass(csv, 0, &bytes, &fields, &rows, fn);
            double dt = cw_now() - t, dc = cpu_seconds() - c;
            if (dt < b_wall)
                b_wall = dt;
            if (dc < b_cpu) {
                b_cpu = dc;
                b_user = user_seconds() - u;
            }
        }
        printf("plain pass (read + split into fields%s): %.1f MB in %.3f s (%.3f s CPU: %.3f "
               "user + %.3f sys) = %.0f MB/s (%.0f MB/s of CPU; %llu records, %llu fields)\n",
               k ? ", block scan" : "", (double)bytes / 1e6, b_wall, b_cpu, b_user, b_cpu - b_user,
               (double)bytes / b_wall / 1e6, (double)bytes / b_cpu / 1e6, (unsigned long long)rows,
               (unsigned long long)fields);
        if (k) {
            best_blk_cpu = b_cpu;
        } else {
            best = b_wall;
            best_cpu = b_cpu;
        }
    }
    char load[64];
    load_avg(load);
    double c0 = cpu_seconds(), u0 = user_seconds(), run0 = 0, q0 = 0, run1 = 0, q1 = 0;
    bool sched = sched_seconds(&run0, &q0);
    cw_evm_ingest_opts o = {0};
    o.csv_dir = csv;
    o.store_dir = store;
    o.chain = "ethereum";
    o.rollback_to = -2;
    cw_evm_ingest_stats st;
    int rc = cw_evm_ingest_csv(&o, &st);
    if (rc) {
        fprintf(stderr, "ingest: %s\n", cw_error_last());
        return 1;
    }
    double cpu = cpu_seconds() - c0, user = user_seconds() - u0;
    sched = sched && sched_seconds(&run1, &q1);
    uint64_t sb = dir_bytes(store, 0);
    double mbs = (double)st.bytes_read / st.seconds / 1e6;
    printf("ingest: %llu blocks, %llu txs, %llu value movements, %llu accounts in %.2f s (%.2f s "
           "CPU: %.2f user + %.2f sys)\n",
           (unsigned long long)st.blocks_added, (unsigned long long)st.txs_added,
           (unsigned long long)st.moves_added, (unsigned long long)st.accounts_added, st.seconds,
           cpu, user, cpu - user);
    if (load[0]) {
        char after[64];
        load_avg(after);
        /* the ingest commits every 10 s of wall clock or more (cw_evm_ingest_csv): a run slowed
         * by other work commits more often, and each commit costs CPU of its own */
        printf("  load average (1, 5, 15 min): %s before the ingest, %s after\n", load,
               after[0] ? after : "?");
    }
    if (sched) {
        double slept = st.seconds - (run1 - run0) - (q1 - q0);
        printf("  of the wall clock: %.2f s waiting for a CPU (other work on the machine), %.2f s "
               "asleep (waiting for the disk)\n",
               q1 - q0, slept > 0 ? slept : 0.0);
    }
    printf("  wall clock: %.1f MB/s of CSV, %.0f tx/s, %.0f value movements/s\n", mbs,
           (double)st.txs_added / st.seconds, (double)st.moves_added / st.seconds);
    printf("  CPU time:   %.1f MB/s of CSV, %.0f tx/s, %.0f value movements/s\n",
           (double)st.bytes_read / cpu / 1e6, (double)st.txs_added / cpu,
           (double)st.moves_added / cpu);
    printf("  store: %.1f MB = %.1f bytes per movement (%.1f per tx)\n", (double)sb / 1e6,
           (double)sb / (double)(st.moves_added ? st.moves_added : 1),
           (double)sb / (double)(st.txs_added ? st.txs_added : 1));
    char digest[65];
    if (!store_digest(store, digest))
        printf("  store digest (sha256 of its files but LOCK, in name order): %s\n", digest);
    printf("  ratio to the plain pass: %.3f wall clock, %.3f CPU time (goal >= 0.5); to the "
           "block-scan plain pass: %.3f CPU time\n",
           best / st.seconds, best_cpu / cpu, best_blk_cpu / cpu);
    /* where the floor is: the decoder without a store, and the store's bytes without a
     * decoder (best of 2 each) */
    double dec = 1e9, wr = 1e9;
    uint64_t nb = 0;
    for (int i = 0; i < 2; i++) {
        double d = decode_pass(csv, &nb), w = write_pass(work, sb);
        if (d < 0)
            return 1;
        if (d < dec)
            dec = d;
        if (w >= 0 && w < wr)
            wr = w;
    }
    printf("floor: decoding alone (no store, %llu blocks) %.2f s CPU = %.3f of the plain pass's "
           "speed; writing and fsyncing the store's %.1f MB alone %.2f s CPU; the writer's own "
           "work (ids, links, indexes) %.2f s CPU\n",
           (unsigned long long)nb, dec, best_cpu / dec, (double)sb / 1e6, wr,
           cpu - dec - wr > 0 ? cpu - dec - wr : 0.0);
    printf("  ratio bound with a free writer (decoding + the store's bytes): %.3f CPU time\n",
           best_cpu / (dec + wr));
    if (json_in) {
        /* the same world as JSON lines: decoder alone (best of 2) and the ingest */
        uint64_t jrows = count_lines(json_in, 0), jb = 0;
        double jdec = 1e9;
        for (int i = 0; i < 2; i++) {
            double d = decode_pass(json_in, &jb);
            if (d < 0)
                return 1;
            if (d < jdec)
                jdec = d;
        }
        char jstore[4300];
        snprintf(jstore, sizeof jstore, "%.4000s/store_json", work);
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", jstore);
        if (system(cmd) != 0)
            return 1;
        cw_evm_ingest_opts jo = o;
        jo.csv_dir = json_in;
        jo.store_dir = jstore;
        jo.synthetic = st.synthetic;
        cw_evm_ingest_stats js;
        double jc0 = cpu_seconds();
        if (cw_evm_ingest_csv(&jo, &js)) {
            fprintf(stderr, "ingest %s: %s\n", json_in, cw_error_last());
            return 1;
        }
        double jcpu = cpu_seconds() - jc0;
        char jdigest[65];
        bool same = !store_digest(jstore, jdigest) && !strcmp(jdigest, digest);
        printf("JSON lines (%s, %llu rows): decoding alone %.2f s CPU = %.0f rows/s (CSV: %.2f s "
               "= %.0f rows/s, %.2fx); ingest %.2f s (%.2f s CPU) = %.0f rows/s, %.0f tx/s of CPU "
               "(CSV: %.0f rows/s, %.0f tx/s of CPU, %.2fx); store %s the CSV's\n",
               json_in, (unsigned long long)jrows, jdec, (double)jrows / jdec, dec,
               (double)jrows / dec, jdec / dec, js.seconds, jcpu, (double)jrows / jcpu,
               (double)js.txs_added / jcpu, (double)jrows / cpu, (double)st.txs_added / cpu,
               jcpu / cpu, same ? "byte-identical to" : "DIFFERS from");
    }
    return 0;
}
