#!/usr/bin/env bash
# Size budgets for the Swift sources: no file over 300 lines, no function over 60.
#
#   scripts/check-budgets.sh [--exclude DIR]... [--report-only DIR]... [PATH...]
#
# Lists every .swift file under PATH (default: Sources) longer than 300 lines, and every `func`,
# `init` and `deinit` whose body, from the line of its opening brace to the line of its closing
# brace, spans more than 60 lines:
#
#   Sources/X/File.swift:12: func name is 75 lines (budget 60)
#
# Braces inside string literals (interpolations included) and comments are not counted. Nested
# functions are checked on their own and also count towards the function around them.
# --exclude DIR skips the files under DIR; --report-only DIR prints their offenders as warnings
# that do not fail the check. Exits 1 when any other file or function is over budget.
set -euo pipefail

FILE_BUDGET=${FILE_BUDGET:-300}
FUNC_BUDGET=${FUNC_BUDGET:-60}

exec python3 - "$FILE_BUDGET" "$FUNC_BUDGET" "$@" <<'PYTHON'
import os
import re
import sys

file_budget, func_budget = int(sys.argv[1]), int(sys.argv[2])
args = sys.argv[3:]
excluded, report_only, roots = [], [], []
while args:
    arg = args.pop(0)
    if arg in ("--exclude", "--report-only"):
        if not args:
            sys.exit(f"check-budgets: {arg} needs a directory")
        (excluded if arg == "--exclude" else report_only).append(os.path.normpath(args.pop(0)))
    elif arg in ("-h", "--help"):
        print("usage: check-budgets.sh [--exclude DIR]... [--report-only DIR]... [PATH...]")
        sys.exit(0)
    elif arg.startswith("-"):
        sys.exit(f"check-budgets: unknown option {arg}")
    else:
        roots.append(arg)
roots = roots or ["Sources"]


def under(path, dirs):
    path = os.path.normpath(path)
    return any(path == d or path.startswith(d + os.sep) for d in dirs)


def swift_files():
    for root in roots:
        if os.path.isfile(root):
            yield root
            continue
        for folder, subfolders, names in os.walk(root):
            subfolders.sort()
            for name in sorted(names):
                if name.endswith(".swift"):
                    yield os.path.join(folder, name)


def code_only(text):
    """The text with comments and string literals (interpolations included) blanked to spaces,
    newlines kept, so positions and line numbers stay those of the source."""
    out = list(text)
    n = len(text)

    def blank(start, end):
        for k in range(start, min(end, n)):
            if out[k] != "\n":
                out[k] = " "

    def skip_string(i):
        """From the opening quote(s) at i (after any #s), returns the index after the literal."""
        hashes = 0
        while i < n and text[i] == "#":
            hashes += 1
            i += 1
        multi = text.startswith('"""', i)
        i += 3 if multi else 1
        close = ('"""' if multi else '"') + "#" * hashes
        escape = "\\" + "#" * hashes
        while i < n:
            if text.startswith(escape, i):
                j = i + len(escape)
                if j < n and text[j] == "(":
                    i = skip_code(j + 1, ")")
                else:
                    i = j + 1
            elif text.startswith(close, i):
                return i + len(close)
            elif text[i] == "\n" and not multi:
                return i  # unterminated: stop at the end of the line
            else:
                i += 1
        return n

    def skip_comment(i):
        if text.startswith("//", i):
            end = text.find("\n", i)
            return n if end < 0 else end
        depth, i = 1, i + 2  # Swift block comments nest
        while i < n and depth:
            if text.startswith("/*", i):
                depth, i = depth + 1, i + 2
            elif text.startswith("*/", i):
                depth, i = depth - 1, i + 2
            else:
                i += 1
        return i

    def skip_code(i, until):
        """Code from i up to the `until` that closes it (an interpolation's `)`); returns the
        index after it."""
        depth = 0
        while i < n:
            c = text[i]
            if text.startswith("//", i) or text.startswith("/*", i):
                i = skip_comment(i)
            elif c == '"' or (c == "#" and re.match(r'#+"', text[i:i + 8])):
                i = skip_string(i)
            elif c == "(":
                depth, i = depth + 1, i + 1
            elif c == ")":
                if depth == 0 and until == ")":
                    return i + 1
                depth, i = depth - 1, i + 1
            else:
                i += 1
        return n

    i = 0
    while i < n:
        c = text[i]
        if text.startswith("//", i) or text.startswith("/*", i):
            end = skip_comment(i)
            blank(i, end)
            i = end
        elif c == '"' or (c == "#" and re.match(r'#+"', text[i:i + 8])):
            end = skip_string(i)
            blank(i, end)
            i = end
        else:
            i += 1
    return "".join(out)


DECL = re.compile(
    r"(?<![\w.])(?:func\s+(?P<func>[^\s(<]+)|(?P<init>init)\s*[?!]?\s*[(<]|(?P<deinit>deinit)\s*\{)")
# A line that starts another declaration: a function before it ended without a body (a
# protocol requirement).
NEXT_DECL = re.compile(
    r"\n[ \t]*(?:@|#|\}|(?:func|var|let|init|deinit|case|subscript|typealias|struct|class|enum|"
    r"protocol|extension|actor|static|public|private|fileprivate|internal|open|mutating|override|"
    r"nonisolated|final|convenience|required|associatedtype)\b)")


def functions(code):
    """(declaration line, name, body lines) for each func/init/deinit with a body."""
    for match in DECL.finditer(code):
        name = (
            "func " + match.group("func") if match.group("func")
            else "init" if match.group("init") else "deinit")
        i, parens = match.end(), 0
        if match.group("deinit"):
            i -= 1
        open_at = None
        while i < len(code):
            c = code[i]
            if c in "([":
                parens += 1
            elif c in ")]":
                parens -= 1
            elif c == "{" and parens <= 0:
                open_at = i
                break
            elif c == "}" and parens <= 0:
                break
            elif c == "\n" and parens <= 0 and NEXT_DECL.match(code, i):
                break
            i += 1
        if open_at is None:
            continue
        depth, j = 0, open_at
        while j < len(code):
            if code[j] == "{":
                depth += 1
            elif code[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        first = code.count("\n", 0, open_at) + 1
        last = code.count("\n", 0, j) + 1
        yield code.count("\n", 0, match.start()) + 1, name, last - first + 1


failures = warnings = 0
for path in swift_files():
    if under(path, excluded):
        continue
    with open(path, encoding="utf-8") as f:
        text = f.read()
    offences = []
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    if lines > file_budget:
        offences.append(f"{path}:1: file is {lines} lines (budget {file_budget})")
    for line, name, length in functions(code_only(text)):
        if length > func_budget:
            offences.append(f"{path}:{line}: {name} is {length} lines (budget {func_budget})")
    for offence in offences:
        if under(path, report_only):
            print("warning: " + offence)
            warnings += 1
        else:
            print(offence)
            failures += 1

if failures:
    print(f"check-budgets: {failures} over budget", file=sys.stderr)
if warnings:
    print(f"check-budgets: {warnings} over budget in --report-only folders (not failing)", file=sys.stderr)
sys.exit(1 if failures else 0)
PYTHON
