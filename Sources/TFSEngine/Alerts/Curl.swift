import CTFSCurl
import Foundation

/// What libcurl answered for one transfer (see CTFSCurl's `ctfs_curl_result`).
struct CurlAnswer: Sendable {
  /// HTTP status or the last SMTP reply code; 0 when none came.
  var code: Int
  /// The CURLcode; 0 when the transfer completed.
  var curlCode: Int32
  var error: String
  /// HTTP `Retry-After`, as sent ("" when absent).
  var retryAfter: String
  /// HTTP: the first KiB of the body. SMTP: the last reply line.
  var answer: String

  static let timedOut: Int32 = 28
  /// Errors of the request itself (`unsupported protocol`, `malformed URL`): no retry fixes them.
  static let badRequest: Set<Int32> = [1, 3]

  init(_ r: inout ctfs_curl_result) {
    code = r.code
    curlCode = r.curl_code
    error = Self.string(&r.error)
    retryAfter = Self.string(&r.retry_after)
    let length = r.answer_length
    answer = withUnsafeBytes(of: &r.answer) { String(decoding: $0.prefix(length), as: UTF8.self) }
  }

  private static func string<T>(_ tuple: inout T) -> String {
    withUnsafeBytes(of: &tuple) { raw in
      String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
  }

  /// libcurl's message in the house style.
  var message: String { Self.houseStyle(error) }

  /// `text` with a lowercase first word, unless that word is an acronym (`SSL`).
  static func houseStyle(_ text: String) -> String {
    guard let first = text.first, let second = text.dropFirst().first, !second.isUppercase else {
      return text
    }
    return first.lowercased() + text.dropFirst()
  }
}

/// Blocking HTTP and SMTP through libcurl, with SIGPIPE kept away from the process.
enum Curl {
  /// POSTs `body` to `url`; nothing in the answer is followed (no redirects).
  static func post(url: String, headers: [String], body: String, timeoutMs: Int64) -> CurlAnswer {
    var result = ctfs_curl_result()
    let bytes = Array(body.utf8)
    withCStrings(headers) { list in
      bytes.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { chars in
          _ = withoutSigpipe {
            ctfs_http_post(
              url, list.baseAddress, Int32(list.count), chars.baseAddress, chars.count,
              Int(timeoutMs), Int(connectLimit(timeoutMs)), &result)
          }
        }
      }
    }
    return CurlAnswer(&result)
  }

  /// The parts of one SMTP submission.
  struct Mail {
    var url: String
    var user: String? = nil
    var password: String? = nil
    var requireTLS: Bool
    var from: String
    var recipients: [String]
    var message: String
  }

  static func send(_ mail: Mail, timeoutMs: Int64) -> CurlAnswer {
    var result = ctfs_curl_result()
    let bytes = Array(mail.message.utf8)
    withCStrings(mail.recipients) { list in
      bytes.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { chars in
          _ = withoutSigpipe {
            ctfs_smtp_send(
              mail.url, mail.user, mail.password, mail.requireTLS ? 1 : 0, mail.from, list.baseAddress,
              Int32(list.count), chars.baseAddress, chars.count, Int(timeoutMs), Int(connectLimit(timeoutMs)),
              &result)
          }
        }
      }
    }
    return CurlAnswer(&result)
  }

  /// Connecting may take the whole limit up to 10 s; a peer that takes longer is down.
  static func connectLimit(_ timeoutMs: Int64) -> Int64 { max(1, min(timeoutMs, 10_000)) }

  /// Calls `body` with `strings` as a C array of C strings, freed afterwards.
  private static func withCStrings<R>(
    _ strings: [String], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> R
  ) -> R {
    let copies = strings.map { UnsafePointer(strdup($0)) }
    defer { copies.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
    return copies.withUnsafeBufferPointer(body)
  }
}

/// Runs `body` with SIGPIPE blocked in this thread, then discards a SIGPIPE it raised: writing
/// to a peer that has gone must be an error, not the end of the process. Other threads keep
/// their own dispositions (the CLI's default one, the daemon's `SIG_IGN`).
func withoutSigpipe<R>(_ body: () -> R) -> R {
  var pipeOnly = sigset_t()
  sigemptyset(&pipeOnly)
  sigaddset(&pipeOnly, SIGPIPE)
  var previous = sigset_t()
  pthread_sigmask(SIG_BLOCK, &pipeOnly, &previous)
  defer {
    var pending = sigset_t()
    sigpending(&pending)
    if sigismember(&pending, SIGPIPE) == 1 && sigismember(&previous, SIGPIPE) == 0 {
      var none = timespec()
      sigtimedwait(&pipeOnly, nil, &none)
    }
    pthread_sigmask(SIG_SETMASK, &previous, nil)
  }
  return body()
}
