/*
 * derived.c: the generation folders of the files a build derives from a store (the address
 * index `addrhist.<gen>/`, the clusters `cluster.<gen>/`, the pattern flags `patterns.<gen>/`).
 *
 * A build writes a complete new folder, makes it durable, then replaces its manifest (which
 * names the folder) by rename, then removes the other folders. A reader reads the manifest, then
 * opens the folder's files: between the two a build may publish the next generation and remove
 * the one the reader's manifest names, so a reader whose open fails re-reads the manifest and,
 * when it moved, opens the folder the new one names (cw_derived_moved). Files are never
 * rewritten in place: a reader that has a generation mapped keeps reading it, whole, until it
 * closes, whatever builds run beside it.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chainwatch/errors.h"
#include "chainwatch/store.h"
#include "chainwatch/util.h"

void cw_derived_gen_dir(char *out, size_t n, const char *store, const char *name, uint64_t gen)
{
    snprintf(out, n, "%s/%s.%" PRIu64, store, name, gen);
}

/* The generation of a folder entry named NAME.<gen> (false for anything else). */
static bool gen_of(const char *entry, const char *name, uint64_t *gen)
{
    size_t n = strlen(name);
    return strncmp(entry, name, n) == 0 && entry[n] == '.' && entry[n + 1] &&
           cw_parse_u64(gen, entry + n + 1) == 0;
}

void cw_derived_remove_gen(const char *store, const char *name, uint64_t gen)
{
    char d[4096], p[4400];
    cw_derived_gen_dir(d, sizeof d, store, name, gen);
    DIR *dir = opendir(d);
    if (dir) {
        /* every file, also those of a later build's format this one does not know */
        struct dirent *e;
        while ((e = readdir(dir))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", d, e->d_name);
            unlink(p);
        }
        closedir(dir);
    }
    rmdir(d);
}

/* The generations of the NAME.<gen> folders of store (at most cap). */
static size_t list_gens(const char *store, const char *name, uint64_t *gens, size_t cap)
{
    DIR *d = opendir(store);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < cap) {
        uint64_t g;
        if (gen_of(e->d_name, name, &g))
            gens[n++] = g;
    }
    closedir(d);
    return n;
}

void cw_derived_remove_other_gens(const char *store, const char *name, uint64_t keep)
{
    uint64_t gens[256];
    size_t n = list_gens(store, name, gens, 256);
    for (size_t i = 0; i < n; i++)
        if (gens[i] != keep)
            cw_derived_remove_gen(store, name, gens[i]);
}

uint64_t cw_derived_next_gen(const char *store, const char *name, uint64_t published)
{
    uint64_t gens[256], next = published + 1;
    size_t n = list_gens(store, name, gens, 256);
    for (size_t i = 0; i < n; i++)
        if (gens[i] != UINT64_MAX && gens[i] + 1 > next)
            next = gens[i] + 1;
    return next;
}

bool cw_derived_moved(const cw_manifest *m, const char *path)
{
    cw_manifest now;
    if (cw_manifest_read(&now, path) != 0) {
        cw_error_clear();
        return false; /* gone or torn: nothing newer to open */
    }
    if (now.n != m->n)
        return true;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(now.keys[i], m->keys[i]) != 0 || now.vals[i] != m->vals[i])
            return true;
    return false;
}

void cw_derived_test_hook(void)
{
#ifdef CW_TEST_HOOKS
    /* Test hook, compiled only into test builds (as CW_TEST_BEFORE_SNAPSHOT_CHECK): a shell
     * command run after a reader read a derived manifest and before it opens the files it names
     * (tests/cli/derived_rebuild.sh runs a build there). */
    const char *hook = getenv("CW_TEST_AFTER_DERIVED_MANIFEST");
    if (hook && *hook && system(hook) != 0)
        fprintf(stderr, "CW_TEST_AFTER_DERIVED_MANIFEST failed\n");
#endif
}
