#!/bin/sh
# Start claimledger: bring the schema up to date, load the seeds if asked, then become gunicorn.
#
# In the container it serves on 0.0.0.0:8000. CLAIMLEDGER_HOST, CLAIMLEDGER_PORT and CLAIMLEDGER_WORKERS
# change where and how (tests run this script on 127.0.0.1 and a free port); CLAIMLEDGER_SEED=true loads
# the seed ledger, which changes nothing when it is loaded already. Arguments go on to `claimledger serve`.
set -eu

export CLAIMLEDGER_HOST="${CLAIMLEDGER_HOST:-0.0.0.0}"
seeds="$(cd "$(dirname "$0")/.." && pwd)/seeds"

claimledger migrate
case "${CLAIMLEDGER_SEED:-false}" in
  true | TRUE | True | 1 | yes) claimledger seed "$seeds" ;;
esac

# exec, so that gunicorn receives the container's signals (SIGTERM stops it gracefully).
exec claimledger serve "$@"
