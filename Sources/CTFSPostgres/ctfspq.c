#include "ctfspq.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prototypes of the libpq functions used, by their documented ABI (stable since libpq 9.x):
 * handles are opaque, enums are ints, so no header is needed to build. */
typedef struct {
  char *relname;
  int be_pid;
  char *extra;
} notify_prefix;

#define CONNECTION_OK 0
#define PGRES_COMMAND_OK 1
#define PGRES_TUPLES_OK 2
#define PG_DIAG_SQLSTATE 'C'

static struct {
  void *(*connectdb_params)(const char *const *keys, const char *const *values, int expand);
  int (*status)(const void *conn);
  char *(*error_message)(const void *conn);
  void (*finish)(void *conn);
  int (*socket)(const void *conn);
  int (*backend_pid)(const void *conn);
  int (*result_status)(const void *result);
  char *(*result_error_field)(const void *result, int field);
  char *(*result_error_message)(const void *result);
  int (*ntuples)(const void *result);
  int (*nfields)(const void *result);
  char *(*fname)(const void *result, int column);
  char *(*getvalue)(const void *result, int row, int column);
  int (*getisnull)(const void *result, int row, int column);
  void (*clear)(void *result);
  int (*consume_input)(void *conn);
  void *(*notifies)(void *conn);
  void (*freemem)(void *ptr);
  int (*send_query_params)(void *conn, const char *sql, int count, const unsigned int *types,
                           const char *const *values, const int *lengths, const int *formats,
                           int result_format);
  int (*send_query)(void *conn, const char *sql);
  int (*is_busy)(void *conn);
  void *(*get_result)(void *conn);
  int (*flush)(void *conn);
  void *(*set_notice_processor)(void *conn, void (*processor)(void *arg, const char *message), void *arg);
} lib;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded = 0;
static char load_error[256];

#define BIND(field, name)                                      \
  do {                                                         \
    *(void **)&lib.field = dlsym(handle, name);                \
    if (lib.field == NULL) {                                   \
      snprintf(load_error, sizeof(load_error),                 \
               "libpq.so.5 lacks %s, which tfs needs", name);  \
      return;                                                  \
    }                                                          \
  } while (0)

static void load(void) {
  void *handle = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    snprintf(load_error, sizeof(load_error),
             "libpq is not installed (Debian: apt-get install libpq5): %s", dlerror());
    return;
  }
  BIND(connectdb_params, "PQconnectdbParams");
  BIND(status, "PQstatus");
  BIND(error_message, "PQerrorMessage");
  BIND(finish, "PQfinish");
  BIND(socket, "PQsocket");
  BIND(backend_pid, "PQbackendPID");
  BIND(result_status, "PQresultStatus");
  BIND(result_error_field, "PQresultErrorField");
  BIND(result_error_message, "PQresultErrorMessage");
  BIND(ntuples, "PQntuples");
  BIND(nfields, "PQnfields");
  BIND(fname, "PQfname");
  BIND(getvalue, "PQgetvalue");
  BIND(getisnull, "PQgetisnull");
  BIND(clear, "PQclear");
  BIND(consume_input, "PQconsumeInput");
  BIND(notifies, "PQnotifies");
  BIND(freemem, "PQfreemem");
  BIND(set_notice_processor, "PQsetNoticeProcessor");
  BIND(send_query_params, "PQsendQueryParams");
  BIND(send_query, "PQsendQuery");
  BIND(is_busy, "PQisBusy");
  BIND(get_result, "PQgetResult");
  BIND(flush, "PQflush");
  loaded = 1;
}

int ctfs_pq_load(char *error, size_t error_size) {
  pthread_once(&load_once, load);
  if (loaded) return 0;
  if (error != NULL && error_size > 0) snprintf(error, error_size, "%s", load_error);
  return -1;
}

/* Server notices (a NOTICE, a WARNING before a shutdown) are not errors: libpq's default
 * prints them on stderr, which is the daemon's log or the user's terminal. */
static void ignore_notice(void *arg, const char *message) {
  (void)arg;
  (void)message;
}

void *ctfs_pq_connect(const char *const *keys, const char *const *values) {
  void *conn = lib.connectdb_params(keys, values, 1);
  if (conn != NULL) lib.set_notice_processor(conn, ignore_notice, NULL);
  return conn;
}

int ctfs_pq_ok(void *conn) { return conn != NULL && lib.status(conn) == CONNECTION_OK; }

const char *ctfs_pq_error(void *conn) {
  return conn == NULL ? "out of memory" : lib.error_message(conn);
}

void ctfs_pq_finish(void *conn) {
  if (conn != NULL) lib.finish(conn);
}

int ctfs_pq_socket(void *conn) { return lib.socket(conn); }

int ctfs_pq_backend_pid(void *conn) { return lib.backend_pid(conn); }

int ctfs_pq_result_ok(void *result) {
  if (result == NULL) return 0;
  int status = lib.result_status(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

const char *ctfs_pq_sqlstate(void *result) {
  const char *state = result == NULL ? NULL : lib.result_error_field(result, PG_DIAG_SQLSTATE);
  return state == NULL ? "" : state;
}

const char *ctfs_pq_result_error(void *result) {
  return result == NULL ? "out of memory" : lib.result_error_message(result);
}

int ctfs_pq_rows(void *result) { return lib.ntuples(result); }

int ctfs_pq_columns(void *result) { return lib.nfields(result); }

const char *ctfs_pq_column_name(void *result, int column) { return lib.fname(result, column); }

const char *ctfs_pq_value(void *result, int row, int column) {
  if (lib.getisnull(result, row, column)) return NULL;
  return lib.getvalue(result, row, column);
}

void ctfs_pq_clear(void *result) {
  if (result != NULL) lib.clear(result);
}

int ctfs_pq_consume(void *conn) { return lib.consume_input(conn); }

int ctfs_pq_notification(void *conn, char *channel, size_t channel_size, char *payload,
                         size_t payload_size) {
  notify_prefix *note = lib.notifies(conn);
  if (note == NULL) return 0;
  snprintf(channel, channel_size, "%s", note->relname ? note->relname : "");
  snprintf(payload, payload_size, "%s", note->extra ? note->extra : "");
  lib.freemem(note);
  return 1;
}

int ctfs_pq_send(void *conn, const char *sql, int count, const char *const *values) {
  if (count < 0) return lib.send_query(conn, sql);
  return lib.send_query_params(conn, sql, count, NULL, values, NULL, NULL, 0);
}

int ctfs_pq_flush(void *conn) { return lib.flush(conn); }

int ctfs_pq_busy(void *conn) { return lib.is_busy(conn); }

void *ctfs_pq_next_result(void *conn) { return lib.get_result(conn); }
