#!/usr/bin/env python3
"""SmpVision gRPC client example in Python (Debian: python3-grpcio, python3-protobuf).

Stubs are generated at run time from the repository's protos/ with protoc and its gRPC Python
plugin (Debian: protobuf-compiler, protobuf-compiler-grpc), or with grpc_tools when installed.

    python3 examples/python/smpvision_client.py PHOTO [--ppm 361] [--compare BEFORE AFTER] [--out DIR]

Analyses PHOTO (streamed through AnalyzeUpload when it is large), prints the main figures with
their units, saves the label map and preview PNGs, compares BEFORE with AFTER (default: PHOTO
with itself when it fits a unary call), shows the rich
error details of a refused request, and retries RESOURCE_EXHAUSTED (busy) with backoff.
SMPVISION_ADDRESS (default localhost:5180) and SMPVISION_API_KEY (sent as x-api-key) are read
from the environment.
"""
import argparse
import atexit
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import grpc

CHUNK_BYTES = 1024 * 1024
UNARY_LIMIT_BYTES = 16 * 1024 * 1024  # the service's default MaxUnaryImageBytes
API_KEY_HEADER = "x-api-key"
PROTO_FILES = [
    "smpvision/v1/analysis.proto", "smpvision/v1/common.proto",
    "google/api/annotations.proto", "google/api/http.proto",
    "google/rpc/status.proto", "google/rpc/error_details.proto",
]


def generate_stubs(protos: Path) -> Path:
    """Compiles the shipped protos into a temporary package folder and puts it on sys.path."""
    out = Path(tempfile.mkdtemp(prefix="smpvision-stubs-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    protoc, plugin = shutil.which("protoc"), shutil.which("grpc_python_plugin")
    if protoc and plugin:
        cmd = [protoc, f"--plugin=protoc-gen-grpc_python={plugin}"]
    else:  # pip's grpcio-tools bundles protoc and the plugin
        cmd = [sys.executable, "-m", "grpc_tools.protoc"]
    cmd += [f"-I{protos}", f"--python_out={out}", f"--grpc_python_out={out}", *PROTO_FILES]
    subprocess.run(cmd, check=True)
    sys.path.insert(0, str(out))
    return out


def metadata():
    key = os.environ.get("SMPVISION_API_KEY")
    return [(API_KEY_HEADER, key)] if key else []


def status_details(error: grpc.RpcError):
    """The google.rpc.Status details of a failed call (grpc-status-details-bin trailer)."""
    from google.rpc import status_pb2
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            return list(status_pb2.Status.FromString(value).details)
    return []


def unpack(details, message_type):
    for any_detail in details:
        if any_detail.Is(message_type.DESCRIPTOR):
            message = message_type()
            any_detail.Unpack(message)
            return message
    return None


def with_retry(call, what, attempts=8):
    """Runs call(); on RESOURCE_EXHAUSTED carrying RetryInfo waits (at least the hinted delay,
    doubling, with jitter) and tries again. Size refusals carry no RetryInfo and are not retried."""
    from google.rpc import error_details_pb2
    backoff = 0.5
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except grpc.RpcError as error:
            retry = unpack(status_details(error), error_details_pb2.RetryInfo)
            if error.code() != grpc.StatusCode.RESOURCE_EXHAUSTED or retry is None or attempt == attempts:
                raise
            hinted = retry.retry_delay.seconds + retry.retry_delay.nanos / 1e9
            wait = max(hinted, backoff) * random.uniform(1.0, 1.5)
            print(f"retry: {what} got RESOURCE_EXHAUSTED ({error.details()}); retrying in {wait:.1f} s, attempt {attempt + 1}")
            time.sleep(wait)
            backoff *= 2


def analysis_options(pb, ppm):
    options = pb.AnalysisOptions(modality=pb.MODALITY_TRICHOSCOPY,
                                 output=pb.OutputOptions(return_label_map=True, return_preview_image=True))
    if ppm:
        options.scale.pixels_per_millimetre = ppm
    return options


def analyze(stub, pb, photo: Path, ppm, stream_above_bytes):
    image = photo.read_bytes()
    options = analysis_options(pb, ppm)
    if len(image) > stream_above_bytes:
        def messages():
            yield pb.AnalyzeUploadRequest(header=pb.UploadHeader(options=options, total_size_bytes=len(image)))
            for offset in range(0, len(image), CHUNK_BYTES):
                yield pb.AnalyzeUploadRequest(chunk=image[offset:offset + CHUNK_BYTES])
        chunks = -(-len(image) // CHUNK_BYTES)
        print(f"sent: {photo.name}, {len(image)} bytes, streamed through AnalyzeUpload in {chunks} chunks")
        return with_retry(lambda: stub.AnalyzeUpload(messages(), metadata=metadata()), "AnalyzeUpload")
    print(f"sent: {photo.name}, {len(image)} bytes, unary Analyze")
    return with_retry(lambda: stub.Analyze(pb.AnalyzeRequest(image=image, options=options), metadata=metadata()), "Analyze")


def print_figures(pb, r):
    m = r.measurements
    print(f"image: {r.image.width_pixels} x {r.image.height_pixels} pixels, {r.image.format}")
    print(f"modality: {pb.Modality.Name(r.modality)} (detected: {str(r.modality_detected).lower()})")
    scale = f"{r.scale.pixels_per_millimetre:.1f} px/mm" if r.scale.HasField("pixels_per_millimetre") else "none (fractions only)"
    print(f"scale: {scale}, source {pb.ScaleSource.Name(r.scale.source)}")
    print(f"hairs: {m.hair_count} counted, {m.follicular_unit_count} follicular units, coverage {m.hair_coverage_fraction:.3f} (fraction)")
    if m.HasField("hairs_per_square_centimetre"):
        print(f"hair density: {m.hairs_per_square_centimetre:.1f} +- {m.hairs_per_square_centimetre_standard_error:.1f} hairs/cm2")
        print(f"follicular unit density: {m.follicular_units_per_square_centimetre:.1f} +- "
              f"{m.follicular_units_per_square_centimetre_standard_error:.1f} FU/cm2")
        print(f"analysed area: {m.analysed_area_square_millimetres:.1f} mm2")
    if m.HasField("mean_shaft_width_micrometres"):
        print(f"mean shaft width: {m.mean_shaft_width_micrometres:.1f} um")
    if m.colour.HasField("skin_ita_degrees"):
        print(f"skin: L* {m.colour.skin.l:.1f}, ITA {m.colour.skin_ita_degrees:.1f} degrees")
    print(f"quality confidence: {r.quality.confidence:.2f} (0-1)")
    print("warnings: " + (", ".join(w.code for w in r.warnings) or "none"))


def save_pngs(r, out: Path):
    out.mkdir(parents=True, exist_ok=True)
    for name, data in (("label_map.png", r.label_map.png), ("preview.png", r.preview_png)):
        if data:
            (out / name).write_bytes(data)
            print(f"saved: {out / name} ({len(data)} bytes)")


def compare(stub, pb, before: Path, after: Path, ppm):
    request = pb.CompareRequest(before_image=before.read_bytes(), after_image=after.read_bytes(),
                                options=analysis_options(pb, ppm))
    try:
        c = with_retry(lambda: stub.Compare(request, metadata=metadata()), "Compare")
    except grpc.RpcError as error:
        from google.rpc import error_details_pb2
        info = unpack(status_details(error), error_details_pb2.ErrorInfo)
        if error.code() != grpc.StatusCode.FAILED_PRECONDITION:
            raise
        print(f"compare: refused, {error.code().name} {info.reason if info else ''}: {error.details()}")
        return
    h = c.overall.hairs
    print(f"compare: registration {c.registration.method}, {c.registration.inlier_count} inliers, "
          f"common area {c.common_area_fraction_of_before:.2f} of before (fraction)")
    print(f"compare: hairs {h.before_count} -> {h.after_count} (difference {h.difference:+d} +- "
          f"{h.difference_standard_error_count:.1f} hairs, {pb.ChangeSignificance.Name(h.significance)})")


def show_rich_error(stub, pb):
    """A request the service refuses, to show how the field violations read."""
    from google.rpc import error_details_pb2
    options = pb.AnalysisOptions()
    options.scale.pixels_per_millimetre = -5
    try:
        stub.Analyze(pb.AnalyzeRequest(image=b"not an image", options=options), metadata=metadata())
        print("error: the invalid request was accepted")
    except grpc.RpcError as error:
        print(f"refused: {error.code().name}: {error.details()}")
        bad = unpack(status_details(error), error_details_pb2.BadRequest)
        for violation in bad.field_violations if bad else []:
            print(f"field violation: {violation.field}: {violation.description}")


def burst(stub, pb, photo: Path, ppm, count):
    """count analyses at once: on a small service some are refused as busy and retried."""
    results = []
    def one():
        try:
            analyze(stub, pb, photo, ppm, stream_above_bytes=1 << 62)
            results.append(True)
        except grpc.RpcError as error:
            print(f"burst: failed with {error.code().name}: {error.details()}")
            results.append(False)
    threads = [threading.Thread(target=one) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"burst: {sum(results)}/{count} succeeded")
    return all(results)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("photo", type=Path)
    parser.add_argument("--ppm", type=float, help="pixels per millimetre of the photo")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"), help="photos for Compare")
    parser.add_argument("--compare-ppm", type=float, help="pixels per millimetre for Compare (default --ppm)")
    parser.add_argument("--out", type=Path, default=Path("smpvision-output"))
    parser.add_argument("--stream-above-mib", type=float, default=4.0, help="stream photos larger than this")
    parser.add_argument("--burst", type=int, default=0, help="also run this many analyses at once")
    parser.add_argument("--protos", type=Path, default=Path(__file__).resolve().parents[2] / "protos")
    args = parser.parse_args()

    generate_stubs(args.protos)
    from smpvision.v1 import analysis_pb2 as analysis, common_pb2 as common, analysis_pb2_grpc

    class pb:  # one namespace for the messages and enums of both contract files
        pass
    for module in (common, analysis):
        for name in dir(module):
            if not name.startswith("_"):
                setattr(pb, name, getattr(module, name))

    address = os.environ.get("SMPVISION_ADDRESS", "localhost:5180")
    # Responses with a label map and preview of a large photo exceed gRPC's 4 MiB default.
    channel = grpc.insecure_channel(address, options=[("grpc.max_receive_message_length", -1),
                                                      ("grpc.max_send_message_length", -1)])
    stub = analysis_pb2_grpc.ScalpAnalysisStub(channel)

    result = analyze(stub, pb, args.photo, args.ppm, int(args.stream_above_mib * 1024 * 1024))
    print_figures(pb, result)
    save_pngs(result, args.out)
    small = args.photo.stat().st_size <= UNARY_LIMIT_BYTES
    pair = args.compare or ((args.photo, args.photo) if small else None)
    if pair:
        compare(stub, pb, pair[0], pair[1], args.compare_ppm or args.ppm)
    else:
        print(f"compare: skipped, {args.photo.name} is over the 16 MiB unary limit (pass --compare BEFORE AFTER)")
    show_rich_error(stub, pb)
    ok = burst(stub, pb, pair[0], args.compare_ppm or args.ppm, args.burst) if args.burst and pair else True
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
