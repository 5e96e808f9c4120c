#ifndef NOTIFIER_CSQLITE_SHIM_H
#define NOTIFIER_CSQLITE_SHIM_H
#include <sqlite3.h>

/// sqlite3_config and sqlite3_db_config are variadic, which Swift cannot call: one non-variadic wrapper each use.
static inline int notifier_sqlite3_db_config_int(sqlite3 *db, int op, int value, int *result) {
    return sqlite3_db_config(db, op, value, result);
}
#endif
