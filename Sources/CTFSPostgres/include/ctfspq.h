#ifndef CTFSPQ_H
#define CTFSPQ_H

#include <stddef.h>

/// libpq, loaded on first use (`libpq.so.5`): a `tfs` that never touches PostgreSQL never loads
/// it, and building needs no libpq header. Handles are libpq's own, passed as opaque pointers;
/// each connection is used by one thread at a time (libpq is thread-safe on that condition).

/// Loads libpq once; 0 when it is usable, else -1 with the reason copied into `error`.
int ctfs_pq_load(char *error, size_t error_size);

/// `PQconnectdbParams` with `expand_dbname` = 1 (a `postgres://` URL in `dbname` is expanded,
/// the other keys override it). Never NULL once loaded; check `ctfs_pq_ok`.
void *ctfs_pq_connect(const char *const *keys, const char *const *values);
/// 1 when the connection is up (`CONNECTION_OK`).
int ctfs_pq_ok(void *conn);
const char *ctfs_pq_error(void *conn);
void ctfs_pq_finish(void *conn);
int ctfs_pq_socket(void *conn);
int ctfs_pq_backend_pid(void *conn);

/// 1 for a command or a query that succeeded, 0 for an error.
int ctfs_pq_result_ok(void *result);
/// The SQLSTATE of a failed result ("" when none, e.g. the connection broke).
const char *ctfs_pq_sqlstate(void *result);
const char *ctfs_pq_result_error(void *result);
int ctfs_pq_rows(void *result);
int ctfs_pq_columns(void *result);
const char *ctfs_pq_column_name(void *result, int column);
/// The value's text, or NULL for SQL NULL.
const char *ctfs_pq_value(void *result, int row, int column);
void ctfs_pq_clear(void *result);

/// Sends a statement without waiting for its answer (`PQsendQueryParams`; with `count` < 0,
/// `PQsendQuery`: several statements, no parameters). 1 when sent, 0 on failure.
int ctfs_pq_send(void *conn, const char *sql, int count, const char *const *values);
/// `PQflush`: 0 when everything was sent, 1 when some is left, -1 on failure.
int ctfs_pq_flush(void *conn);
/// 1 while the answer is not complete (`PQisBusy`; call `ctfs_pq_consume` when the socket is
/// readable).
int ctfs_pq_busy(void *conn);
/// The next result of the statement sent, or NULL when there is no more (`PQgetResult`).
void *ctfs_pq_next_result(void *conn);

/// Reads what the server sent without blocking; 0 when the connection broke.
int ctfs_pq_consume(void *conn);
/// The next notification received (its channel and payload copied, cut to the buffers);
/// 1 when there was one, else 0.
int ctfs_pq_notification(void *conn, char *channel, size_t channel_size, char *payload,
                         size_t payload_size);

#endif
