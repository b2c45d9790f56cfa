#!/usr/bin/env bash
# SmpVision over JSON with curl (gRPC JSON transcoding on the HTTP port). Needs curl, base64, jq.
# The request body is written to a file and sent with `-d @file`: a real photo in base64 is far
# larger than one command-line argument may be ("Argument list too long").
#
#   examples/curl/smpvision.sh analyze PHOTO [PPM] [OUTDIR]   figures with units, label_map.png, preview.png
#   examples/curl/smpvision.sh compare BEFORE AFTER [PPM]     before/after change
#   examples/curl/smpvision.sh bad-request                    a refused request and its field violations
#
# SMPVISION_HTTP (default http://localhost:5181) and SMPVISION_API_KEY (sent as x-api-key) are
# read from the environment. RESOURCE_EXHAUSTED (HTTP 429) with a RetryInfo is retried with backoff.
set -euo pipefail

HTTP=${SMPVISION_HTTP:-http://localhost:5181}
UNARY_LIMIT_BYTES=$((16 * 1024 * 1024)) # the service's default MaxUnaryImageBytes
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# post PATH BODY_FILE: POSTs the body, retrying busy refusals; leaves the reply in $work/reply.
post() {
  local path=$1 body=$2 backoff=1 attempt code delay
  local key_header=()
  if [ -n "${SMPVISION_API_KEY:-}" ]; then key_header=(-H "x-api-key: ${SMPVISION_API_KEY}"); fi
  for attempt in 1 2 3 4 5 6 7 8; do
    code=$(curl -sS -o "$work/reply" -w '%{http_code}' -H 'content-type: application/json' "${key_header[@]}" \
      -d @"$body" "$HTTP$path")
    delay=$(jq -r '[.details[]? | select(."@type" | endswith("google.rpc.RetryInfo")) | .retryDelay][0] // empty' "$work/reply" 2>/dev/null | tr -d s)
    if [ "$code" != 429 ] || [ -z "$delay" ] || [ "$attempt" = 8 ]; then
      echo "$code"
      return
    fi
    delay=$(awk -v a="$delay" -v b="$backoff" 'BEGIN { srand(); print (a > b ? a : b) * (1 + rand() / 2) }')
    echo "retry: $path got RESOURCE_EXHAUSTED ($(jq -r .message "$work/reply")); retrying in ${delay} s, attempt $((attempt + 1))" >&2
    sleep "$delay"
    backoff=$((backoff * 2))
  done
}

# options_json PPM: the analysis options (trichoscopy, scale when given, both PNGs).
options_json() {
  local scale=""
  if [ -n "${1:-}" ]; then scale=",\"scale\":{\"pixelsPerMillimetre\":$1}"; fi
  printf '{"modality":"MODALITY_TRICHOSCOPY"%s,"output":{"returnLabelMap":true,"returnPreviewImage":true}}' "$scale"
}

fail_with_status() {
  echo "refused: HTTP $1: $(jq -r .message "$work/reply")"
  jq -r '.details[]? | .fieldViolations[]? | "field violation: \(.field): \(.description)"' "$work/reply"
  jq -r '.details[]? | select(.reason? and .reason != "") | "reason: \(.reason)"' "$work/reply"
  exit 1
}

analyze() {
  local photo=$1 ppm=${2:-} out=${3:-smpvision-output} size code
  size=$(stat -c %s "$photo")
  if [ "$size" -gt "$UNARY_LIMIT_BYTES" ]; then
    # The JSON routes are unary; AnalyzeUpload (chunks up to 64 MiB) is gRPC only.
    echo "not sent: $(basename "$photo") is $size bytes, over the 16 MiB limit of POST /v1/analyze; stream it with a gRPC client's AnalyzeUpload (examples/python, examples/node, examples/csharp)"
    exit 3
  fi
  { printf '{"image":"'; base64 -w0 "$photo"; printf '","options":%s}' "$(options_json "$ppm")"; } > "$work/body.json"
  echo "sent: $(basename "$photo"), $size bytes, POST /v1/analyze"
  code=$(post /v1/analyze "$work/body.json")
  [ "$code" = 200 ] || fail_with_status "$code"
  jq -r '
    def f1: (. // 0) * 10 | round / 10;
    .measurements as $m |
    "image: \(.image.widthPixels) x \(.image.heightPixels) pixels, \(.image.format)",
    "modality: \(.modality) (detected: \(.modalityDetected // false))",
    "scale: \(if .scale.pixelsPerMillimetre then "\(.scale.pixelsPerMillimetre | f1) px/mm" else "none (fractions only)" end), source \(.scale.source)",
    "hairs: \($m.hairCount // 0) counted, \($m.follicularUnitCount // 0) follicular units, coverage \(($m.hairCoverageFraction // 0) * 1000 | round / 1000) (fraction)",
    (if $m.hairsPerSquareCentimetre then
      "hair density: \($m.hairsPerSquareCentimetre | f1) +- \($m.hairsPerSquareCentimetreStandardError | f1) hairs/cm2",
      "follicular unit density: \($m.follicularUnitsPerSquareCentimetre | f1) +- \($m.follicularUnitsPerSquareCentimetreStandardError | f1) FU/cm2",
      "analysed area: \($m.analysedAreaSquareMillimetres | f1) mm2" else empty end),
    (if $m.meanShaftWidthMicrometres then "mean shaft width: \($m.meanShaftWidthMicrometres | f1) um" else empty end),
    (if $m.colour.skinItaDegrees then "skin: L* \($m.colour.skin.l | f1), ITA \($m.colour.skinItaDegrees | f1) degrees" else empty end),
    "quality confidence: \(.quality.confidence // 0) (0-1)",
    "warnings: \([.warnings[]?.code] | if length == 0 then "none" else join(", ") end)"' "$work/reply"
  mkdir -p "$out"
  jq -r '.labelMap.png // empty' "$work/reply" | base64 -d > "$out/label_map.png"
  jq -r '.previewPng // empty' "$work/reply" | base64 -d > "$out/preview.png"
  echo "saved: $out/label_map.png ($(stat -c %s "$out/label_map.png") bytes)"
  echo "saved: $out/preview.png ($(stat -c %s "$out/preview.png") bytes)"
}

compare() {
  local before=$1 after=$2 ppm=${3:-} code
  { printf '{"beforeImage":"'; base64 -w0 "$before"; printf '","afterImage":"'; base64 -w0 "$after"
    printf '","options":%s}' "$(options_json "$ppm")"; } > "$work/body.json"
  code=$(post /v1/compare "$work/body.json")
  if [ "$code" = 400 ] && jq -e '.code == 9' "$work/reply" >/dev/null; then
    echo "compare: refused, FAILED_PRECONDITION $(jq -r '[.details[]? | .reason? // empty][0]' "$work/reply"): $(jq -r .message "$work/reply")"
    return
  fi
  [ "$code" = 200 ] || fail_with_status "$code"
  jq -r '.overall.hairs as $h |
    "compare: registration \(.registration.method), \(.registration.inlierCount // 0) inliers, common area \((.commonAreaFractionOfBefore // 0) * 100 | round / 100) of before (fraction)",
    "compare: hairs \($h.beforeCount // 0) -> \($h.afterCount // 0) (difference \($h.difference // 0) +- \(($h.differenceStandardErrorCount // 0) * 10 | round / 10) hairs, \($h.significance))"' "$work/reply"
}

bad_request() {
  printf '{"image":"%s","options":{"scale":{"pixelsPerMillimetre":-5}}}' "$(printf 'not an image' | base64 -w0)" > "$work/body.json"
  local code
  code=$(post /v1/analyze "$work/body.json")
  echo "refused: HTTP $code: $(jq -r .message "$work/reply")"
  jq -r '.details[]? | .fieldViolations[]? | "field violation: \(.field): \(.description)"' "$work/reply"
}

case "${1:-}" in
  analyze) shift; analyze "$@" ;;
  compare) shift; compare "$@" ;;
  bad-request) bad_request ;;
  *) sed -n '2,12p' "$0"; exit 2 ;;
esac
