/* cmd_version.c: `chainwatch version [--json]`: the program and library versions. */
#include <jansson.h>
#include <openssl/opensslv.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static int run(int argc, char **argv)
{
    bool json = argc > 1 && !strcmp(argv[1], "--json");
    if (json) {
        return cw_cli_print_json(json_pack("{s:s, s:s, s:s, s:s}", "chainwatch", CW_VERSION,
                                           "openssl", OPENSSL_VERSION_TEXT, "sqlite",
                                           sqlite3_libversion(), "jansson", JANSSON_VERSION));
    }
    printf("chainwatch %s\nopenssl %s\nsqlite %s\njansson %s\n", CW_VERSION, OPENSSL_VERSION_TEXT,
           sqlite3_libversion(), JANSSON_VERSION);
    return CW_EXIT_OK;
}

const cw_command cw_cmd_version = {
    "version", "print the version of chainwatch and its libraries",
    "Usage: chainwatch version [--json]\n\nPrints the versions of chainwatch, OpenSSL, SQLite "
    "and jansson.\n",
    run};
