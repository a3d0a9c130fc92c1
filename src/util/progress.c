/*
 * progress.c: one status line on a terminal (rate, ETA), redrawn at most 5 times a second.
 * When stderr is not a terminal it prints nothing, so piped output stays clean.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chainwatch/util.h"

struct cw_progress {
    char label[64];
    char unit[16];
    uint64_t total;
    double start;
    double last_draw;
    bool enabled;
    bool drawn;
};

cw_progress *cw_progress_new(const char *label, uint64_t total, const char *unit)
{
    cw_progress *p = cw_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    snprintf(p->label, sizeof p->label, "%s", label);
    snprintf(p->unit, sizeof p->unit, "%s", unit ? unit : "items");
    p->total = total;
    p->start = cw_now();
    p->enabled = isatty(STDERR_FILENO) && !getenv("CW_NO_PROGRESS");
    return p;
}

bool cw_progress_enabled(const cw_progress *p)
{
    return p && p->enabled;
}

void cw_progress_update(cw_progress *p, uint64_t done, uint64_t tx, uint64_t bytes)
{
    if (!p || !p->enabled)
        return;
    double now = cw_now();
    if (now - p->last_draw < 0.2 && !(p->total && done >= p->total))
        return;
    p->last_draw = now;
    double el = now - p->start;
    if (el <= 0)
        el = 1e-9;
    char eta[32] = "?";
    if (p->total && done > 0 && done <= p->total) {
        double rem = el * (double)(p->total - done) / (double)done;
        snprintf(eta, sizeof eta, "%02d:%02d:%02d", (int)(rem / 3600), (int)(rem / 60) % 60,
                 (int)rem % 60);
    }
    fprintf(stderr, "\r\033[K%s: %llu", p->label, (unsigned long long)done);
    if (p->total)
        fprintf(stderr, "/%llu", (unsigned long long)p->total);
    fprintf(stderr, " %s  %.0f %s/s  %.0f tx/s  %.1f MB/s  ETA %s", p->unit, (double)done / el,
            p->unit, (double)tx / el, (double)bytes / el / 1e6, eta);
    p->drawn = true;
}

void cw_progress_free(cw_progress *p)
{
    if (!p)
        return;
    if (p->enabled && p->drawn)
        fputs("\r\033[K", stderr);
    cw_free(p);
}
