#ifndef CTFSCURL_H
#define CTFSCURL_H

#include <stddef.h>

/// What one transfer answered. Strings are NUL-terminated and cut to their buffers.
typedef struct {
  /// HTTP status, or the last SMTP reply code; 0 when no answer came.
  long code;
  /// The CURLcode of the transfer (0 = it completed) and libcurl's message for it.
  int curl_code;
  char error[256];
  /// HTTP: the final response's `Retry-After` value, blanks trimmed ("" when absent).
  char retry_after[128];
  /// HTTP: the first bytes of the response body. SMTP: the server's last reply line.
  char answer[1025];
  size_t answer_length;
} ctfs_curl_result;

/// POSTs `body` to `url` (http or https only; certificates are verified, redirects are not
/// followed) with `headers` (`Name: value` lines). Blocks for at most `timeout_ms` (connecting
/// for at most `connect_timeout_ms`); safe to call from several threads at once. Returns
/// `out->curl_code`.
int ctfs_http_post(const char *url, const char *const *headers, int header_count,
                   const char *body, size_t body_length, long timeout_ms,
                   long connect_timeout_ms, ctfs_curl_result *out);

/// Sends the RFC 5322 `message` over SMTP: `smtp://` (STARTTLS when the server offers it, or
/// required when `require_tls` is 1) or `smtps://` (TLS from the start). `user` and `password`
/// may be NULL (no authentication). Same time limits and threading as `ctfs_http_post`.
int ctfs_smtp_send(const char *url, const char *user, const char *password, int require_tls,
                   const char *from, const char *const *recipients, int recipient_count,
                   const char *message, size_t message_length, long timeout_ms,
                   long connect_timeout_ms, ctfs_curl_result *out);

#endif
