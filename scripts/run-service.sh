#!/usr/bin/env bash
# Builds and runs the SmpVision service on localhost with its embedded defaults:
# gRPC (HTTP/2) on http://localhost:5180, JSON + gRPC-Web (HTTP/1.1) on http://localhost:5181.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
exec dotnet run --project src/SmpVision.Service -c Release "$@"
