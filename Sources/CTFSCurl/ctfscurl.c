#include "ctfscurl.h"

/* Calls go through the pointers below, never the header's type-checking macros. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Swift cannot call curl_easy_setopt (it is variadic): these two calls set every option here
 * and hand back plain values. Each transfer has its own easy handle, so threads share nothing
 * but the global state, initialised once. CURLOPT_NOSIGNAL keeps libcurl away from SIGALRM
 * (it would otherwise use it for DNS time limits), which a multi-threaded daemon cannot allow;
 * the caller deals with SIGPIPE.
 *
 * libcurl is loaded on first use rather than linked: linking it makes every process load it
 * and the ~30 libraries it needs (TLS, LDAP, Kerberos, HTTP/2…), about 5 ms added to each
 * `tfs` command that never sends an alert. */

static struct {
  CURLcode (*global_init)(long flags);
  CURL *(*easy_init)(void);
  CURLcode (*setopt)(CURL *curl, CURLoption option, ...);
  CURLcode (*perform)(CURL *curl);
  CURLcode (*getinfo)(CURL *curl, CURLINFO info, ...);
  void (*cleanup)(CURL *curl);
  const char *(*strerror)(CURLcode code);
  struct curl_slist *(*slist_append)(struct curl_slist *list, const char *text);
  void (*slist_free_all)(struct curl_slist *list);
} lib;

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_code = CURLE_FAILED_INIT;
static char load_error[256];

static void global_init(void) {
  void *handle = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    snprintf(load_error, sizeof(load_error), "libcurl is not installed: %s", dlerror());
    return;
  }
  *(void **)&lib.global_init = dlsym(handle, "curl_global_init");
  *(void **)&lib.easy_init = dlsym(handle, "curl_easy_init");
  *(void **)&lib.setopt = dlsym(handle, "curl_easy_setopt");
  *(void **)&lib.perform = dlsym(handle, "curl_easy_perform");
  *(void **)&lib.getinfo = dlsym(handle, "curl_easy_getinfo");
  *(void **)&lib.cleanup = dlsym(handle, "curl_easy_cleanup");
  *(void **)&lib.strerror = dlsym(handle, "curl_easy_strerror");
  *(void **)&lib.slist_append = dlsym(handle, "curl_slist_append");
  *(void **)&lib.slist_free_all = dlsym(handle, "curl_slist_free_all");
  if (!lib.global_init || !lib.easy_init || !lib.setopt || !lib.perform || !lib.getinfo ||
      !lib.cleanup || !lib.strerror || !lib.slist_append || !lib.slist_free_all) {
    snprintf(load_error, sizeof(load_error), "libcurl.so.4 lacks a function tfs needs");
    return;
  }
  global_code = lib.global_init(CURL_GLOBAL_DEFAULT);
  if (global_code != CURLE_OK)
    snprintf(load_error, sizeof(load_error), "%s", lib.strerror(global_code));
}

typedef struct {
  ctfs_curl_result *out;
  const char *upload;
  size_t upload_left;
} transfer;

static void copy_cut(char *dst, size_t cap, const char *src, size_t n) {
  if (n >= cap) n = cap - 1;
  memcpy(dst, src, n);
  dst[n] = 0;
}

/* Keeps the first bytes of the body and swallows the rest (stopping early would be an error). */
static size_t on_body(char *data, size_t size, size_t count, void *user) {
  ctfs_curl_result *out = ((transfer *)user)->out;
  size_t n = size * count;
  size_t room = sizeof(out->answer) - 1 - out->answer_length;
  size_t keep = n < room ? n : room;
  memcpy(out->answer + out->answer_length, data, keep);
  out->answer_length += keep;
  out->answer[out->answer_length] = 0;
  return n;
}

/* Remembers Retry-After of the last response (an interim 100 starts a new one). */
static size_t on_header(char *data, size_t size, size_t count, void *user) {
  ctfs_curl_result *out = ((transfer *)user)->out;
  size_t n = size * count;
  static const char name[] = "retry-after:";
  if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) out->retry_after[0] = 0;
  if (n > sizeof(name) - 1 && strncasecmp(data, name, sizeof(name) - 1) == 0) {
    const char *v = data + sizeof(name) - 1;
    size_t len = n - (sizeof(name) - 1);
    while (len > 0 && (*v == ' ' || *v == '\t')) v++, len--;
    while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' ')) len--;
    copy_cut(out->retry_after, sizeof(out->retry_after), v, len);
  }
  return n;
}

/* Keeps the server's last reply line: libcurl reports SMTP replies only to a debug callback. */
static int on_debug(CURL *handle, curl_infotype type, char *data, size_t size, void *user) {
  (void)handle;
  if (type != CURLINFO_HEADER_IN) return 0;
  ctfs_curl_result *out = ((transfer *)user)->out;
  while (size > 0 && (data[size - 1] == '\r' || data[size - 1] == '\n')) size--;
  if (size == 0) return 0;
  copy_cut(out->answer, sizeof(out->answer), data, size);
  out->answer_length = strlen(out->answer);
  return 0;
}

static size_t on_read(char *buffer, size_t size, size_t count, void *user) {
  transfer *t = user;
  size_t n = size * count;
  if (n > t->upload_left) n = t->upload_left;
  memcpy(buffer, t->upload, n);
  t->upload += n;
  t->upload_left -= n;
  return n;
}

/* A handle with the options both calls share, or NULL (then `out` says why). */
static CURL *begin(const char *url, long timeout_ms, long connect_timeout_ms, transfer *t) {
  memset(t->out, 0, sizeof(*t->out));
  pthread_once(&global_once, global_init);
  CURL *curl = global_code == CURLE_OK ? lib.easy_init() : NULL;
  if (curl == NULL) {
    t->out->curl_code = global_code != CURLE_OK ? global_code : CURLE_FAILED_INIT;
    snprintf(t->out->error, sizeof(t->out->error), "%s",
             global_code != CURLE_OK ? load_error : "could not create a libcurl handle");
    return NULL;
  }
  lib.setopt(curl, CURLOPT_URL, url);
  lib.setopt(curl, CURLOPT_NOSIGNAL, 1L);
  lib.setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  lib.setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
  lib.setopt(curl, CURLOPT_ERRORBUFFER, t->out->error);
  lib.setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  lib.setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  return curl;
}

/* Runs the transfer and fills in the code and, when libcurl left none, the error text. */
static int finish(CURL *curl, transfer *t) {
  ctfs_curl_result *out = t->out;
  CURLcode code = lib.perform(curl);
  out->curl_code = code;
  lib.getinfo(curl, CURLINFO_RESPONSE_CODE, &out->code);
  if (code != CURLE_OK && out->error[0] == 0)
    snprintf(out->error, sizeof(out->error), "%s", lib.strerror(code));
  if (code == CURLE_OK) out->error[0] = 0;
  /* The cleanup may still talk to the server (SMTP QUIT): its reply is not the answer. */
  lib.setopt(curl, CURLOPT_VERBOSE, 0L);
  lib.cleanup(curl);
  return code;
}

int ctfs_http_post(const char *url, const char *const *headers, int header_count,
                   const char *body, size_t body_length, long timeout_ms,
                   long connect_timeout_ms, ctfs_curl_result *out) {
  transfer t = {out, NULL, 0};
  CURL *curl = begin(url, timeout_ms, connect_timeout_ms, &t);
  if (curl == NULL) return out->curl_code;
  /* No "Expect: 100-continue" round trip before the body. */
  struct curl_slist *list = lib.slist_append(NULL, "Expect:");
  for (int i = 0; i < header_count && list != NULL; i++) {
    struct curl_slist *next = lib.slist_append(list, headers[i]);
    if (next != NULL) list = next;
  }
  lib.setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  lib.setopt(curl, CURLOPT_USERAGENT, "tfs");
  lib.setopt(curl, CURLOPT_HTTPHEADER, list);
  lib.setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_length);
  lib.setopt(curl, CURLOPT_POSTFIELDS, body);
  lib.setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  lib.setopt(curl, CURLOPT_WRITEDATA, &t);
  lib.setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  lib.setopt(curl, CURLOPT_HEADERDATA, &t);
  int code = finish(curl, &t);
  lib.slist_free_all(list);
  return code;
}

int ctfs_smtp_send(const char *url, const char *user, const char *password, int require_tls,
                   const char *from, const char *const *recipients, int recipient_count,
                   const char *message, size_t message_length, long timeout_ms,
                   long connect_timeout_ms, ctfs_curl_result *out) {
  transfer t = {out, message, message_length};
  CURL *curl = begin(url, timeout_ms, connect_timeout_ms, &t);
  if (curl == NULL) return out->curl_code;
  struct curl_slist *list = NULL;
  for (int i = 0; i < recipient_count; i++) {
    struct curl_slist *next = lib.slist_append(list, recipients[i]);
    if (next != NULL) list = next;
  }
  lib.setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  lib.setopt(curl, CURLOPT_USE_SSL, require_tls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
  if (user != NULL) lib.setopt(curl, CURLOPT_USERNAME, user);
  if (password != NULL) lib.setopt(curl, CURLOPT_PASSWORD, password);
  lib.setopt(curl, CURLOPT_MAIL_FROM, from);
  lib.setopt(curl, CURLOPT_MAIL_RCPT, list);
  /* One rejected recipient (a mistyped owner) must not stop the mail to the others: libcurl
     goes on while at least one RCPT TO is accepted (7.69+; older ones ignore the option). */
  /* Option 290 (spelled CURLOPT_MAIL_RCPT_ALLLOWFAILS before libcurl 8.2). */
  lib.setopt(curl, (CURLoption)(CURLOPTTYPE_LONG + 290), 1L);
  lib.setopt(curl, CURLOPT_UPLOAD, 1L);
  lib.setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)message_length);
  lib.setopt(curl, CURLOPT_READFUNCTION, on_read);
  lib.setopt(curl, CURLOPT_READDATA, &t);
  lib.setopt(curl, CURLOPT_DEBUGFUNCTION, on_debug);
  lib.setopt(curl, CURLOPT_DEBUGDATA, &t);
  lib.setopt(curl, CURLOPT_VERBOSE, 1L);
  int code = finish(curl, &t);
  lib.slist_free_all(list);
  return code;
}
