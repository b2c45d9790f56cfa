#!/usr/bin/env bash
# Builds and runs the SmpVision service on localhost with its embedded defaults:
# gRPC (HTTP/2) on http://localhost:5180, JSON + gRPC-Web (HTTP/1.1) on http://localhost:5181.
# Local development mode (no API keys, localhost only, records of clinic "local-development" in
# ./data, SQLite) unless SmpVision__Security__Mode / SmpVision__Records__* say otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export SmpVision__Security__Mode="${SmpVision__Security__Mode:-LocalDevelopment}"
export SmpVision__Records__DataDirectory="${SmpVision__Records__DataDirectory:-$PWD/data}"
exec dotnet run --project src/SmpVision.Service -c Release "$@"
