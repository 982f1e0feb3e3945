#!/bin/sh
# demo/shell: builds a small report and publishes it.
echo "building report for run $TFS_RUN_ID ($TFS_RUN_VERSION)"
{
  echo "report of $(date -u +%FT%TZ)"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
} > "$TFS_PUBLISH_DIR/report.txt"
echo "published report.txt"
