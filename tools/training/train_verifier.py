#!/usr/bin/env python3
"""Offline trainer of the hair-candidate verifier (models/hair-verifier.onnx).

Reads the CSV written by `SmpVision.Tools export-candidates`, trains on EVEN patients only
(last digit of the patient id even, as `eval-trichoscopy --patients even`), picks the model kind
and the score threshold on even patients with patient-grouped out-of-fold scores, refits on all
even patients, writes the ONNX graph by hand with onnx.helper (standardisation + Gemm/Relu/Sigmoid,
opset 13) and reports the odd (held-out) patients once, at the end. Nothing is tuned on odd.

Needs only Debian packages: apt-get install -y python3-sklearn python3-onnx python3-numpy.
Usage: /usr/bin/python3 tools/training/train_verifier.py CANDIDATES.csv OUT.onnx [--seed 0]
"""
import argparse
import csv
import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, log_loss
from sklearn.model_selection import GroupKFold
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

META = ["image", "patient", "hand", "boxes", "hair_id"]
TAIL = ["label", "inside_fraction", "emergence_x", "emergence_y", "tip_x", "tip_y"]


def load(path):
    with open(path, newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    feat_names = header[len(META):header.index("label")]
    return header, feat_names, rows


def is_even(patient):
    digits = [c for c in patient if c.isdigit()]
    return bool(digits) and int(digits[-1]) % 2 == 0


def count_errors(frames, keep_score, threshold):
    """Per-frame (predicted counted hairs, hand count) after dropping hairs scoring < threshold."""
    pct, signed = [], []
    for image, (hand, idx, counted) in frames.items():
        pred = sum(1 for i, c in zip(idx, counted) if c and keep_score[i] >= threshold)
        if hand > 0:
            pct.append(100.0 * abs(pred - hand) / hand)
            signed.append(100.0 * (pred - hand) / hand)
    return float(np.median(pct)), float(np.mean(signed))


def frames_of(rows, col, mask):
    frames = {}
    for i, r in enumerate(rows):
        if not mask[i]:
            continue
        hand, idx, counted = frames.setdefault(r[col["image"]], (int(r[col["hand"]]), [], []))
        if r[col["hair_id"]] != "-1":
            idx.append(i)
            counted.append(float(r[col["counted"]]) > 0.5)
    return frames


def make(kind, seed):
    if kind == "logistic":
        return LogisticRegression(C=1.0, max_iter=2000)
    hidden = int(kind.split("-")[1])
    return MLPClassifier(hidden_layer_sizes=(hidden,), alpha=1e-2, max_iter=2000, early_stopping=True,
                         validation_fraction=0.15, random_state=seed)


def weights_of(model, kind):
    if kind == "logistic":
        return [(model.coef_.T.astype(np.float32), model.intercept_.astype(np.float32))]
    return [(w.astype(np.float32), b.astype(np.float32)) for w, b in zip(model.coefs_, model.intercepts_)]


def to_onnx(scaler, layers, feat_names, out_path, doc):
    n_feat = len(feat_names)
    inits = [
        numpy_helper.from_array(scaler.mean_.astype(np.float32).reshape(1, -1), "feature_mean"),
        numpy_helper.from_array(scaler.scale_.astype(np.float32).reshape(1, -1), "feature_scale"),
    ]
    nodes = [
        helper.make_node("Sub", ["features", "feature_mean"], ["centred"]),
        helper.make_node("Div", ["centred", "feature_scale"], ["standardised"]),
    ]
    x = "standardised"
    for k, (w, b) in enumerate(layers):
        inits.append(numpy_helper.from_array(w, f"w{k}"))
        inits.append(numpy_helper.from_array(b, f"b{k}"))
        nodes.append(helper.make_node("Gemm", [x, f"w{k}", f"b{k}"], [f"z{k}"]))
        x = f"z{k}"
        if k < len(layers) - 1:
            nodes.append(helper.make_node("Relu", [x], [f"h{k}"]))
            x = f"h{k}"
    nodes.append(helper.make_node("Sigmoid", [x], ["score"]))
    graph = helper.make_graph(
        nodes, "hair_verifier",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", n_feat])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["N", 1])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="smpvision-train-verifier")
    model.ir_version = 8
    model.doc_string = doc
    helper.set_model_props(model, {"features": ",".join(feat_names)})
    onnx.checker.check_model(model)
    onnx.save(model, out_path)


def forward(scaler, layers, x):
    h = (x - scaler.mean_) / scaler.scale_
    for k, (w, b) in enumerate(layers):
        h = h @ w + b
        if k < len(layers) - 1:
            h = np.maximum(h, 0)
    return 1 / (1 + np.exp(-h[:, 0]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("candidates")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--metrics", default=None, help="write the metrics as JSON here")
    a = ap.parse_args()
    header, feat_names, rows = load(a.candidates)
    col = {h: i for i, h in enumerate(header)}
    det = np.array([r[col["hair_id"]] != "-1" for r in rows])
    even = np.array([is_even(r[col["patient"]]) for r in rows])
    X = np.array([[float(v) for v in r[len(META):col["label"]]] for r in rows], dtype=np.float64)
    y = np.array([int(r[col["label"]]) for r in rows])
    groups = np.array([r[col["patient"]] for r in rows])
    tr = det & even
    print(f"features: {len(feat_names)}; even detections {tr.sum()} ({y[tr].mean():.1%} matched a box), odd {(det & ~even).sum()}")

    even_frames = frames_of(rows, col, even)
    odd_frames = frames_of(rows, col, ~even)
    thresholds = np.round(np.arange(0.0, 0.61, 0.01), 2)
    best = None
    gkf = GroupKFold(n_splits=5)
    idx_tr = np.where(tr)[0]
    for kind in ["logistic", "mlp-8", "mlp-16"]:
        oof = np.ones(len(rows))
        for fit_i, val_i in gkf.split(idx_tr, y[idx_tr], groups[idx_tr]):
            fi, vi = idx_tr[fit_i], idx_tr[val_i]
            sc = StandardScaler().fit(X[fi])
            m = make(kind, a.seed).fit(sc.transform(X[fi]), y[fi])
            oof[vi] = m.predict_proba(sc.transform(X[vi]))[:, 1]
        auc = roc_auc_score(y[idx_tr], oof[idx_tr])
        ll = log_loss(y[idx_tr], oof[idx_tr])
        curve = [(t, *count_errors(even_frames, oof, t)) for t in thresholds]
        t_best, med, sgn = min(curve, key=lambda c: (c[1], abs(c[2])))
        print(f"{kind:9s} even OOF AUC {auc:.3f} logloss {ll:.3f}; best threshold {t_best:.2f}: median abs {med:.1f}% signed {sgn:+.1f}% (no drop {curve[0][1]:.1f}% {curve[0][2]:+.1f}%)")
        if best is None or (med, ll) < (best[2], best[4]):
            best = (kind, t_best, med, sgn, ll, auc, curve)

    kind, t_best, med, sgn, ll, auc, curve = best
    print(f"chosen: {kind}, threshold {t_best:.2f} (even OOF median abs {med:.1f}%, signed {sgn:+.1f}%)")
    sc = StandardScaler().fit(X[tr])
    m = make(kind, a.seed).fit(sc.transform(X[tr]), y[tr])
    layers = weights_of(m, kind)
    p_all = forward(sc, layers, X)
    assert np.allclose(p_all[det], m.predict_proba(sc.transform(X[det]))[:, 1], atol=1e-5)
    doc = (f"SmpVision hair-candidate verifier: {kind}, trained on even patients of trichoscopy-dev "
           f"({tr.sum()} detections); threshold {t_best:.2f}; see models/README.md")
    to_onnx(sc, layers, feat_names, a.out, doc)

    # Held-out report: odd patients, threshold fixed above.
    te = det & ~even
    odd_auc = roc_auc_score(y[te], p_all[te])
    before = count_errors(odd_frames, np.ones(len(rows)), 0.0)
    after = count_errors(odd_frames, p_all, t_best)
    ev_before = count_errors(even_frames, np.ones(len(rows)), 0.0)
    ev_after = count_errors(even_frames, p_all, t_best)
    print(f"even (train, refit) median abs / mean signed: before {ev_before[0]:.1f}% {ev_before[1]:+.1f}%, after {ev_after[0]:.1f}% {ev_after[1]:+.1f}%")
    print(f"ODD (held out): AUC {odd_auc:.3f}; median abs / mean signed: before {before[0]:.1f}% {before[1]:+.1f}%, after {after[0]:.1f}% {after[1]:+.1f}%")
    # Patient bootstrap of the held-out change (reporting only: nothing is chosen from it).
    rng = np.random.default_rng(a.seed)
    odd_patients = sorted({r[col["patient"]] for i, r in enumerate(rows) if not even[i]})
    by_patient = {p: {} for p in odd_patients}
    for image, fr in odd_frames.items():
        p = rows[fr[1][0]][col["patient"]] if fr[1] else next(r[col["patient"]] for r in rows if r[col["image"]] == image)
        by_patient[p][image] = fr
    deltas_med, deltas_mean = [], []
    for _ in range(2000):
        pick = rng.choice(odd_patients, size=len(odd_patients), replace=True)
        sample = {}
        for k, p in enumerate(pick):
            for image, fr in by_patient[p].items():
                sample[(k, image)] = fr
        b0 = count_errors(sample, np.ones(len(rows)), 0.0)
        b1 = count_errors(sample, p_all, t_best)
        deltas_med.append(b1[0] - b0[0])
        deltas_mean.append(b1[1] - b0[1])
    lo, hi = np.percentile(deltas_med, [2.5, 97.5])
    slo, shi = np.percentile(deltas_mean, [2.5, 97.5])
    print(f"odd patient bootstrap (2000): change of median abs {np.mean(deltas_med):+.1f} points (95% {lo:+.1f} .. {hi:+.1f}), "
          f"of mean signed {np.mean(deltas_mean):+.1f} points (95% {slo:+.1f} .. {shi:+.1f})")
    dropped = int(((p_all < t_best) & te).sum())
    print(f"odd detections dropped: {dropped} of {te.sum()}")
    fixed = np.array([[float(v) for v in rows[int(np.where(det)[0][0])][len(META):col["label"]]]])
    print("fixed vector (first detection):", json.dumps([float(v) for v in fixed[0]]), "score", float(forward(sc, layers, fixed)[0]))
    if a.metrics:
        with open(a.metrics, "w") as fh:
            json.dump({"kind": kind, "threshold": t_best, "even_oof_auc": auc, "even_oof_median_abs": med, "even_oof_signed": sgn,
                       "odd_auc": odd_auc, "odd_before": before, "odd_after": after, "curve": curve}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
