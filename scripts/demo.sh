#!/usr/bin/env bash
# demo.sh BIN MANIFEST: start the sandbox on a free port, then plan (saved),
# apply the saved plan and apply again (which must change nothing), print the state, and stop
# the sandbox. Used by `make demo`; needs nothing but the built binary.
set -euo pipefail
bin=${1:-bin/onboard}
manifest=${2:-examples/acme.yaml}
work=.demo
rm -rf "$work" && mkdir -p "$work"
state="$work/onboard.state"

"$bin" sandbox --addr 127.0.0.1:0 >"$work/sandbox.out" 2>"$work/sandbox.err" &
sandbox=$!
trap 'kill $sandbox 2>/dev/null || true; wait $sandbox 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ "$(wc -l <"$work/sandbox.out")" -ge 2 ] && break
  kill -0 $sandbox 2>/dev/null || { cat "$work/sandbox.err" >&2; exit 1; }
  sleep 0.1
done
# The sandbox prints ONBOARD_BASE_URL=... and ONBOARD_TOKEN=... first.
set -a; eval "$(head -n 2 "$work/sandbox.out")"; set +a
echo "== sandbox listening at $ONBOARD_BASE_URL"

step() { echo; echo "== \$ onboard $*"; "$bin" "$@"; }
step validate "$manifest"
# Review, then apply exactly what was reviewed (a saved plan never asks).
step plan "$manifest" --state "$state" --out "$work/plan.onboard"
step apply "$work/plan.onboard"
# A rerun: it reads what the state knows from BlueRockTEL (refresh), finds
# nothing left to do, so it writes nothing (and asks nothing).
step apply "$manifest" --state "$state" --auto-approve
step plan "$manifest" --state "$state" --detailed-exitcode
step state list --state "$state"
echo
echo "== demo complete: the second apply read what exists (refresh) and changed nothing"
