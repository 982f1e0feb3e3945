#!/bin/sh
# demo/slow: takes longer than its period; the overlapping occurrences are skipped.
echo "slow job started"
sleep 12
echo "slow job done"
