#!/usr/bin/env bash
# Installs the Debian 12 packages Groundswell needs, only those missing.
# Idempotent: quiet when everything is already there.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libeigen3-dev libboost-random-dev libtbb-dev
  libhdf5-dev hdf5-tools
  catch2 libtomlplusplus-dev libcli11-dev libfmt-dev libbenchmark-dev
  python3 python3-numpy python3-h5py python3-matplotlib python3-scipy python3-pytest python3-xarray python3-h5netcdf
  libcpp-httplib-dev nlohmann-json3-dev chromium
  libopenmpi-dev openmpi-bin
  pybind11-dev python3-dev python3-networkx python3-nbconvert python3-nbclient python3-nbformat python3-ipykernel
)
# The browser test (tests/e2e) runs playwright-core 1.61 (the last release
# that supports Node.js 18, Debian 12's own nodejs; it drives Debian's
# chromium 156); Debian's nodejs is installed only where there is no npm at all.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then

echo "groundswell: installing missing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=sudo
  else
    echo "groundswell: these packages are missing and installing them needs root:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
# Wait for another package manager (a fresh machine's first upgrade, say)
# instead of failing on its lock.
lock=(-o DPkg::Lock::Timeout=600)
$SUDO apt-get "${lock[@]}" update -qq >/dev/null
$SUDO apt-get "${lock[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "groundswell: packages installed" >&2
fi

# The browser test's npm packages, pinned by tests/e2e/package-lock.json and
# installed with `npm ci` (never a browser download: it drives Debian's chromium).
e2e="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/e2e"
if [ -f "$e2e/package-lock.json" ] && ! cmp -s "$e2e/package-lock.json" "$e2e/node_modules/.groundswell-lock"; then
  echo "groundswell: installing the browser test's npm packages (npm ci in tests/e2e)" >&2
  (cd "$e2e" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$e2e/package-lock.json" "$e2e/node_modules/.groundswell-lock"
fi
