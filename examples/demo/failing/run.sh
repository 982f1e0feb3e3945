#!/bin/sh
# demo/failing: fails with exit 3 and a line on stderr, to show alerts.
echo "fetching upstream…"
echo "error: upstream returned 503" >&2
exit 3
