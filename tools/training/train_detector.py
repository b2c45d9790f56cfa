#!/usr/bin/env python3
"""Offline trainer of the learned hair detector (models/hair-detector.onnx).

Trains the network of detector_model.py on real annotated trichoscopy frames (boxes per hair,
../shared/data/trichoscopy-dev and -train), k-fold by patient: for each fold it trains on the
other folds' patients (minus a validation eighth that picks the peak threshold), exports
`fold-K.onnx`, and records the held-out frames' counts; then it trains the shipped model on every
patient with the same recipe and the mean of the fold thresholds. Fixed seed: the same data and
command give the same models (up to floating-point summation order of 2 CPU threads).

Needs Debian packages only: apt-get install -y python3-torch python3-onnx python3-opencv python3-numpy
Usage:
  /usr/bin/python3 tools/training/train_detector.py --data ../shared/data/trichoscopy-dev \
      --data ../shared/data/trichoscopy-train --out models/hair-detector [--folds 4] [--iters 900]
Writes OUT/fold-K.onnx, OUT/folds.json (patient -> fold, thresholds, per-fold figures) and
OUT/../hair-detector.onnx (the shipped model). The C# command `eval-detector` reproduces the
held-out figures from the fold models (models/README.md).
"""
import argparse
import hashlib
import json
import math
import os
import sys
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import detector_data as dd  # noqa: E402
from detector_model import HairDetector  # noqa: E402
import detector_calibration as dc  # noqa: E402

CROP = 144
FULL_CROP = (304, 240)  # (w, h) of --full-frames samples: 320 x 256 frames less a jittered margin
STRIDE = 2
SIGMA_CELLS = 1.5
THRESHOLDS = np.round(np.arange(0.10, 0.80, 0.02), 2)
VERSION = "hair-detector-1"


# ---------------------------------------------------------------- augmentation and targets
def _rot_points(p, k, w, h):
    """Rotate points (x, y) of a w x h image by k x 90 degrees counter-clockwise (np.rot90)."""
    for _ in range(k):
        p = np.stack([p[:, 1], (w - 1) - p[:, 0]], 1)
        w, h = h, w
    return p


def augment(f, rng, crop_w=None, crop_h=None, k=None):
    """One random crop (crop_w x crop_h before rotation, square CROP by default) with geometric and
    photometric changes; returns image, points, sizes, mask."""
    cw, ch = crop_w or CROP, crop_h or CROP
    s = math.exp(rng.uniform(math.log(0.85), math.log(1.18)))
    h0, w0 = f["rgb"].shape[:2]
    size = (max(cw, int(round(w0 * s))), max(ch, int(round(h0 * s))))
    sx, sy = size[0] / w0, size[1] / h0
    img = cv2.resize(f["rgb"], size, interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    mask = cv2.resize(f["mask"].astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
    scale = np.array([sx, sy], np.float32)
    centres, units = f["centres"] * scale, f["unit_centres"] * scale
    wh = np.stack([(f["boxes"][:, 2] - f["boxes"][:, 0]) * sx, (f["boxes"][:, 3] - f["boxes"][:, 1]) * sy], 1) if len(f["boxes"]) else np.zeros((0, 2), np.float32)
    x0 = rng.integers(0, size[0] - cw + 1)
    y0 = rng.integers(0, size[1] - ch + 1)
    img, mask = img[y0:y0 + ch, x0:x0 + cw], mask[y0:y0 + ch, x0:x0 + cw]
    off = np.array([x0, y0], np.float32)
    centres, units = centres - off, units - off
    k = int(rng.integers(0, 4)) if k is None else k
    img, mask = np.rot90(img, k), np.rot90(mask, k)
    centres, units = _rot_points(centres, k, cw, ch), _rot_points(units, k, cw, ch)
    if k % 2 == 1:
        wh = wh[:, ::-1]
    out_w = img.shape[1]
    if rng.random() < 0.5:
        img, mask = img[:, ::-1], mask[:, ::-1]
        centres = np.stack([(out_w - 1) - centres[:, 0], centres[:, 1]], 1)
        units = np.stack([(out_w - 1) - units[:, 0], units[:, 1]], 1)
    return photometric(np.ascontiguousarray(img), rng), centres, units, wh, np.ascontiguousarray(mask)


def photometric(img, rng):
    """Gamma, white balance, contrast, blur and noise: the capture variations of real clinics."""
    x = img.astype(np.float32) / 255.0
    x = np.clip(x, 0, 1) ** math.exp(rng.uniform(-0.45, 0.45))
    x = x * np.exp(rng.uniform(-0.15, 0.15, size=3)).astype(np.float32)
    x = (x - 0.5) * math.exp(rng.uniform(-0.25, 0.25)) + 0.5 + rng.uniform(-0.08, 0.08)
    if rng.random() < 0.25:
        x = cv2.GaussianBlur(x, (0, 0), rng.uniform(0.4, 1.2))
    if rng.random() < 0.3:
        x = x + rng.normal(0, rng.uniform(0.005, 0.03), x.shape).astype(np.float32)
    return np.clip(x, 0, 1)


def heatmap(points, nh, nw):
    """Max of Gaussians (sigma SIGMA_CELLS) at points given in input pixels, on an nh x nw output grid."""
    hm = np.zeros((nh, nw), np.float32)
    if len(points) == 0:
        return hm
    ys, xs = np.mgrid[0:nh, 0:nw].astype(np.float32)
    for px, py in points / STRIDE:
        if not (-0.5 <= px < nw - 0.5 and -0.5 <= py < nh - 0.5):
            continue
        cx, cy = int(round(px)), int(round(py))
        g = np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * SIGMA_CELLS ** 2))
        np.maximum(hm, g, out=hm)
    return hm


def targets(centres, units, wh, mask):
    nh, nw = mask.shape[0] // STRIDE, mask.shape[1] // STRIDE
    hm = np.stack([heatmap(centres, nh, nw), heatmap(units, nh, nw)])
    size = np.zeros((2, nh, nw), np.float32)
    size_w = np.zeros((1, nh, nw), np.float32)
    for (px, py), (bw, bh) in zip(centres / STRIDE, wh / STRIDE):
        cx, cy = int(round(px)), int(round(py))
        if 0 <= cx < nw and 0 <= cy < nh:
            size[:, cy, cx] = (math.log(max(bw, 1.0)), math.log(max(bh, 1.0)))
            size_w[0, cy, cx] = 1.0
    shaft = cv2.resize(mask, (nw, nh), interpolation=cv2.INTER_AREA)[None]
    return hm, size, size_w, shaft


def normalise(x):
    """(x - 0.5) / 0.25 on 0-1 RGB: the model's documented input normalisation."""
    return (x - 0.5) / 0.25


def batch(frames, idx, rng, full=False):
    """A batch of augmented samples; full: whole frames less a small random margin, one rotation per batch
    (the frame edge stays the frame edge: annotators often skip hairs the edge cuts)."""
    xs, hms, sizes, sws, shafts = [], [], [], [], []
    k = int(rng.integers(0, 4)) if full else None
    for i in idx:
        img, c, u, wh, m = augment(frames[i], rng, *FULL_CROP, k) if full else augment(frames[i], rng)
        hm, sz, sw, sh = targets(c, u, wh, m)
        xs.append(normalise(img).transpose(2, 0, 1)); hms.append(hm); sizes.append(sz); sws.append(sw); shafts.append(sh)
    return [torch.from_numpy(np.stack(a)) for a in (xs, hms, sizes, sws, shafts)]


# ---------------------------------------------------------------- loss and training
def focal(pred, gt):
    """CenterNet's penalty-reduced focal loss, normalised by the number of centres."""
    pred = pred.clamp(1e-4, 1 - 1e-4)
    pos = gt.eq(1).float()
    neg = 1 - pos
    pos_loss = torch.log(pred) * (1 - pred) ** 2 * pos
    neg_loss = torch.log(1 - pred) * pred ** 2 * (1 - gt) ** 4 * neg
    return -(pos_loss.sum() + neg_loss.sum()) / pos.sum().clamp(min=1)


def loss_of(model, x, hm, size, sw, shaft):
    p_hm, p_size, p_shaft = model(x)
    l_hm = focal(p_hm[:, 0], hm[:, 0]) + 0.5 * focal(p_hm[:, 1], hm[:, 1])
    l_size = (F.l1_loss(p_size, size, reduction="none") * sw).sum() / sw.sum().clamp(min=1)
    p = p_shaft.clamp(1e-4, 1 - 1e-4)
    l_bce = F.binary_cross_entropy(p, shaft)
    dice = 1 - (2 * (p * shaft).sum() + 1) / (p.sum() + shaft.sum() + 1)
    return l_hm + 0.1 * l_size + l_bce + 0.5 * dice


def train(frames, idx, iters, seed, log, val=None, full=False):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = HairDetector()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=iters, pct_start=0.15)
    model.train()
    t0, running = time.time(), 0.0
    for it in range(iters):
        b = batch(frames, rng.choice(idx, 6 if full else 16, replace=False), rng, full)
        loss = loss_of(model, *b)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        running = 0.98 * running + 0.02 * float(loss) if it else float(loss)
        if (it + 1) % 100 == 0:
            log(f"  iter {it + 1}/{iters} loss {running:.3f} {time.time() - t0:.0f}s")
        if val is not None and (it + 1) % 500 == 0:
            model.eval()
            vs = [peak_scores(model, frames[i])[0] for i in val]
            hands = [frames[i]["hand"] for i in val]
            t = pick_threshold(vs, hands)
            log(f"  validation at {it + 1}: threshold {t:.2f} {figures(count_errors(vs, hands, t)[2], hands)}")
            model.train()
    model.eval()
    return model


# ---------------------------------------------------------------- counting (same rule as the C# decoder)
@torch.no_grad()
def peak_scores(model, f):
    x = torch.from_numpy(normalise(f["rgb"].astype(np.float32) / 255.0).transpose(2, 0, 1)[None].copy())
    hm = model(x)[0][0]
    out = []
    for ch in (0, 1):
        h = hm[ch:ch + 1][None]
        peaks = (h == F.max_pool2d(h, 3, 1, 1)) & (h > THRESHOLDS[0])
        out.append(h[peaks].numpy())
    return out


def count_errors(scores, hands, t):
    pred = np.array([(s >= t).sum() for s in scores], float)
    hands = np.asarray(hands, float)
    rel = (pred - hands) / hands
    return float(np.median(np.abs(rel))), float(np.mean(rel)), pred


def pick_threshold(scores, hands):
    """Threshold minimising median abs + |mean signed| count error on the validation frames."""
    best = min(THRESHOLDS, key=lambda t: sum(abs(v) for v in count_errors(scores, hands, t)[:2]))
    return float(best)


def figures(pred, hands):
    pred, hands = np.asarray(pred, float), np.asarray(hands, float)
    rel = (pred - hands) / hands
    r = float(np.corrcoef(pred, hands)[0, 1]) if len(pred) > 2 else float("nan")
    return {"frames": int(len(pred)), "median_abs_pct": round(100 * float(np.median(np.abs(rel))), 2),
            "mean_signed_pct": round(100 * float(np.mean(rel)), 2), "pearson_r": round(r, 3)}


# ---------------------------------------------------------------- export
def export(model, path, threshold, unit_threshold, note, tta="none"):
    dummy = torch.zeros(1, 3, 256, 320)
    torch.onnx.export(model, dummy, path, input_names=["image"], output_names=["heatmap", "size", "shaft"],
                      dynamic_axes={"image": {2: "height", 3: "width"}, "heatmap": {2: "h2", 3: "w2"},
                                    "size": {2: "h2", 3: "w2"}, "shaft": {2: "h2", 3: "w2"}},
                      opset_version=13, do_constant_folding=True)
    _write_meta(path, {"smpvision.model": VERSION, "smpvision.input_pixels_per_mm": str(dd.INPUT_PPM),
            "smpvision.output_stride": str(STRIDE), "smpvision.normalisation": "rgb/255, (x-0.5)/0.25",
            "smpvision.hair_threshold": f"{threshold:.2f}", "smpvision.unit_threshold": f"{unit_threshold:.2f}",
            "smpvision.training": note, "smpvision.test_time_augmentation": tta})


def calibrate(path, frames, val, test, tta, note, log):
    """Thresholds of the exported file picked on `val` for `tta`; held-out figures on `test`; metadata rewritten."""
    det = dc.OnnxDetector(path)
    heat = det.heat_d4 if tta == "d4" else det.heat
    vs = [dc.peak_scores(heat(frames[i]["rgb"])) for i in val]
    t = pick_threshold([s[0] for s in vs], [frames[i]["hand"] for i in val])
    tu = pick_threshold([s[1] for s in vs], [len(frames[i]["unit_centres"]) for i in val])
    fig = None
    if test:
        ts = [dc.peak_scores(heat(frames[i]["rgb"]))[0] for i in test]
        hands = [frames[i]["hand"] for i in test]
        fig = figures(count_errors(ts, hands, t)[2], hands)
    _set_thresholds(path, t, tu, tta)
    log(f"{note}: {tta} thresholds {t:.2f} (units {tu:.2f}); held out {fig}")
    return t, tu, fig


def recalibrate(frames, fold_of, summary, summary_path, args, log):
    for k in range(args.folds):
        test = [i for i, f in enumerate(frames) if fold_of[f["patient"]] == k]
        val = [i for i, f in enumerate(frames) if fold_of[f["patient"]] != k and is_val(f["patient"], args.seed)]
        t, tu, fig = calibrate(os.path.join(args.out, f"fold-{k}.onnx"), frames, val, test, args.tta, f"fold {k}", log)
        summary["folds"][str(k)].update({"threshold": t, "unit_threshold": tu, "held_out": fig, "tta": args.tta})
    json.dump(summary, open(summary_path, "w"), indent=1, sort_keys=True)
    shipped = os.path.join(os.path.dirname(os.path.normpath(args.out)), "hair-detector.onnx")
    ths = [v["threshold"] for v in summary["folds"].values()]
    tus = [v["unit_threshold"] for v in summary["folds"].values()]
    _set_thresholds(shipped, float(np.mean(ths)), float(np.mean(tus)), args.tta)
    log(f"shipped model: {args.tta} thresholds {np.mean(ths):.2f} / {np.mean(tus):.2f} (mean of folds)")


def _set_thresholds(path, t, tu, tta):
    _write_meta(path, {"smpvision.hair_threshold": f"{t:.2f}", "smpvision.unit_threshold": f"{tu:.2f}", "smpvision.test_time_augmentation": tta})


def _write_meta(path, updates):
    """Sets metadata entries of an ONNX file (others kept), in place."""
    import onnx
    m = onnx.load(path)
    meta = {p.key: p.value for p in m.metadata_props}
    meta.update(updates)
    del m.metadata_props[:]
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.save(m, path)


def is_val(patient, seed):
    return int(hashlib.sha256(f"val{seed}:{patient}".encode()).hexdigest(), 16) % 8 == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", action="append", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--iters", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--full-frames", action=argparse.BooleanOptionalAction, default=True, help="train on whole frames (batch 6) instead of 144 px crops (batch 16)")
    ap.add_argument("--only-fold", type=int, default=None, help="train one fold and stop (development)")
    ap.add_argument("--skip-folds", action="store_true", help="train the shipped model only, from folds.json")
    ap.add_argument("--tta", choices=["none", "d4"], default="d4", help="inference the thresholds are picked for (and the product runs)")
    ap.add_argument("--recalibrate", action="store_true", help="re-pick the thresholds of the exported models in --out for --tta, no training")
    args = ap.parse_args()
    # One thread: on a shared 2-core machine two OpenMP threads wait on each other at every barrier.
    torch.set_num_threads(int(os.environ.get("SMPV_TORCH_THREADS", "1")))
    os.makedirs(args.out, exist_ok=True)
    logf = open(os.path.join(args.out, "train.log"), "a")

    def log(msg):
        print(msg, flush=True)
        logf.write(msg + "\n"); logf.flush()

    frames = dd.load_sets(args.data)
    fold_of = dd.patient_folds(frames, args.folds, args.seed)
    log(f"{len(frames)} frames, {len(fold_of)} patients, {args.folds} folds, {args.iters} iterations, seed {args.seed}")
    summary_path = os.path.join(args.out, "folds.json")
    summary = json.load(open(summary_path)) if os.path.exists(summary_path) else {"folds": {}}
    summary.update({"version": VERSION, "seed": args.seed, "k": args.folds, "patient_fold": fold_of})
    if not args.recalibrate:
        summary.update({"iters": args.iters, "full_frames": args.full_frames})
    if args.recalibrate:
        return recalibrate(frames, fold_of, summary, summary_path, args, log)
    folds = [] if args.skip_folds else ([args.only_fold] if args.only_fold is not None else range(args.folds))
    for k in folds:
        test = [i for i, f in enumerate(frames) if fold_of[f["patient"]] == k]
        rest = [i for i, f in enumerate(frames) if fold_of[f["patient"]] != k]
        val = [i for i in rest if is_val(frames[i]["patient"], args.seed)]
        tr = [i for i in rest if i not in set(val)]
        log(f"fold {k}: train {len(tr)}, validation {len(val)}, held out {len(test)} frames")
        model = train(frames, np.array(tr), args.iters, args.seed + k, log, val, args.full_frames)
        vs = [peak_scores(model, frames[i]) for i in val]
        t = pick_threshold([s[0] for s in vs], [frames[i]["hand"] for i in val])
        tu = pick_threshold([s[1] for s in vs], [len(frames[i]["unit_centres"]) for i in val])
        ts = [peak_scores(model, frames[i]) for i in test]
        _, _, pred = count_errors([s[0] for s in ts], [frames[i]["hand"] for i in test], t)
        fig = figures(pred, [frames[i]["hand"] for i in test])
        log(f"fold {k}: threshold {t:.2f} (units {tu:.2f}); held out {fig}")
        fold_path = os.path.join(args.out, f"fold-{k}.onnx")
        export(model, fold_path, t, tu, f"fold {k} of {args.folds}: trained on the other folds' patients")
        if args.tta != "none":
            t, tu, fig = calibrate(fold_path, frames, val, test, args.tta, f"fold {k}", log)
        summary["folds"][str(k)] = {"threshold": t, "unit_threshold": tu, "held_out": fig, "tta": args.tta,
                                    "train_frames": len(tr), "validation_frames": len(val)}
        json.dump(summary, open(summary_path, "w"), indent=1, sort_keys=True)
    if args.only_fold is not None:
        return
    ths = [v["threshold"] for v in summary["folds"].values()]
    tus = [v["unit_threshold"] for v in summary["folds"].values()]
    log(f"shipped model: all {len(frames)} frames, threshold {np.mean(ths):.2f} (mean of folds)")
    model = train(frames, np.arange(len(frames)), args.iters, args.seed + 100, log, None, args.full_frames)
    shipped = os.path.join(os.path.dirname(os.path.normpath(args.out)), "hair-detector.onnx")
    export(model, shipped, float(np.mean(ths)), float(np.mean(tus)), f"all {len(frames)} frames of {len(fold_of)} patients", args.tta)
    log(f"wrote {shipped}")


if __name__ == "__main__":
    main()
