/* Fault injection for tests/cli/test_faults.py, loaded with LD_PRELOAD into maillage.
 *
 * It wraps rename(2) (what std::filesystem::rename calls) and counts the "moves": renames of a
 * file out of a .maillage-staging-* folder into another folder, i.e. the switch of a commit.
 *
 *   MAILLAGE_FAULT_KILL_AFTER_MOVES=N  the process kills itself with SIGKILL right after its
 *                                      N-th move: a run killed between two renames of its commit;
 *   MAILLAGE_FAULT_FAIL_MOVE=N         the N-th move fails with EIO instead of renaming;
 *   MAILLAGE_FAULT_LOG=FILE            every move is appended to FILE as "FROM\tTO\n".
 *
 * Without these variables every rename goes through unchanged. Test support only: never
 * installed, never linked into maillage.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int moves = 0;

static int env_int(const char* name) {
    const char* v = getenv(name);
    return v != NULL ? atoi(v) : 0;
}

int rename(const char* from, const char* to) {
    static int (*real_rename)(const char*, const char*) = NULL;
    if (real_rename == NULL) {
        real_rename = (int (*)(const char*, const char*))dlsym(RTLD_NEXT, "rename");
    }
    const int is_move =
        strstr(from, "/.maillage-staging-") != NULL && strstr(to, "/.maillage-staging-") == NULL;
    if (!is_move) {
        return real_rename(from, to);
    }
    ++moves;
    if (moves == env_int("MAILLAGE_FAULT_FAIL_MOVE")) {
        errno = EIO;
        return -1;
    }
    const int result = real_rename(from, to);
    const char* log = getenv("MAILLAGE_FAULT_LOG");
    if (result == 0 && log != NULL) {
        FILE* f = fopen(log, "a");
        if (f != NULL) {
            fprintf(f, "%s\t%s\n", from, to);
            fclose(f);
        }
    }
    if (result == 0 && moves == env_int("MAILLAGE_FAULT_KILL_AFTER_MOVES")) {
        kill(getpid(), SIGKILL);
    }
    return result;
}
