import Foundation
import TFSCore
import TFSTestSupport
import Testing

/// One invalid input: the arguments (`$DIR` = the case's temp folder) and what stderr must name.
struct BadInput: CustomTestStringConvertible, Sendable {
  let args: [String]
  let message: String
  var stdin: String? = nil

  var testDescription: String { args.joined(separator: " ") }
}

private let rule = ["--rule", "* * * * * *"]
private let longName = String(repeating: "n", count: 129)

/// Every row: exit 64, one line on stderr naming the problem, the database byte-for-byte unchanged.
private let badInputs: [BadInput] = [
  // Names
  BadInput(
    args: ["add", "../x"] + rule, message: "invalid task name '../x': '..' is not allowed as a segment"),
  BadInput(args: ["add", "/abs"] + rule, message: "invalid task name '/abs': it must be relative"),
  BadInput(args: ["add", "a//b"] + rule, message: "invalid task name 'a//b': it has an empty segment"),
  BadInput(args: ["add", ""] + rule, message: "invalid task name '': it is empty"),
  BadInput(
    args: ["add", "a/b/c/d"] + rule, message: "invalid task name 'a/b/c/d': it has more than 3 segments"),
  BadInput(args: ["add", "has space"] + rule, message: "invalid task name 'has space': ' ' is not allowed"),
  BadInput(args: ["add", longName] + rule, message: "it is longer than 128 characters"),
  BadInput(args: ["add", "."] + rule, message: "invalid task name '.': '.' is not allowed as a segment"),
  BadInput(args: ["add", "a/../b"] + rule, message: "invalid task name 'a/../b'"),
  BadInput(
    args: ["add", "tab\tname"] + rule, message: "invalid task name 'tab\tname': '\\t' is not allowed"),
  BadInput(args: ["show", "../ok"], message: "invalid task name '../ok'"),
  BadInput(
    args: ["add", "--rule", "* * * * * *", "--", "-x"],
    message: "invalid task name '-x': '-x' starts with '-', which reads as an option"),
  BadInput(args: ["add", "a/-b"] + rule, message: "invalid task name 'a/-b': '-b' starts with '-'"),
  BadInput(args: ["modify", "/etc/ok", "--title", "x"], message: "invalid task name '/etc/ok'"),
  BadInput(args: ["remove", "a//"], message: "invalid task name 'a//'"),
  BadInput(args: ["enable", ".."], message: "invalid task name '..'"),
  BadInput(args: ["disable", "x y"], message: "invalid task name 'x y'"),
  // Rules
  BadInput(
    args: ["add", "x", "--rule", "0 61 * * * *"],
    message: "invalid rule '0 61 * * * *': minute field: '61' is out of range 0-59"),
  BadInput(
    args: ["add", "x", "--rule", "55-5 * * * * *"], message: "invalid rule '55-5 * * * * *': second field"),
  BadInput(args: ["add", "x", "--rule", "0 0 30 2 *"], message: "invalid rule '0 0 30 2 *'"),
  BadInput(args: ["add", "x", "--rule", "* * *"], message: "invalid rule '* * *'"),
  BadInput(args: ["add", "x", "--rule", "@fortnightly"], message: "invalid rule '@fortnightly'"),
  BadInput(args: ["add", "x"], message: "missing --rule for task 'x'"),
  BadInput(
    args: ["modify", "ok", "--rule", "* * * 32 * *"],
    message: "invalid rule '* * * 32 * *': day-of-month field"),
  BadInput(args: ["next", "0 0 25 13 *"], message: "invalid rule '0 0 25 13 *': month field"),
  // Durations
  BadInput(args: ["add", "x", "--timeout", "5"] + rule, message: "invalid duration '5'"),
  BadInput(args: ["add", "x", "--timeout", "1x"] + rule, message: "invalid duration '1x'"),
  BadInput(args: ["modify", "ok", "--retry-delay=-1s"], message: "invalid duration '-1s'"),
  BadInput(args: ["modify", "ok", "--jitter", "1.5s"], message: "invalid duration '1.5s'"),
  BadInput(args: ["modify", "ok", "--catch-up-window", "10"], message: "invalid duration '10'"),
  BadInput(
    args: ["add", "x", "--timeout", "999999999999d"] + rule, message: "invalid duration '999999999999d'"),
  BadInput(args: ["prune", "--older-than", "3"], message: "invalid duration '3'"),
  // Time zones and times
  BadInput(args: ["add", "x", "--tz", "Mars/Phobos"] + rule, message: "unknown time zone 'Mars/Phobos'"),
  BadInput(args: ["modify", "ok", "--tz", "utc"], message: "unknown time zone 'utc'"),
  BadInput(args: ["modify", "ok", "--tz", ""], message: "unknown time zone ''"),
  BadInput(args: ["next", "* * * * *", "--tz", "Nowhere"], message: "unknown time zone 'Nowhere'"),
  BadInput(args: ["next", "* * * * *", "--from", "yesterday"], message: "invalid time 'yesterday'"),
  BadInput(args: ["list", "--now", "2024-02-30"], message: "invalid time '2024-02-30'"),
  // Enum values
  BadInput(
    args: ["modify", "ok", "--overlap", "sometimes"],
    message: "invalid --overlap 'sometimes'; use skip|queue|replace|allow"),
  BadInput(args: ["modify", "ok", "--on-timeout", "explode"], message: "invalid --on-timeout 'explode'"),
  BadInput(args: ["add", "x", "--catch-up", "maybe"] + rule, message: "invalid --catch-up 'maybe'"),
  // Environment
  BadInput(args: ["modify", "ok", "--env", "=x"], message: "invalid environment variable name ''"),
  BadInput(args: ["modify", "ok", "--env", "1A=2"], message: "invalid environment variable name '1A'"),
  BadInput(args: ["modify", "ok", "--env", "NOEQUALS"], message: "invalid environment entry 'NOEQUALS'"),
  BadInput(args: ["modify", "ok", "--unset-env", "A-B"], message: "invalid environment variable name 'A-B'"),
  // Entry paths leaving the task folder (evil → /etc/passwd, out → outside the home; made in setUp)
  BadInput(args: ["add", "x", "--entry", "../x"] + rule, message: "invalid entry '../x'"),
  BadInput(args: ["add", "x", "--entry", "/etc/passwd"] + rule, message: "invalid entry '/etc/passwd'"),
  BadInput(args: ["add", "x", "--entry", "a/../../x"] + rule, message: "invalid entry 'a/../../x'"),
  BadInput(
    args: ["modify", "ok", "--entry", "evil"], message: "invalid entry 'evil': it leads outside"),
  BadInput(
    args: ["modify", "ok", "--entry", "out/there.sh"],
    message: "invalid entry 'out/there.sh': it leads outside"),
  BadInput(
    args: ["add", "fresh", "--entry", "evil"] + rule, message: "invalid entry 'evil': it leads outside"),
  BadInput(
    args: ["add", "linked"] + rule, message: "task folder '$DIR/home/tasks/linked' leads outside"),
  // Settings
  BadInput(
    args: ["config", "set", "bogus", "1"], message: "unknown setting 'bogus'; settings are task-root"),
  BadInput(args: ["config", "get", "bogus"], message: "unknown setting 'bogus'"),
  BadInput(args: ["config", "unset", "Retention"], message: "unknown setting 'Retention'"),
  BadInput(args: ["config", "set", "retention", "forever"], message: "invalid duration 'forever'"),
  BadInput(
    args: ["config", "set", "max-parallel", "lots"], message: "invalid value 'lots' for max-parallel"),
  BadInput(
    args: ["config", "set", "webhook-url", "ftp://x"],
    message: "setting 'webhook-url' was replaced by alert channels"),
  BadInput(
    args: ["config", "set", "task-root", "rel/path"], message: "invalid value 'rel/path' for task-root"),
  BadInput(args: ["config", "set", "log-max", "10XB"], message: "invalid size '10XB'"),
  BadInput(args: ["config", "set", "mail-from", "nobody"], message: "invalid value 'nobody' for mail-from"),
  BadInput(args: ["config", "set", "timezone", "Not/AZone"], message: "unknown time zone 'Not/AZone'"),
  BadInput(args: ["config", "set", "default-entry", "../x"], message: "invalid entry '../x'"),
  BadInput(args: ["config", "set", "default-command", "'open"], message: "invalid command ''open'"),
  BadInput(args: ["config", "set", "notify", "not an address"], message: "invalid owner 'not an address'"),
  // Numbers, text, owners, commands
  BadInput(
    args: ["modify", "ok", "--retries=-1"], message: "invalid --retries '-1'; use a whole number 0-100"),
  BadInput(args: ["modify", "ok", "--retries", "101"], message: "invalid --retries '101'"),
  BadInput(args: ["modify", "ok", "--retries", "many"], message: "invalid --retries 'many'"),
  BadInput(
    args: ["modify", "ok", "--title", String(repeating: "t", count: 257)],
    message: "title is longer than 256 characters"),
  BadInput(
    args: ["modify", "ok", "--description", String(repeating: "d", count: 4097)],
    message: "description is longer than 4096 characters"),
  BadInput(args: ["modify", "ok", "--owner", "root"], message: "invalid owner 'root'"),
  BadInput(args: ["modify", "ok", "--command", "node \"unclosed"], message: "unterminated double quote"),
  BadInput(args: ["next", "ok", "-n", "0"], message: "invalid -n '0'"),
  BadInput(args: ["prune", "--keep", "x"], message: "invalid --keep 'x'"),
  // Alert policy and channels
  BadInput(args: ["modify", "ok", "--alert-after", "0"], message: "invalid --alert-after '0'"),
  BadInput(
    args: ["modify", "ok", "--alert-on", "enabled"],
    message: "invalid --alert-on 'enabled': not an alert type"),
  BadInput(args: ["modify", "ok", "--realert", "soon"], message: "invalid duration 'soon'"),
  BadInput(args: ["channel", "add", "x"], message: "give exactly one of --command, --webhook or --email"),
  BadInput(
    args: ["channel", "add", "x", "--command", "true", "--webhook", "https://h/x"],
    message: "give exactly one of --command, --webhook or --email"),
  BadInput(
    args: ["channel", "add", "bad name", "--command", "true"], message: "invalid channel name 'bad name'"),
  BadInput(
    args: ["channel", "add", "x", "--webhook", "ftp://h/x"], message: "invalid --webhook 'ftp://h/"),
  BadInput(args: ["channel", "add", "x", "--webhook", "env:"], message: "invalid --webhook 'env:'"),
  BadInput(
    args: ["channel", "add", "x", "--webhook", "https://h/x", "--preset", "mattermost"],
    message: "invalid --preset 'mattermost'"),
  BadInput(
    args: ["channel", "add", "x", "--webhook", "https://h/x", "--header", "no colon"],
    message: "invalid --header"),
  BadInput(
    args: ["channel", "add", "x", "--command", "true", "--on", "bogus"], message: "invalid --on 'bogus'"),
  BadInput(
    args: ["channel", "add", "x", "--command", "true", "--preset", "slack"],
    message: "apply to --webhook only"),
  BadInput(
    args: ["channel", "add", "x", "--email", "ops@x"],
    message: "--email needs one of --smtp URL or --sendmail CMD"),
  BadInput(
    args: ["channel", "add", "x", "--email", "nobody", "--sendmail", "msmtp -t"],
    message: "invalid --email 'nobody'"),
  BadInput(
    args: ["channel", "add", "x", "--email", "ops@x", "--smtp", "http://mail:25"], message: "invalid --smtp"),
  BadInput(args: ["channel", "test", "x", "--type", "nope"], message: "invalid --type 'nope'"),
  BadInput(
    args: ["channel", "add", "x", "--email", "ops@x", "--sendmail", "msmtp -t", "--smtp-password", "pw"],
    message: "--smtp-password applies to --smtp only"),
  BadInput(
    args: ["channel", "add", "x", "--email", "ops@x", "--sendmail", "msmtp -t", "--smtp", "smtp://h"],
    message: "give only one of --smtp URL or --sendmail CMD"),
  BadInput(
    args: ["channel", "add", "x", "--email", "", "--sendmail", "msmtp -t"], message: "invalid --email ''"),
  BadInput(
    args: ["channel", "add", "x", "--webhook", "https://h/x", "--header", "X-Token: env:"],
    message: "invalid --header 'env:': empty reference"),
  BadInput(args: ["config", "set", "mail-from", "a@b\nBcc: c@d"], message: "invalid value"),
  // Values starting with '-' reach validation and are named (ArgumentParser took `-1` for an
  // option and printed its usage block: a missing value, several lines)
  BadInput(
    args: ["config", "set", "max-parallel", "-1"], message: "invalid value '-1' for max-parallel"),
  BadInput(args: ["config", "set", "retention", "-5d"], message: "invalid duration '-5d'"),
  BadInput(args: ["config", "set", "alert-interval", "-10m"], message: "invalid duration '-10m'"),
  BadInput(args: ["config", "set", "log-max", "-1MiB"], message: "invalid size '-1MiB'"),
  BadInput(args: ["config", "set", "timezone", "-05:00"], message: "unknown time zone '-05:00'"),
  BadInput(args: ["config", "set", "task-root", "-x"], message: "invalid value '-x' for task-root"),
  BadInput(args: ["config", "set", "mail-from", "-x"], message: "invalid value '-x' for mail-from"),
  BadInput(args: ["config", "set", "notify", "-x"], message: "invalid owner '-x'"),
  BadInput(args: ["add", "x", "--timeout", "-5s"] + rule, message: "invalid duration '-5s'"),
  BadInput(args: ["add", "x", "--retries", "-1"] + rule, message: "invalid --retries '-1'"),
  BadInput(args: ["add", "x", "--rule", "-1"], message: "invalid rule '-1'"),
  BadInput(
    args: ["modify", "ok", "--retries", "-1"], message: "invalid --retries '-1'; use a whole number 0-100"),
  BadInput(args: ["modify", "ok", "--jitter", "-1s"], message: "invalid duration '-1s'"),
  BadInput(args: ["modify", "ok", "--retry-delay", "-1s"], message: "invalid duration '-1s'"),
  BadInput(args: ["modify", "ok", "--catch-up-window", "-1h"], message: "invalid duration '-1h'"),
  BadInput(args: ["modify", "ok", "--realert", "-5m"], message: "invalid duration '-5m'"),
  BadInput(args: ["modify", "ok", "--timeout", "-1"], message: "invalid duration '-1'"),
  BadInput(args: ["modify", "ok", "--alert-after", "-1"], message: "invalid --alert-after '-1'"),
  BadInput(args: ["modify", "ok", "--tz", "-05:00"], message: "unknown time zone '-05:00'"),
  BadInput(args: ["modify", "ok", "--overlap", "-x"], message: "invalid --overlap '-x'"),
  BadInput(args: ["modify", "ok", "--on-timeout", "-x"], message: "invalid --on-timeout '-x'"),
  BadInput(args: ["modify", "ok", "--catch-up", "-1"], message: "invalid --catch-up '-1'"),
  BadInput(args: ["modify", "ok", "--owner", "-x"], message: "invalid owner '-x'"),
  BadInput(args: ["modify", "ok", "--env", "-x"], message: "invalid environment entry '-x'"),
  BadInput(args: ["modify", "ok", "--unset-env", "-x"], message: "invalid environment variable name '-x'"),
  BadInput(args: ["modify", "ok", "--rule", "-x"], message: "invalid rule '-x'"),
  BadInput(args: ["modify", "ok", "--alert-on", "-x"], message: "invalid --alert-on '-x'"),
  BadInput(args: ["prune", "--keep", "-1"], message: "invalid --keep '-1'; use a whole number ≥ 0"),
  BadInput(args: ["prune", "--older-than", "-1d"], message: "invalid duration '-1d'"),
  BadInput(args: ["history", "--limit", "-3"], message: "invalid --limit '-3'; use a number of runs"),
  BadInput(args: ["history", "--since", "-2h"], message: "invalid time '-2h'"),
  BadInput(args: ["history", "--until", "-1d"], message: "invalid time '-1d'"),
  BadInput(args: ["history", "--status", "-x"], message: "invalid --status '-x'"),
  BadInput(args: ["history", "--trigger", "-x"], message: "invalid --trigger '-x'"),
  BadInput(args: ["history", "--exit-code", "-x"], message: "invalid --exit-code '-x'"),
  BadInput(args: ["events", "--limit", "-3"], message: "invalid --limit '-3'; use a number of events"),
  BadInput(args: ["events", "--type", "-x"], message: "invalid --type '-x'"),
  BadInput(args: ["events", "--since", "-3d"], message: "invalid time '-3d'"),
  BadInput(args: ["logs", "ok", "--tail", "-2"], message: "invalid --tail '-2'"),
  BadInput(args: ["next", "* * * * *", "-n", "-1"], message: "invalid -n '-1'; use 1-100000"),
  BadInput(args: ["next", "* * * * *", "--tz", "-x"], message: "unknown time zone '-x'"),
  BadInput(args: ["next", "* * * * *", "--from", "-1h"], message: "invalid time '-1h'"),
  BadInput(args: ["kill", "ok", "--run", "-1"], message: "invalid --run '-1'; use a run id"),
  BadInput(args: ["kill", "ok", "--signal", "-9"], message: "invalid --signal '-9'"),
  BadInput(args: ["kill", "ok", "--grace", "-1s"], message: "invalid duration '-1s'"),
  BadInput(args: ["daemon", "--shutdown-grace", "-1s"], message: "invalid duration '-1s'"),
  BadInput(args: ["daemon", "--log-format", "-x"], message: "invalid --log-format '-x'; use text|json"),
  BadInput(args: ["daemon", "--alert-retry-base", "-5s"], message: "invalid duration '-5s'"),
  BadInput(
    args: ["daemon", "--clock-offset-file", "-no-such-file"],
    message: "invalid --clock-offset-file '-no-such-file': it must hold milliseconds"),
  BadInput(args: ["list", "--now", "-1d"], message: "invalid time '-1d'"),
  BadInput(args: ["channel", "test", "x", "--type", "-1"], message: "invalid --type '-1'"),
  BadInput(args: ["channel", "add", "x", "--command", "true", "--on", "-x"], message: "invalid --on '-x'"),
  BadInput(
    args: ["channel", "add", "x", "--email", "-x", "--sendmail", "msmtp -t"], message: "invalid --email '-x'"),
  BadInput(args: ["channel", "add", "x", "--webhook", "-x"], message: "invalid --webhook"),
  // add checks the flags it shares with modify before anything is written
  BadInput(args: ["add", "x", "--command", "'open"] + rule, message: "invalid --command ''open'"),
  BadInput(args: ["add", "x", "--title", "a\rb"] + rule, message: "invalid title 'a\\rb'"),
  BadInput(
    args: ["add", "x", "--description", String(repeating: "d", count: 4097)] + rule,
    message: "description is longer than 4096 characters"),
  BadInput(args: ["add", "x", "--owner", "nobody"] + rule, message: "invalid owner 'nobody'"),
  BadInput(args: ["add", "x", "--on-timeout", "-1"] + rule, message: "invalid --on-timeout '-1'"),
  BadInput(args: ["add", "x", "--overlap", "never"] + rule, message: "invalid --overlap 'never'"),
  BadInput(args: ["add", "x", "--catch-up-window", "-2h"] + rule, message: "invalid duration '-2h'"),
  BadInput(args: ["add", "x", "--retry-delay", "-1ms"] + rule, message: "invalid duration '-1ms'"),
  BadInput(args: ["add", "x", "--jitter", "-30s"] + rule, message: "invalid duration '-30s'"),
  BadInput(args: ["add", "x", "--env", "-A=1"] + rule, message: "invalid environment variable name '-A'"),
  BadInput(args: ["add", "x", "--unset-env", ""] + rule, message: "invalid environment variable name ''"),
  BadInput(args: ["add", "x", "--alert-after", "-2"] + rule, message: "invalid --alert-after '-2'"),
  BadInput(args: ["add", "x", "--realert", "-1h"] + rule, message: "invalid duration '-1h'"),
  BadInput(args: ["add", "x", "--alert-on", "-failed"] + rule, message: "invalid --alert-on '-failed'"),
  // What ArgumentParser itself rejects: one line too, pointing at the command's help
  BadInput(args: ["bogus"], message: "unexpected argument 'bogus'; see 'tfs --help'"),
  BadInput(args: ["add"], message: "missing expected argument '<name>'; see 'tfs add --help'"),
  BadInput(args: ["add", "x", "--rule"], message: "missing value for '--rule <rule>'; see 'tfs add --help'"),
  BadInput(args: ["status", "--bogus"], message: "unknown option '--bogus'; see 'tfs status --help'"),
  BadInput(args: ["init", "extra"], message: "unexpected argument 'extra'; see 'tfs init --help'"),
  BadInput(
    args: ["config", "list", "extra"], message: "unexpected argument 'extra'; see 'tfs config list --help'"),
  BadInput(
    args: ["channel", "list", "--bogus"], message: "unknown option '--bogus'; see 'tfs channel list --help'"),
  BadInput(
    args: ["channel", "test"], message: "missing expected argument '<name>'; see 'tfs channel test --help'"),
  BadInput(
    args: ["config", "set"], message: "missing expected argument '<key>'; see 'tfs config set --help'"),
  BadInput(
    args: ["config", "set", "max-parallel"],
    message: "missing value for max-parallel; use 'tfs config set max-parallel VALUE'"),
  BadInput(args: ["config", "set", "max-parallel", "1", "2"], message: "unexpected argument '2'"),
  BadInput(
    args: ["kill", "ok", "--run", "abc"], message: "invalid --run 'abc'; use a run id from 'tfs history ok'"),
  BadInput(args: ["kill", "ok", "--run", "0"], message: "invalid --run '0'"),
  BadInput(args: ["next", "* * * * *", "-n", "x"], message: "invalid -n 'x'"),
  BadInput(
    args: ["import", "crontab", "-", "extra"],
    message: "unexpected argument 'extra'; see 'tfs import crontab --help'",
    stdin: "* * * * * x\n"),
  // Every other command and flag
  BadInput(args: ["list", "--home", ""], message: "invalid --home '': it is empty"),
  // Clusters
  BadInput(args: ["list", "--database", ""], message: "invalid --database '': it is empty"),
  BadInput(
    args: ["list", "--database", "mysql://u:secret@h/db"],
    message: "invalid --database 'mysql://u:***@h/db': use postgres://user@host:port/db"),
  BadInput(args: ["nodes"], message: "'tfs nodes' lists a cluster's nodes: pass --database"),
  BadInput(
    args: ["migrate-store", "--to", "sqlite:///x"], message: "invalid --to 'sqlite:///x': use postgres://"),
  BadInput(args: ["migrate-store"], message: "missing expected argument '--to <url>'"),
  BadInput(args: ["daemon", "--node", "a b"], message: "invalid --node 'a b': use letters, digits"),
  BadInput(args: ["daemon", "--label", "-gpu"], message: "invalid --label '-gpu': use letters, digits"),
  BadInput(args: ["add", "x", "--on-node", "a/b"] + rule, message: "invalid --on-node 'a/b': use letters"),
  BadInput(args: ["modify", "ok", "--on-label", "-x"], message: "invalid --on-label '-x': use letters"),
  BadInput(
    args: ["add", "x", "--rerun-lost", "maybe"] + rule, message: "invalid --rerun-lost 'maybe'; use yes|no"),
  BadInput(args: ["add", "x", "--on-label", "a b"] + rule, message: "invalid --on-label 'a b': use letters"),
  BadInput(args: ["modify", "ok", "--on-node", "-n"], message: "invalid --on-node '-n': use letters"),
  BadInput(args: ["modify", "ok", "--rerun-lost", "1"], message: "invalid --rerun-lost '1'; use yes|no"),
  BadInput(
    args: ["modify", "ok", "--title", "two\nlines"],
    message: "invalid title 'two\\nlines': it must be one line"),
  BadInput(args: ["modify", "ok", "--command", ""], message: "invalid --command '': it is empty"),
  BadInput(args: ["modify", "ok", "--entry", ""], message: "invalid entry '': it is empty"),
  BadInput(args: ["show", ""], message: "invalid task name '': it is empty"),
  BadInput(args: ["run", "../x"], message: "invalid task name '../x'"),
  BadInput(args: ["kill", "../x"], message: "invalid task name '../x'"),
  BadInput(
    args: ["kill", "ok", "--signal", "BOGUS"], message: "invalid --signal 'BOGUS'; use TERM, INT, HUP, KILL"),
  BadInput(args: ["kill", "ok", "--grace", "5"], message: "invalid duration '5'"),
  BadInput(args: ["logs", "../x"], message: "invalid task name '../x'"),
  BadInput(args: ["logs", "ok", "--tail", "x"], message: "invalid --tail 'x'; use a number of lines"),
  BadInput(args: ["history", "../x"], message: "invalid task name '../x'"),
  BadInput(args: ["history", "--status", "bogus"], message: "invalid --status 'bogus'"),
  BadInput(args: ["history", "--trigger", "bogus"], message: "invalid --trigger 'bogus'"),
  BadInput(args: ["history", "--exit-code", "99999999999"], message: "invalid --exit-code '99999999999'"),
  BadInput(
    args: ["history", "--since", "2024-02-01", "--until", "2024-01-01"],
    message: "--since '2024-02-01' is not before --until '2024-01-01'"),
  BadInput(args: ["history", "--files"], message: "--files needs a task name"),
  BadInput(
    args: ["history", "ok", "--files", "--limit", "3"], message: "--limit cannot be combined with --files"),
  BadInput(
    args: ["history", "ok", "5"], message: "unexpected argument '5'; a run is only given with --files"),
  BadInput(args: ["events", "../x"], message: "invalid task name '../x'"),
  BadInput(args: ["events", "--type", "bogus"], message: "invalid --type 'bogus'"),
  BadInput(args: ["events", "--since", "x"], message: "invalid time 'x'"),
  BadInput(args: ["next", "ok", "-n", "100001"], message: "invalid -n '100001'"),
  BadInput(args: ["next", "* * * * *", "--from", "99999-01-01"], message: "invalid time '99999-01-01'"),
  BadInput(args: ["daemon", "--log-format", "xml"], message: "invalid --log-format 'xml'"),
  BadInput(args: ["daemon", "--shutdown-grace", "5"], message: "invalid duration '5'"),
  BadInput(args: ["prune", "--keep", "1.5"], message: "invalid --keep '1.5'"),
  BadInput(args: ["prune", "--older-than", "0"], message: "invalid duration '0'"),
  BadInput(args: ["config", "set", "max-parallel", "1.5"], message: "invalid value '1.5' for max-parallel"),
  BadInput(args: ["config", "set", "alert-interval", "0"], message: "invalid duration '0'"),
  BadInput(args: ["config", "set", "log-max", "0"], message: "invalid size '0'"),
  BadInput(
    args: ["config", "set", "notify", ""],
    message: "invalid value '' for notify: name at least one address; 'tfs config unset notify' removes them"),
  BadInput(args: ["config", "get", ""], message: "unknown setting ''"),
  BadInput(args: ["channel", "show", "bad name"], message: "invalid channel name 'bad name'"),
  BadInput(args: ["channel", "remove", "bad name"], message: "invalid channel name 'bad name'"),
  BadInput(args: ["channel", "test", "bad name"], message: "invalid channel name 'bad name'"),
  BadInput(args: ["channel", "add", "", "--command", "true"], message: "invalid channel name ''"),
  BadInput(
    args: ["channel", "add", "x", "--command", "   "], message: "invalid --command '   ': it is empty"),
  BadInput(
    args: ["channel", "add", "x", "--email", "ops@x", "--sendmail", ""],
    message: "invalid --sendmail '': it is empty"),
  BadInput(args: ["channel", "add", "x", "--command", "true", "--tasks", ""], message: "invalid --tasks ''"),
  BadInput(
    args: ["channel", "add", "x", "--email", "ops@x", "--smtp", "smtp://h", "--smtp-password", "env:"],
    message: "invalid --smtp-password 'env:': empty reference"),
  BadInput(
    args: ["channel", "add", "x", "--webhook", "file:"], message: "invalid --webhook 'file:': empty reference"
  ),
  // Imports
  BadInput(
    args: ["import", "crontab", "-"], message: "crontab line 2: invalid rule '61 * * * *': minute field",
    stdin: "0 1 * * * fine\n61 * * * * bad\n"),
  BadInput(
    args: ["import", "crontab"],
    message: "crontab line 1: 'garbage' is not a job (5 time fields and a command), a comment or NAME=value;"
      + " crontab line 3: invalid rule '61 * * * *'",
    stdin: "garbage\n* * * * * ok\n61 * * * * x\n"),
  BadInput(
    args: ["import", "crontab", "--prefix", "a/b/c"], message: "invalid task name 'a/b/c/x'",
    stdin: "* * * * * x\n"),
  BadInput(
    args: ["import", "crontab", "--prefix", "../up"], message: "invalid task name '../up/x'",
    stdin: "* * * * * x\n"),
  BadInput(
    args: ["import", "crontab"], message: "crontab line 2: invalid rule '61 * * * *'",
    stdin: "0 1 * * * fine\r\n61 * * * * bad\r\n"),
  BadInput(
    args: ["import", "crontab"], message: "crontab line 1: SHELL 'sh' must be an absolute path",
    stdin: "SHELL=sh\n"),
  BadInput(
    args: ["import", "crontab"], message: "crontab line 1: unknown time zone 'Mars/X'",
    stdin: "CRON_TZ=Mars/X\n* * * * * x\n"),
  BadInput(
    args: ["import", "crontab"], message: "crontab line 1: no command after the schedule",
    stdin: "* * * * *\n"),
  BadInput(
    args: ["import", "crontab"], message: "crontab line 1: 'garbage' is not a job", stdin: "garbage\n"),
  BadInput(
    args: ["import", "crontab", "--prefix", ""], message: "invalid task name '/x'", stdin: "* * * * * x\n"),
  BadInput(
    args: ["import", "crontab", "--system"], message: "crontab line 1: invalid user 'bad:user'",
    stdin: "* * * * * bad:user /srv/x.sh\n"),
  BadInput(
    args: ["import", "crontab", "--system"], message: "crontab line 1: no command after the schedule",
    stdin: "* * * * * root\n"),
  // Retention and user
  BadInput(
    args: ["add", "x", "--keep", "0"] + rule, message: "invalid --keep '0'; use a whole number 1-1000000"),
  BadInput(args: ["add", "x", "--keep", "many"] + rule, message: "invalid --keep 'many'"),
  BadInput(args: ["modify", "ok", "--keep", "-1"], message: "invalid --keep '-1'"),
  BadInput(args: ["add", "x", "--keep-for", "5 parsecs"] + rule, message: "invalid duration '5 parsecs'"),
  BadInput(args: ["modify", "ok", "--keep-for", "-1d"], message: "invalid duration '-1d'"),
  BadInput(args: ["add", "x", "--user", "-root"] + rule, message: "invalid user '-root'"),
  BadInput(args: ["modify", "ok", "--user", "a b"], message: "invalid user 'a b'"),
  BadInput(
    args: ["modify", "ok", "--user", String(repeating: "u", count: 33)], message: "invalid user 'uuu"),
  BadInput(args: ["next", "--limit", "0"], message: "invalid --limit '0'; use a whole number ≥ 1"),
  BadInput(args: ["next", "--limit", "-3"], message: "invalid --limit '-3'"),
  BadInput(args: ["next", "ok", "--limit", "2"], message: "--limit and --all list every task"),
  BadInput(args: ["next", "--all", "--tz", "Mars/Base"], message: "unknown time zone 'Mars/Base'"),
  BadInput(args: ["logs", "ok", "1", "-F"], message: "-F follows the task's runs; drop the run '1'"),
  BadInput(args: ["top", "--count", "0"], message: "invalid --count '0'; use a whole number ≥ 1"),
  BadInput(args: ["top", "--count", "-2"], message: "invalid --count '-2'"),
  BadInput(
    args: ["status", "--watch", "--check"], message: "--watch shows the live view; drop --check and --json"),
  // Task files
  BadInput(args: ["export", "../x"], message: "invalid task name '../x'"),
  BadInput(args: ["edit", "a//b"], message: "invalid task name 'a//b'"),
  BadInput(args: ["apply", "$DIR/none.toml"], message: "cannot read '$DIR/none.toml'"),
  BadInput(args: ["apply", "-", "--prune", "../x"], message: "invalid task name '../x'", stdin: ""),
  BadInput(args: ["apply", "-", "ok"], message: "unexpected 'ok'; a prefix goes with --prune", stdin: ""),
  BadInput(
    args: ["apply", "-", "--dry-run"], message: "stdin:2: task 'ok': invalid rule '61 * * * *'",
    stdin: "[[task]]\nrule = '61 * * * *'\nname = 'ok'\n"),
  BadInput(
    args: ["apply", "-"], message: "stdin:4: duplicate key 'name' (first set on line 2)",
    stdin: "[[task]]\nname = 'ok'\nrule = '@daily'\nname = 'other'\n"),
  BadInput(
    args: ["apply", "-"], message: "stdin:3: task 'ok': unknown field 'tz'; write 'timezone'",
    stdin: "[[task]]\nname = 'ok'\ntz = 'UTC'\nrule = '@daily'\n"),
  BadInput(
    args: ["apply", "-"],
    message: "stdin:4: task 'ok': invalid entry '../x': '..' would leave the task folder",
    stdin: "[[task]]\nname = 'ok'\nrule = '@daily'\nentry = '../x'\n"),
  BadInput(
    args: ["apply", "-", "--prune"], message: "stdin:4: unterminated string",
    stdin: "[[task]]\nname = 'ok'\nrule = '@daily'\ntitle = \"oops\n"),
]

/// A home with task `ok`, made once per test process and copied per case. Swift Testing has no
/// suite teardown, so the folder is named after our pid and a later run removes stale ones.
private let template: Result<TempDir, any Error> = Result {
  removeStaleTemplates()
  let dir = TempDir("tfs-bad-template-\(getpid())")
  let s = TFSBinary(home: dir.path + "/home")
  dir.write("home/tasks/ok/run.sh", "#!/bin/sh\ntrue\n", executable: true)
  let add = try s.run(["add", "ok", "--rule", "@daily"])
  guard add.status == 0 else { throw ScenarioError.command("add ok", add) }
  return dir
}

@Suite(.timeLimit(.minutes(3)))
struct BadInputTests {
  @Test func theTableIsBigEnough() {
    #expect(badInputs.count >= 200)
  }

  /// Every command has a row; every option taking a value has one and parses unconditionally
  /// (so `--retries -1` reaches validation and is named, instead of `-1` being taken for an
  /// option); every setting has a `config set` row.
  @Test func everyCommandFlagAndSettingHasARow() throws {
    let dir = TempDir("tfs-help")
    defer { dir.remove() }
    let out = try TFSBinary(home: dir.path).run(["--experimental-dump-help"])
    let help = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
    let commands = leafCommands(try #require(help["command"] as? [String: Any]), path: [])
    #expect(commands.count >= 25)
    for (path, options) in commands {
      let command = (["tfs"] + path).joined(separator: " ")
      let rows = badInputs.filter { $0.args.starts(with: path) }
      #expect(!rows.isEmpty, "no row for \(command)")
      for flags in options where !flags.contains("--workdir") {
        let global = flags.contains("--home") || flags.contains("--now") || flags.contains("--database")
        #expect(
          (global ? badInputs : rows).contains { row in
            row.args.contains { arg in flags.contains { arg == $0 || arg.hasPrefix($0 + "=") } }
          }, "no row for \(command) \(flags[0])")
      }
    }
    for setting in Setting.allCases {
      #expect(
        badInputs.contains { $0.args.starts(with: ["config", "set", setting.rawValue]) },
        "no row sets \(setting.rawValue)")
    }
  }

  @Test(arguments: badInputs)
  func rejected(_ input: BadInput) throws {
    let source = try template.get()
    let dir = TempDir("tfs-bad")
    defer { dir.remove() }
    try FileManager.default.removeItem(atPath: dir.path)
    try FileManager.default.copyItem(atPath: source.path, toPath: dir.path)
    let home = dir.path + "/home"
    let fm = FileManager.default
    try fm.createSymbolicLink(atPath: home + "/tasks/ok/evil", withDestinationPath: "/etc/passwd")
    try fm.createDirectory(atPath: dir.path + "/outside", withIntermediateDirectories: true)
    dir.write("outside/there.sh", "echo escaped\n")
    try fm.createSymbolicLink(atPath: home + "/tasks/ok/out", withDestinationPath: dir.path + "/outside")
    try fm.createDirectory(atPath: home + "/tasks/fresh", withIntermediateDirectories: true)
    try fm.createSymbolicLink(atPath: home + "/tasks/fresh/evil", withDestinationPath: "/etc/passwd")
    try fm.createSymbolicLink(atPath: home + "/tasks/linked", withDestinationPath: dir.path + "/outside")
    let database = home + "/tfs.db"
    #expect(!fm.fileExists(atPath: database + "-wal"), "a WAL is pending before the snapshot")
    let before = try #require(fm.contents(atPath: database))

    let args = input.args.map { $0.replacingOccurrences(of: "$DIR", with: dir.path) }
    let out = try TFSBinary(home: home).run(args, stdin: input.stdin)

    let message = input.message.replacingOccurrences(of: "$DIR", with: dir.path)
    #expect(out.status == 64, "\(out)")
    #expect(out.stdout.isEmpty, "\(out)")
    let lines = out.stderr.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 2 && lines[1].isEmpty, "not exactly one line: \(out.stderr)")
    #expect(out.stderr.hasPrefix("tfs: "), "\(out.stderr)")
    #expect(out.stderr.contains(message), "\(out.stderr)")
    let wal = (try? fm.attributesOfItem(atPath: database + "-wal"))?[.size] as? Int ?? 0
    #expect(wal == 0, "a WAL with \(wal) bytes was left behind")
    let after = try #require(fm.contents(atPath: database))
    #expect(try dump(before, in: dir) == dump(after, in: dir), "the database content changed")
    #expect(after == before, "tfs.db changed")
    #expect(!fm.fileExists(atPath: home + "/tasks/x") && !fm.fileExists(atPath: home + "/tasks/crontab"))
  }
}

/// The leaf commands of `--experimental-dump-help` with the flags of each option taking a value
/// (`--workdir` has no row: its only invalid value holds a NUL, which no argument can carry).
/// Every such option must parse unconditionally.
private func leafCommands(_ command: [String: Any], path: [String]) -> [([String], [[String]])] {
  let subcommands = command["subcommands"] as? [[String: Any]] ?? []
  if !subcommands.isEmpty {
    // `tfs help` is ArgumentParser's own.
    return subcommands.filter { $0["commandName"] as? String != "help" }.flatMap {
      leafCommands($0, path: path + [$0["commandName"] as? String ?? "?"])
    }
  }
  var options: [[String]] = []
  for argument in command["arguments"] as? [[String: Any]] ?? [] where argument["kind"] as? String == "option"
  {
    let names = (argument["names"] as? [[String: String]] ?? []).map {
      ($0["kind"] == "long" ? "--" : "-") + ($0["name"] ?? "")
    }
    #expect(
      argument["parsingStrategy"] as? String == "unconditional",
      "tfs \(path.joined(separator: " ")) \(names.first ?? "?") does not take '-1' as its value")
    options.append(names)
  }
  return [(path, options)]
}

/// Removes the templates of test processes that are gone.
private func removeStaleTemplates() {
  let tmp = NSTemporaryDirectory()
  let prefix = "tfs-bad-template-"
  for entry in (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? [] where entry.hasPrefix(prefix)
  {
    guard let pid = Int32(entry.dropFirst(prefix.count).prefix(while: \.isNumber)) else { continue }
    if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: tmp + "/" + entry) }
  }
}

/// The SQL dump of a database image (from a copy, so reading cannot touch the original).
private func dump(_ bytes: Data, in dir: TempDir) throws -> String {
  let copy = dir.file("dump-\(UUID().uuidString).db")
  try bytes.write(to: URL(fileURLWithPath: copy))
  defer { try? FileManager.default.removeItem(atPath: copy) }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["sqlite3", "-readonly", copy, ".dump"]
  let pipe = Pipe()
  process.standardOutput = pipe
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return String(decoding: data, as: UTF8.self)
}

/// Regressions found by this table.
@Suite(.timeLimit(.minutes(3)))
struct OpenWritesNothing {
  /// GRDB's `DatabasePool` runs `CREATE TABLE grdb_issue_102 …; DROP TABLE …` on every open when
  /// no WAL is pending, so `tfs show` rewrote tfs.db; the store uses a `DatabaseQueue` instead.
  @Test func aReadOnlyCommandLeavesTheFileUnchanged() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("ok", rule: "@daily", script: "true")
    let before = try #require(FileManager.default.contents(atPath: s.database))
    #expect(try s.tfs.run(["show", "ok"]).status == 0)
    #expect(FileManager.default.contents(atPath: s.database) == before)
  }

  /// An entry that does not exist yet below a symlinked folder leading out of the task folder.
  @Test func aMissingEntryBelowASymlinkLeadingOutIsRejected() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("ok", rule: "@daily", script: "true")
    try FileManager.default.createDirectory(atPath: s.dir.file("outside"), withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: s.taskDir("ok") + "/out", withDestinationPath: s.dir.file("outside"))
    let out = try s.tfs.run(["modify", "ok", "--entry", "out/not-yet.sh"])
    #expect(out.status == 64, "\(out)")
  }
}
