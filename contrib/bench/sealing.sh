#!/usr/bin/env bash
# Sealing through the storage provider role against the proofs library, in
# one run (issue 11's benchmark): for each size a regtest depind with
# -storageprovider registers, a client proposes a deal filling a whole
# sector, the data is imported with storage_importDealData, and the role
# packs and seals it; its log gives the seal's time (from reading the staged
# pieces to the sealed replica). After each such round depin_bench's
# BM_ProofsSealAlone seals the same size straight through the library, one
# seal in a fresh process as the role's is. The pipeline's cost is
# role / library - 1 (target <= 10%).
#
#   SIZES="8MiB 512MiB" ROUNDS=3 BINDIR=build/bin contrib/bench/sealing.sh
#   NODE_ARGS="-gpu=none" adds depind options to the provider node.
#
# Each size is sealed ROUNDS times each way; the medians are compared, and
# the fastest rounds (noise only ever adds time).
# 512 MiB takes a few minutes and about 1.5 GiB of memory.
set -euo pipefail
NAME=sealing.sh
BINDIR=${BINDIR:-build/bin}
SIZES=${SIZES:-"8MiB 512MiB"}
ROUNDS=${ROUNDS:-3}
cd "$(dirname "$0")/../.."
source contrib/bench/common.sh
[ -x "$BINDIR/depin_bench" ] || { echo "$NAME: no depin_bench in $BINDIR"; exit 1; }

PROVIDER_KEY=0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a  # dev account 4
PROVIDER=0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65
CLIENT_KEY=0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba    # dev account 5
MARKET=0x0000000000000000000000000000000000002000
MINER=0x000000000000000000000000000000000000bEEF

bytes_of() {
  case $1 in 2KiB) echo 2048 ;; 8MiB) echo 8388608 ;; 512MiB) echo 536870912 ;;
    *) echo "$NAME: unknown size $1" >&2; exit 1 ;; esac
}
log2_of() { python3 -c "import sys; print(int(sys.argv[1]).bit_length() - 1)" "$1"; }

declare -A ROLE_SEAL ROLE_LABEL ROLE_PACK ROLE_LABEL_CPU
for size in $SIZES; do
 for round in $(seq "$ROUNDS"); do
  bytes=$(bytes_of "$size")
  dir=$TMP/$size-$round
  port=$(free_port)
  mkdir -p "$dir"
  printf '%s\n' "$PROVIDER_KEY" >"$dir/provider.key"
  chmod 600 "$dir/provider.key"
  launch_node "$dir" "$port" -port="$(free_port)" -storageprovider="$dir/provider.key" \
    -storagesectorsize="$size" -debug=provider ${NODE_ARGS:-}
  wait_ready "$dir" "$port"
  for _ in $(seq 100); do
    [ "$(rpc "$dir" "$port" storage_getSealingStatus | python3 -c \
      'import json,sys; print(json.load(sys.stdin)["result"]["registered"])')" = True ] && break
    rpc "$dir" "$port" generatetoaddress "[1, \"$MINER\"]" >/dev/null
    sleep 0.2
  done
  # A deal whose piece fills the sector.
  head -c "$bytes" /dev/urandom >"$dir/data.bin"
  commd=$("$BINDIR/depin-cli" storage commd "$dir/data.bin" --sector-size "$size")
  height=$(rpc "$dir" "$port" getblockcount | result)
  start=$((height + 100))
  end=$((start + 1000))
  price=1000000000
  calldata=$(python3 - "$PROVIDER" "$commd" "$bytes" "$start" "$end" "$price" <<'PY'
import sys
provider, commd, piece, start, end, price = sys.argv[1:]
w = lambda v: f"{int(v):064x}"
# keccak("proposeDeal(address,bytes32,uint256,uint256,uint256,uint256)")[:4]
print("0x4800d0ed" + w(int(provider, 16)) + commd[2:] + w(piece) + w(start) + w(end) + w(price))
PY
)
  total=$((price * (end - start)))
  value=$((total + total / 10))
  raw=$("$BINDIR/depin-txtool" --key="$CLIENT_KEY" --chainid=1337 --nonce=0 --to="$MARKET" \
    --value="$value" --gas=500000 --data="$calldata" | head -1)
  rpc "$dir" "$port" eth_sendRawTransaction "[\"$raw\"]" >/dev/null
  rpc "$dir" "$port" generatetoaddress "[1, \"$MINER\"]" >/dev/null
  rpc "$dir" "$port" storage_importDealData "[1, \"$dir/data.bin\"]" | grep -q '"result":true' ||
    { echo "$NAME: import failed"; rpc "$dir" "$port" storage_getSealingStatus; exit 1; }
  for _ in $(seq 6000); do
    grep -q "sealed in" "$dir/regtest/debug.log" && break
    sleep 0.1
  done
  line=$(grep "sealed in" "$dir/regtest/debug.log" | head -1)
  [ -n "$line" ] || { echo "$NAME: $size never sealed"; tail -20 "$dir/regtest/debug.log"; exit 1; }
  ROLE_SEAL[$size]+="$(sed -E 's/.*sealed in ([0-9.]+) s.*/\1/' <<<"$line") "
  ROLE_LABEL[$size]+="$(sed -E 's/.*labeling ([0-9.]+) s.*/\1/' <<<"$line") "
  ROLE_PACK[$size]+="$(sed -E 's/.*packing ([0-9.]+) s.*/\1/' <<<"$line") "
  ROLE_LABEL_CPU[$size]+="$(sed -E 's/.*, ([0-9.]+) s of CPU.*/\1/' <<<"$line") "
  stop_node "$dir" "$port"
  rm -rf "$dir"
  # The same size through the library, alone in a fresh process, right
  # after the role's round: both seal with memory as fresh as the other's.
  "$BINDIR/depin_bench" --benchmark_filter="BM_ProofsSealAlone/$(log2_of "$bytes")/" \
    --benchmark_format=json >"$TMP/bench-$size-$round.json" 2>/dev/null
 done
done
python3 - "$TMP" >"$TMP/bench.json" <<'PY'
import glob, json, sys
print(json.dumps({"benchmarks": [b for f in sorted(glob.glob(sys.argv[1] + "/bench-*.json"))
                                 for b in json.load(open(f))["benchmarks"]]}))
PY
printf '%-8s %14s %14s %14s %16s %16s %10s\n' size role_seal_s role_pack_s lib_seal_s role_label_s \
  lib_label_s overhead
for size in $SIZES; do
  log2=$(log2_of "$(bytes_of "$size")")
  python3 - "$TMP/bench.json" "$size" "$log2" "${ROLE_SEAL[$size]}" "${ROLE_LABEL[$size]}" \
    "${ROLE_PACK[$size]}" "${ROLE_LABEL_CPU[$size]}" <<'PY'
import json, sys
from statistics import median
path, size, log2, role_seal, role_label, role_pack, role_label_cpu = sys.argv[1:]
runs = [b for b in json.load(open(path))["benchmarks"]
        if b["name"].startswith(f"BM_ProofsSealAlone/{log2}/") and b.get("run_type") == "iteration"]
lib_seal = median(b["seal_s"] for b in runs)
lib_label = median(b["labeling_s"] for b in runs)
role_seal_all = [float(x) for x in role_seal.split()]
role_seal = median(role_seal_all)
role_label = median(float(x) for x in role_label.split())
role_pack = median(float(x) for x in role_pack.split())
print(f"{size:<8} {role_seal:14.3f} {role_pack:14.3f} {lib_seal:14.3f} {role_label:16.3f} "
      f"{lib_label:16.3f} {role_seal / lib_seal - 1:+9.1%}")
lib_seal_all = [round(b["seal_s"], 3) for b in runs]
# The fastest round of each: what each costs when nothing else on the
# machine gets in its way (noise only ever adds time).
print(f"  fastest: role {min(role_seal_all):.3f} s, library {min(lib_seal_all):.3f} s: "
      f"{min(role_seal_all) / min(lib_seal_all) - 1:+.1%}")
print(f"  rounds: role {role_seal_all}, library {lib_seal_all}")
# Labeling is one thread: its CPU time against its wall time shows whether a
# slower seal was starved of CPU (wall > CPU) or did more work.
print(f"  labeling CPU s: role {[float(x) for x in role_label_cpu.split()]}, "
      f"library {[round(b['labeling_cpu_s'], 3) for b in runs]}")
PY
done
