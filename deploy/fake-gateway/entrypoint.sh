#!/bin/sh
# A stand-in for an IB Gateway image (gnzsnz / extrange) in tests: it logs IBC-like lines,
# "waits for login" for FAKE_LOGIN_DELAY seconds, then accepts TCP on FAKE_API_PORT the way
# the gateway's API socket does (connections are held open, bytes are echoed back).
#   FAKE_API_PORT     port to listen on inside the container (default 4004, gnzsnz paper)
#   FAKE_LOGIN_DELAY  seconds before the API port opens (default 1)
#   FAKE_NO_API=1     never open the API port (login "hangs", e.g. an unanswered 2FA)
#   FAKE_EXIT_CODE=N  exit with N instead of opening the API port (a crashed gateway)
#   FAKE_ECHO_SECRET=1  print the password to stdout, to test that log readers redact it
port="${FAKE_API_PORT:-4004}"
delay="${FAKE_LOGIN_DELAY:-1}"
user="${TWS_USERID:-${USERNAME:-}}"
mode="${TRADING_MODE:-${IBC_TradingMode:-paper}}"
child=""
trap 'echo "IBC: Shutdown requested"; [ -n "$child" ] && kill "$child" 2>/dev/null; exit 0' TERM INT

echo "Starting fake IB Gateway in ${mode} mode"
echo "IBC: Starting Gateway, user ${user}"
if [ "${FAKE_ECHO_SECRET:-}" = 1 ]; then
    secret="${TWS_PASSWORD:-${PASSWORD:-}}"
    [ -n "${TWS_PASSWORD_FILE:-}" ] && secret="$(cat "$TWS_PASSWORD_FILE")"
    echo "IBC: debug login attempt with password ${secret}"
fi
echo "IBC: Login dialog WINDOW_OPENED: Login"
echo "IBC: Waiting for login" >&2
sleep "$delay" & child=$!; wait "$child"
if [ -n "${FAKE_EXIT_CODE:-}" ]; then
    echo "IBC: Login failed; exiting with code ${FAKE_EXIT_CODE}"
    exit "$FAKE_EXIT_CODE"
fi
if [ "${FAKE_NO_API:-}" = 1 ]; then
    echo "IBC: Second Factor Authentication initiated; API port stays closed"
    while :; do sleep 3600 & child=$!; wait "$child"; done
fi
echo "IBC: Login has completed"
echo "IBC: API server listening on port ${port}"
busybox nc -ll -p "$port" -e /bin/cat & child=$!
wait "$child"
