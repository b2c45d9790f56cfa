#!/usr/bin/env bash
# Installs what SmpVision needs on a fresh Debian/Ubuntu machine, skipping what is present:
# the .NET 10 SDK and the native libraries of OpenCvSharp4's official Linux runtime (GTK3).
# With --tests (scripts/test.sh passes it) also what the tests need: PostgreSQL's server binaries
# (Debian's postgresql package; the record-store tests start their own server from them).
set -euo pipefail
for_tests=0
if [ "${1:-}" = "--tests" ]; then for_tests=1; fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

need_apt=()
# OpenCvSharp4.official.runtime.linux-x64 links against GTK3 (highgui); without it the native
# library fails to load with a DllNotFoundException at the first OpenCV call.
if ! ldconfig -p 2>/dev/null | grep -q 'libgtk-3.so.0'; then
  if apt-cache show libgtk-3-0t64 >/dev/null 2>&1; then need_apt+=(libgtk-3-0t64); else need_apt+=(libgtk-3-0); fi
fi
if ! command -v dotnet >/dev/null 2>&1 || ! dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
  need_apt+=(dotnet-sdk-10.0)
fi

if [ "$for_tests" -eq 1 ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need_apt+=(postgresql)
fi

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "bootstrap: installing ${need_apt[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  if ! $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null; then
    echo "bootstrap: could not install ${need_apt[*]} with apt-get." >&2
    echo "bootstrap: install the .NET 10 SDK (https://dotnet.microsoft.com/download) and GTK3 runtime by hand, then rerun." >&2
    exit 1
  fi
fi

