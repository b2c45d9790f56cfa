#!/usr/bin/env bash
# Builds and runs the SmpVision service on localhost with its embedded defaults:
# gRPC (HTTP/2) on http://localhost:5180, JSON + gRPC-Web (HTTP/1.1) on http://localhost:5181.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
exec dotnet run --project src/SmpVision.Service -c Release "$@"
