#!/usr/bin/env bash
# Installs the Debian packages depin needs to build and test. Idempotent: when
# every package is already present it does nothing (no apt-get update, no root).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libleveldb-dev libsecp256k1-dev libssl-dev
  libboost-dev libboost-program-options-dev rapidjson-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  ocl-icd-opencl-dev pocl-opencl-icd
  python3 python3-prometheus-client wrk nginx-light ccache
  slurm-wlm munge
  # The web explorer embeds Chart.js (configure fails without it unless
  # -DDEPIN_EXPLORER=OFF); its browser test drives chromium headless.
  libjs-chart.js chromium
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# nginx is only a benchmark reference; do not leave the distribution's default site running.
if [ -x /usr/sbin/nginx ] && command -v service >/dev/null 2>&1; then
  $SUDO service nginx stop >/dev/null 2>&1 || true
fi
