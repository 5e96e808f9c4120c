#ifndef NOTIFIER_CSQLITE_SHIM_H
#define NOTIFIER_CSQLITE_SHIM_H
#include <sqlite3.h>

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
#endif
