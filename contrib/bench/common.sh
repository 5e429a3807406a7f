# Helpers the end-to-end benchmark scripts share (sourced, not run):
# a scratch folder removed at exit with every node started, free ports, RPC
# over curl with the datadir's cookie, node start and stop. The sourcing
# script sets BINDIR and NAME (for messages) first.
for tool in python3 curl; do
  command -v "$tool" >/dev/null || { echo "$NAME: $tool not found"; exit 1; }
done
[ -x "$BINDIR/depind" ] || { echo "$NAME: no depind in $BINDIR"; exit 1; }
TMP=$(mktemp -d "/tmp/depin_${NAME%.sh}_bench.XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# rpc <datadir> <port> <method> [json params]
rpc() {
  local cookie
  cookie=$(cat "$1/regtest/.cookie" 2>/dev/null) || return 1
  curl -s --user "$cookie" -H 'content-type: application/json' \
    -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$3\",\"params\":${4:-[]}}" "http://127.0.0.1:$2/"
}
result() { python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])'; }
# Starts a regtest depind in the background; returns at once.
launch_node() {  # datadir rpcport [args...]
  local dir=$1 rport=$2
  shift 2
  mkdir -p "$dir"
  "$BINDIR/depind" -regtest -datadir="$dir" -rpcport="$rport" "$@" >"$dir/stdout" 2>&1 &
  PIDS+=($!)
}
# RPC answers from the start of start-up, with -28 "node is starting" until
# the chainstate is loaded: any JSON-RPC reply means the process is up
# (wait_up); a "result" means it answers for real (wait_ready).
wait_reply() {  # datadir rpcport pattern tries what
  for _ in $(seq "$4"); do
    rpc "$1" "$2" getblockcount 2>/dev/null | grep -q "$3" && return
    sleep 0.1
  done
  echo "$NAME: depind in $1 did not $5"; exit 1
}
wait_up() { wait_reply "$1" "$2" '"jsonrpc"' 600 "start"; }
wait_ready() { wait_reply "$1" "$2" '"result"' 3000 "finish starting"; }
stop_node() {  # datadir rpcport
  rpc "$1" "$2" stop >/dev/null || true
  while pgrep -f "datadir=$1 " >/dev/null; do sleep 0.1; done
}
