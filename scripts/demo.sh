#!/usr/bin/env bash
# demo.sh BIN MANIFEST [COMPLETE]: start the sandbox on a free port, then plan (saved),
# apply the saved plan and apply again (which must change nothing), print the state; then
# the cookbook's "What's next" (COMPLETE, the same customer with contacts linked to its file,
# its next billing date and a prospect): plan and apply it over the same state, bill the file
# with a simulated billing run and list the invoices; and stop the sandbox. Used by
# `make demo`; needs the built binary, and curl for the billing run.
set -euo pipefail
bin=${1:-bin/onboard}
manifest=${2:-examples/acme.yaml}
complete=${3:-examples/acme-complete.yaml}
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

# Day two, the cookbook's "What's next": contacts, the file's links and billing date
# (one PUT once the file and the contacts exist), a prospect with its own file.
step plan "$complete" --state "$state"
step apply "$complete" --state "$state" --auto-approve
file_id=$("$bin" state show customer.acme.file.main-2026 --state "$state" | awk '$1 == "id:" {print $2}')
if command -v curl >/dev/null; then
  # The vendor's billing runs make invoices; the sandbox simulates two, a month apart:
  # the first bills what the plan previewed (one-time, the month's cycle, the licences).
  for day in 2026-04-01 2026-05-01; do
    echo; echo "== billing run of file #$file_id on $day (sandbox control route)"
    curl -fsS -X POST -H "Authorization: Bearer $ONBOARD_TOKEN" \
      -d "{\"customer_file_id\": $file_id, \"date\": \"$day\"}" "${ONBOARD_BASE_URL%/api}/_sandbox/billing-run"
    echo
  done
  step invoices customer.acme --state "$state"
else
  echo "(curl not found: no billing run, so no invoices to list)"
fi
echo
echo "== demo complete: the second apply read what exists (refresh) and changed nothing"
