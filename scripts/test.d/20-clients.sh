#!/usr/bin/env bash
# Client examples, README commands and the shipped protos, against a started service.
# - Installs: Debian protobuf-compiler, protobuf-compiler-grpc, python3-grpcio, python3-protobuf,
#   jq; npm packages of examples/node into examples/node/node_modules.
# - Compiles protos/ with Debian's protoc (Python, C++), with npm's buf (+ protoc-gen-es) and with
#   NuGet's Grpc.Tools (examples/csharp); buf's WIRE_JSON breaking check against the v1 baseline.
# - Starts the service on free loopback ports in API-key mode with a key it creates, runs every
#   example (sending the key) on a generated ~30 MB photo and on a small one and checks their
#   output, checks the OpenAPI document and page; then in local development mode (as
#   scripts/run-service.sh) with one analysis slot and no queue: the README's "Calling it"
#   commands, and bursts of analyses that must all succeed through the examples' busy retries.
# Prints "P passed, F failed" last.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Debian's python3 has python3-grpcio; a pyenv or venv python3 earlier on PATH would not.
export PATH="/usr/bin:$PATH"
WORK=$(mktemp -d)
passed=0
failed=0
SERVICE_PID=""

README_RAN=""
cleanup() {
  if [ -n "$SERVICE_PID" ]; then kill "$SERVICE_PID" 2>/dev/null; wait "$SERVICE_PID" 2>/dev/null; fi
  # shellcheck disable=SC2086
  if [ -n "$README_RAN" ]; then (cd "$ROOT" && rm -rf $README_FILES); fi
  rm -rf "$WORK"
}
trap cleanup EXIT

ok() { passed=$((passed + 1)); echo "PASS: $1 [${SECONDS} s]"; }
ko() { failed=$((failed + 1)); echo "FAIL: $1"; [ -n "${2:-}" ] && sed 's/^/    /' "$2" | tail -n 30; }
# check NAME LOG CMD...: runs CMD with its output in LOG.
check() { local name=$1 log=$2; shift 2; if "$@" >"$log" 2>&1; then ok "$name"; else ko "$name" "$log"; fi; }
# expect NAME LOG PATTERN...: LOG holds every extended-regex PATTERN.
expect() {
  local name=$1 log=$2 p; shift 2
  for p in "$@"; do
    if ! grep -Eq -- "$p" "$log"; then ko "$name: no line matching '$p'" "$log"; return; fi
  done
  ok "$name"
}
is_png() { [ "$(head -c 8 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }
finish() { echo "step took ${SECONDS} s"; echo "${passed} passed, ${failed} failed"; [ "$failed" -eq 0 ]; exit $?; }

install_dependencies() {
  local need=() p
  for p in protobuf-compiler protobuf-compiler-grpc python3-grpcio python3-protobuf jq curl; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || return 1
  fi
  npm ci --prefix examples/node --no-audit --no-fund --loglevel=error >/dev/null
}

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_service ARGS...: the built service on two free loopback ports; waits for /healthz.
start_service() {
  GRPC_PORT=$(free_port); HTTP_PORT=$(free_port)
  export SMPVISION_ADDRESS="127.0.0.1:$GRPC_PORT" SMPVISION_HTTP="http://127.0.0.1:$HTTP_PORT"
  # From its output folder, so that its appsettings.json (endpoint protocols, limits) is read.
  (cd src/SmpVision.Service/bin/Release/net10.0 && exec dotnet SmpVision.Service.dll \
    --Kestrel:Endpoints:Grpc:Url="http://127.0.0.1:$GRPC_PORT" --Kestrel:Endpoints:Http:Url="http://127.0.0.1:$HTTP_PORT" \
    --SmpVision:Records:DataDirectory="$WORK/data" "$@") >"$WORK/service.log" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 1 240); do
    curl -sf "$SMPVISION_HTTP/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$SERVICE_PID" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}

stop_service() { kill "$SERVICE_PID" 2>/dev/null; wait "$SERVICE_PID" 2>/dev/null; SERVICE_PID=""; }

compile_protos() {
  local files
  files="$(cd protos && echo smpvision/v1/*.proto) google/api/annotations.proto google/api/http.proto google/rpc/status.proto google/rpc/error_details.proto"
  mkdir -p "$WORK/gen/py" "$WORK/gen/cpp" "$WORK/gen/es" "$WORK/gen/buf"
  # shellcheck disable=SC2086
  check "Debian protoc $(protoc --version | cut -d' ' -f2) + grpc_python_plugin compiles protos/ and the stubs import" "$WORK/protoc-py.log" \
    bash -c "protoc -I protos --python_out='$WORK/gen/py' --grpc_python_out='$WORK/gen/py' --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin $files &&
      cd '$WORK/gen/py' && python3 -c 'from smpvision.v1 import analysis_pb2_grpc; from google.rpc import error_details_pb2; print(analysis_pb2_grpc.ScalpAnalysisStub)'"
  # shellcheck disable=SC2086
  check "Debian protoc + grpc_cpp_plugin compiles protos/" "$WORK/protoc-cpp.log" \
    bash -c "protoc -I protos --cpp_out='$WORK/gen/cpp' --grpc_out='$WORK/gen/cpp' --plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin $files && test -s '$WORK/gen/cpp/smpvision/v1/analysis.grpc.pb.h'"
  local bin="$ROOT/examples/node/node_modules/.bin"
  check "npm buf $("$bin/buf" --version) compiles protos/ and generates ES stubs with npm protoc-gen-es" "$WORK/buf.log" \
    bash -c "cd protos && '$bin/buf' build --path smpvision -o '$WORK/gen/buf/image.binpb' &&
      '$bin/buf' generate --path smpvision --path google --template '{\"version\":\"v2\",\"plugins\":[{\"local\":\"$bin/protoc-gen-es\",\"out\":\"$WORK/gen/es\",\"opt\":[\"target=js\"]}]}' &&
      test -s '$WORK/gen/es/smpvision/v1/analysis_pb.js'"
  check "buf breaking (WIRE_JSON) against protos/baseline/smpvision-v1.binpb" "$WORK/breaking.log" \
    bash -c "cd protos && '$bin/buf' breaking --path smpvision --exclude-imports --against baseline/smpvision-v1.binpb --config '{\"version\":\"v2\",\"breaking\":{\"use\":[\"WIRE_JSON\"]}}'"
}

# run_example NAME SIZE LOG CMD...: one example on one photo, then its output checks.
run_example() {
  local name=$1 size=$2 log=$3 out; shift 3
  out=$(dirname "$log")/out-$name-$size
  if ! "$@" --out "$out" >"$log" 2>&1; then ko "$name on the $size photo exits 0" "$log"; return; fi
  local sent='unary Analyze'
  [ "$size" = large ] && sent='streamed through AnalyzeUpload'
  expect "$name on the $size photo: figures with units" "$log" "sent: .*$sent" '^hairs: [1-9][0-9]* counted' \
    '^hair density: [0-9.]+ \+- [0-9.]+ hairs/cm2' '^follicular unit density: [0-9.]+ \+- [0-9.]+ FU/cm2' '^mean shaft width: [0-9.]+ um' \
    '^scale: [0-9.]+ px/mm'
  expect "$name on the $size photo: Compare and rich error details" "$log" '^compare: hairs [0-9]+ -> [0-9]+' \
    '^refused: INVALID_ARGUMENT' '^field violation: options\.scale\.pixels_per_millimetre: '
  if is_png "$out/label_map.png" && is_png "$out/preview.png"; then ok "$name on the $size photo saves the label map and preview PNGs"; else ko "$name on the $size photo saves the label map and preview PNGs" "$log"; fi
}

run_examples() {
  local size photo ppm
  for size in small large; do
    if [ "$size" = small ]; then photo=$SMALL; ppm=361; else photo=$LARGE; ppm=100; fi
    local cmp=(--compare "$SMALL" "$SMALL" --compare-ppm 361)
    run_example python "$size" "$WORK/python-$size.log" python3 examples/python/smpvision_client.py "$photo" --ppm "$ppm" "${cmp[@]}"
    run_example node "$size" "$WORK/node-$size.log" node examples/node/smpvision-client.js "$photo" --ppm "$ppm" "${cmp[@]}"
    run_example csharp "$size" "$WORK/csharp-$size.log" dotnet examples/csharp/bin/Release/net10.0/SmpVision.Example.dll "$photo" --ppm "$ppm" "${cmp[@]}"
  done
  # The three gRPC clients read the same figures.
  if [ "$(grep -ho '^hairs: [0-9]* counted, [0-9]* follicular units' "$WORK"/{python,node,csharp}-small.log | sort -u | wc -l)" = 1 ]; then ok "python, node and csharp print the same counts"; else ko "python, node and csharp print the same counts" "$WORK/node-small.log"; fi
  # curl: the JSON route is unary (16 MiB), so the large photo is declined with a pointer to AnalyzeUpload.
  local log=$WORK/curl.log
  { examples/curl/smpvision.sh analyze "$SMALL" 361 "$WORK/out-curl" && examples/curl/smpvision.sh compare "$SMALL" "$SMALL" 361 &&
    examples/curl/smpvision.sh bad-request; } >"$log" 2>&1 || { ko "curl example on the small photo exits 0" "$log"; }
  expect "curl on the small photo: figures, Compare, field violations" "$log" '^hairs: [1-9][0-9]* counted' '^hair density: [0-9.]+ \+- [0-9.]+ hairs/cm2' \
    '^compare: hairs [0-9]+ -> [0-9]+' '^field violation: options\.scale\.pixels_per_millimetre: '
  if is_png "$WORK/out-curl/label_map.png" && is_png "$WORK/out-curl/preview.png"; then ok "curl saves the label map and preview PNGs"; else ko "curl saves the label map and preview PNGs" "$log"; fi
  if [ "$(grep -ho '^hairs: [0-9]* counted, [0-9]* follicular units' "$log" "$WORK/python-small.log" | sort -u | wc -l)" = 1 ]; then ok "curl (JSON) and gRPC print the same counts"; else ko "curl (JSON) and gRPC print the same counts" "$log"; fi
  examples/curl/smpvision.sh analyze "$LARGE" 100 "$WORK/out-curl-large" >"$WORK/curl-large.log" 2>&1
  local rc=$?
  if [ "$rc" = 3 ]; then expect "curl declines the large photo and points at AnalyzeUpload" "$WORK/curl-large.log" 'over the 16 MiB limit.*AnalyzeUpload'; else ko "curl declines the large photo (exit 3, got $rc)" "$WORK/curl-large.log"; fi
}

# The README's "Calling it" commands, each bash block as written, from the repository root with
# photo.png there (removed after, with what the commands write); only the ports are this run's.
README_FILES="photo.png request.json result-python result-node result-csharp result-curl"
run_readme() {
  local dir=$WORK/readme n=0 block f
  for f in $README_FILES; do
    if [ -e "$f" ]; then ko "README commands: $ROOT/$f exists already (left in place; move it away to run them)"; return; fi
  done
  README_RAN=1
  mkdir -p "$dir" && cp "$SMALL" photo.png
  awk '/^## Calling it/{on=1; next} /^## /{on=0} on && /^```bash$/{b=1; n++; next} b && /^```$/{b=0; next} b{print > (dir "/block" n ".sh")}' dir="$dir" README.md
  for block in "$dir"/block*.sh; do
    [ -e "$block" ] || { ko "README has bash blocks under 'Calling it'"; return; }
    n=$((n + 1))
    sed -i "s#localhost:5180#127.0.0.1:$GRPC_PORT#g; s#localhost:5181#127.0.0.1:$HTTP_PORT#g" "$block"
    if bash -euo pipefail "$block" >"$block.log" 2>&1 && [ -s "$block.log" ]; then ok "README command block $n ($(head -c 60 "$block" | head -n 1)...)"; else ko "README command block $n" "$block.log"; fi
  done
  expect "README: the JSON analyze answers measurements, the health checks answer SERVING" "$dir/block1.sh.log" '"hairCount"' 'Healthy'
  local r missing=""
  for r in python node csharp curl; do is_png "result-$r/label_map.png" || missing="$missing $r"; done
  if [ -z "$missing" ]; then ok "README client commands save their PNGs"; else ko "README client commands save their PNGs (missing:$missing)"; fi
}

check_openapi() {
  curl -sf "$SMPVISION_HTTP/openapi/v1.json" -o "$WORK/openapi.json"
  if jq -e '.openapi and .paths["/v1/analyze"].post and .paths["/v1/compare"].post' "$WORK/openapi.json" >/dev/null 2>&1; then ok "GET /openapi/v1.json on the HTTP port"; else ko "GET /openapi/v1.json on the HTTP port"; fi
  curl -sf "$SMPVISION_HTTP/docs/index.html" -o "$WORK/docs.html"
  if grep -q 'swagger-ui-bundle.js' "$WORK/docs.html" && curl -sf -o /dev/null "$SMPVISION_HTTP/docs/swagger-ui-bundle.js"; then ok "GET /docs serves the page and its assets"; else ko "GET /docs serves the page and its assets"; fi
}

# One analysis slot and no queue wait: concurrent calls are refused RESOURCE_EXHAUSTED with
# RetryInfo, and every example's retries must carry all of them through.
run_bursts() {
  local log
  python3 examples/python/smpvision_client.py "$SMALL" --ppm 361 --out "$WORK/b-py" --burst 3 >"$WORK/burst-python.log" 2>&1 &
  local p1=$!
  node examples/node/smpvision-client.js "$SMALL" --ppm 361 --out "$WORK/b-node" --burst 3 >"$WORK/burst-node.log" 2>&1 &
  local p2=$!
  dotnet examples/csharp/bin/Release/net10.0/SmpVision.Example.dll "$SMALL" --ppm 361 --out "$WORK/b-cs" --burst 3 >"$WORK/burst-csharp.log" 2>&1 &
  local p3=$!
  local i curls=()
  for i in 1 2 3; do examples/curl/smpvision.sh analyze "$SMALL" 361 "$WORK/b-curl$i" >"$WORK/burst-curl$i.log" 2>&1 & curls+=($!); done
  wait "$p1"; local r1=$?; wait "$p2"; local r2=$?; wait "$p3"; local r3=$?
  for i in "${curls[@]}"; do wait "$i"; done
  for log in python:$r1 node:$r2 csharp:$r3; do
    if [ "${log#*:}" = 0 ]; then expect "${log%%:*}: a burst of 3 on a one-slot service all succeed" "$WORK/burst-${log%%:*}.log" '^burst: 3/3 succeeded'; else ko "${log%%:*} burst exits 0" "$WORK/burst-${log%%:*}.log"; fi
  done
  local saved; saved=$(cat "$WORK"/burst-curl*.log | grep -c '^saved: .*label_map.png')
  if [ "$saved" = 3 ]; then ok "curl: 3 concurrent analyses on a one-slot service all succeed"; else ko "curl: 3 concurrent analyses on a one-slot service all succeed ($saved)" "$WORK/burst-curl1.log"; fi
  # Seven clients at once on one slot with no queue: busy refusals happen, and were retried.
  local retries; retries=$(cat "$WORK"/burst-*.log | grep -c '^retry: .*RESOURCE_EXHAUSTED')
  if [ "$retries" -gt 0 ]; then ok "busy refusals were retried with backoff ($retries retries)"; else ko "busy refusals were retried with backoff (none seen)" "$WORK/service.log"; fi
}

section() { echo "== $1 (at ${SECONDS} s)"; }
section install
if install_dependencies >"$WORK/install.log" 2>&1; then ok "install apt and npm packages"; else ko "install apt and npm packages" "$WORK/install.log"; finish; fi
section "build"
check "build the service, the tools and the C# example" "$WORK/build.log" bash -c \
  "dotnet build src/SmpVision.Service/SmpVision.Service.csproj -c Release && dotnet build tools/SmpVision.Tools/SmpVision.Tools.csproj -c Release && dotnet build examples/csharp/SmpVision.Example.csproj -c Release"
section "protos"
compile_protos
section "photos"
TOOLS="dotnet tools/SmpVision.Tools/bin/Release/net10.0/SmpVision.Tools.dll"
check "generate a small and a ~30 MB photo" "$WORK/generate.log" bash -c \
  "$TOOLS generate --out '$WORK/small' --count 1 --seed 7 --preset clean && $TOOLS generate --out '$WORK/large' --count 1 --seed 7 --preset clean --width 5200 --height 3900 --ppm 100"
SMALL=$(ls "$WORK"/small/images/*.png 2>/dev/null | head -n 1)
LARGE=$(ls "$WORK"/large/images/*.png 2>/dev/null | head -n 1)
if [ -z "$SMALL" ] || [ -z "$LARGE" ] || [ "$(stat -c %s "$LARGE")" -lt 25000000 ]; then ko "photos generated (large: $(stat -c %s "$LARGE" 2>/dev/null) bytes)"; finish; fi
echo "small photo: $(stat -c %s "$SMALL") bytes; large photo: $(stat -c %s "$LARGE") bytes"
section "examples (API-key mode, the container's default)"
(cd src/SmpVision.Service/bin/Release/net10.0 && dotnet SmpVision.Service.dll keys create --clinic ci-examples --name clients \
  --SmpVision:Records:DataDirectory="$WORK/data") >"$WORK/key.log" 2>&1
SMPVISION_API_KEY=$(sed -n 's/^api key: *//p' "$WORK/key.log")
export SMPVISION_API_KEY
if [ -n "$SMPVISION_API_KEY" ]; then ok "create a clinic API key for the examples"; else ko "create a clinic API key for the examples" "$WORK/key.log"; fi
if start_service --SmpVision:Security:Mode=ApiKey; then
  ok "service started on 127.0.0.1:$GRPC_PORT (gRPC) and :$HTTP_PORT (HTTP)"
  check_openapi
  # Without the key the service refuses; every example below passes only by sending it.
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' -d '{}' "$SMPVISION_HTTP/v1/analyze")
  if [ "$code" = 401 ]; then ok "a call without the key is refused (HTTP 401)"; else ko "a call without the key is refused (HTTP 401, got $code)"; fi
  run_examples
  stop_service
else
  ko "service started" "$WORK/service.log"
fi
unset SMPVISION_API_KEY
section "README commands and busy retries (local development mode, as scripts/run-service.sh)"
if start_service --SmpVision:Security:Mode=LocalDevelopment --SmpVision:Service:MaxConcurrentAnalyses=1 --SmpVision:Service:QueueTimeoutSeconds=0; then
  run_readme
  run_bursts
  stop_service
else
  ko "one-slot service started" "$WORK/service.log"
fi
finish
