#ifndef NOTIFIER_CSQLITE_SHIM_H
#define NOTIFIER_CSQLITE_SHIM_H
#include <sqlite3.h>
#include <stdint.h>
#include <unistd.h>

/// sqlite3_config and sqlite3_db_config are variadic, which Swift cannot call: one non-variadic wrapper each use.
static inline int notifier_sqlite3_db_config_int(sqlite3 *db, int op, int value, int *result) {
    return sqlite3_db_config(db, op, value, result);
}

/// SQLITE_TRANSIENT is a cast macro Swift does not import: SQLite copies the text or blob before the call returns.
static inline int notifier_sqlite3_bind_text(sqlite3_stmt *statement, int index, const char *text, int length) {
    return sqlite3_bind_text(statement, index, text, length, SQLITE_TRANSIENT);
}

static inline int notifier_sqlite3_bind_blob(sqlite3_stmt *statement, int index, const void *bytes, int length) {
    return sqlite3_bind_blob(statement, index, bytes, length, SQLITE_TRANSIENT);
}
/// A busy handler that waits in short steps: 100 µs for the first 5 ms, then 1 ms, until `context` milliseconds.
/// SQLite's own (sqlite3_busy_timeout) sleeps 1, 2, 5, 10 ... 100 ms in turn, so a writer that finds another
/// process's one-millisecond transaction under way may sleep for tens of milliseconds after it has ended.
static int notifier_sqlite3_busy_wait(void *context, int count) {
    long limit_us = (long)(intptr_t)context * 1000L;
    long waited_us = count < 50 ? count * 100L : 5000L + (long)(count - 50) * 1000L;
    if (waited_us >= limit_us) return 0;
    usleep(count < 50 ? 100 : 1000);
    return 1;
}

static inline int notifier_sqlite3_busy_timeout(sqlite3 *db, int milliseconds) {
    return sqlite3_busy_handler(db, notifier_sqlite3_busy_wait, (void *)(intptr_t)milliseconds);
}
#endif
