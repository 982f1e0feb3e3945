import Foundation

/// An alert as an RFC 5322 mail: plain UTF-8 text, CRLF line endings, every header value on
/// one line (a title holding CR or LF cannot add headers).
public enum MailMessage {
  /// The whole message for `message`, sent at `nowMs` from `from` to `to`.
  public static func render(
    _ message: AlertMessage, from: String, to: [String], nowMs: Int64, zone: ZoneRules = .utc
  ) -> String {
    let subject = WebhookPayload.clipped(AlertText.subject(message), to: 200)
    let headers = [
      "From: " + AlertText.oneLine(from),
      "To: " + folded(to.map(AlertText.oneLine)),
      "Subject: " + encodedWords(subject, separator: "\r\n "),
      "Date: " + date(epochMs: nowMs, zone: zone),
      "Message-ID: " + messageID(message, nowMs: nowMs),
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: 8bit",
    ]
    let body = AlertText.body(message, style: .plain, zone: zone).split(
      separator: "\n", omittingEmptySubsequences: false
    ).flatMap { wrapped(String($0)) }
    return (headers + [""] + body).joined(separator: "\r\n") + "\r\n"
  }

  /// The address inside `Name <addr>`, or the text itself: what SMTP's `MAIL FROM` takes.
  public static func address(_ text: String) -> String {
    guard let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close else {
      return text.trimmingCharacters(in: .whitespaces)
    }
    return String(text[text.index(after: open)..<close])
  }

  /// `text` as is when it is printable ASCII, else as RFC 2047 `=?UTF-8?B?…?=` words of at
  /// most 75 characters, joined by `separator` (a folding `CRLF SP` in mail, a space in HTTP).
  public static func encodedWords(_ text: String, separator: String = " ") -> String {
    let flat = AlertText.oneLine(text)
    if flat.utf8.allSatisfy({ $0 < 0x80 }) { return flat }
    var words: [String] = []
    var chunk: [UInt8] = []
    for character in flat {
      let bytes = Array(character.utf8)
      // 45 bytes are 60 base64 characters: with `=?UTF-8?B?` and `?=`, 72 in all.
      if chunk.count + bytes.count > 45, !chunk.isEmpty {
        words.append(Data(chunk).base64EncodedString())
        chunk = []
      }
      chunk += bytes
    }
    if !chunk.isEmpty { words.append(Data(chunk).base64EncodedString()) }
    return words.map { "=?UTF-8?B?\($0)?=" }.joined(separator: separator)
  }

  /// `Sun, 10 Mar 2024 07:00:00 +0000`.
  public static func date(epochMs: Int64, zone: ZoneRules) -> String {
    let t = Times.seconds(epochMs)
    let offset = zone.offset(at: t)
    let local = t + offset
    let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((days % 7) + 7) % 7)]
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    let c = CivilTime(seconds: local)
    func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    let a = Int(abs(offset))
    let zoneText = (offset < 0 ? "-" : "+") + two(a / 3600) + two(a / 60 % 60)
    return "\(weekday), \(c.day) \(months[c.month - 1]) \(c.year) "
      + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) \(zoneText)"
  }

  /// `<tfs.<first alert id>.<ms>.<channel>@<host>>`: unique per alert, channel and attempt.
  static func messageID(_ message: AlertMessage, nowMs: Int64) -> String {
    func token(_ s: String) -> String {
      let kept = s.unicodeScalars.filter {
        $0.isASCII && ($0.properties.isAlphabetic || "0123456789.-_".unicodeScalars.contains($0))
      }
      return kept.isEmpty ? "x" : String(String.UnicodeScalarView(kept))
    }
    let id = message.alerts.first.map { String($0.id) } ?? "0"
    return "<tfs.\(id).\(nowMs).\(token(message.channel))@\(token(message.host))>"
  }

  /// Addresses joined by `, `, folded onto a new line before one that would pass 78 characters.
  static func folded(_ addresses: [String]) -> String {
    var out = ""
    var width = 4  // "To: "
    for (i, address) in addresses.enumerated() {
      if i > 0 {
        let fits = width + 2 + address.count <= 78
        out += fits ? ", " : ",\r\n "
        width = fits ? width + 2 : 1
      }
      out += address
      width += address.count
    }
    return out
  }

  /// `line` cut into pieces of at most 998 bytes (the limit of a mail line), at characters.
  static func wrapped(_ line: String) -> [String] {
    guard line.utf8.count > 998 else { return [line] }
    var pieces: [String] = []
    var current = ""
    var size = 0
    for character in line {
      let n = character.utf8.count
      if size + n > 998 {
        pieces.append(current)
        (current, size) = ("", 0)
      }
      current.append(character)
      size += n
    }
    pieces.append(current)
    return pieces
  }
}
