#!/usr/bin/python3
"""Writes packages/eval/fixtures/sklearn/svc-*.json: scikit-learn 1.2.1 SVC(kernel='rbf', gamma='scale') fits that
packages/eval/src/protocols/svc-rbf.ts is tested against (predictions, decision values, dual coefficients,
intercepts, support vectors).

Run with Debian's interpreter (the one that has sklearn): /usr/bin/python3 scripts/make_svc_fixtures.py
Deterministic: every draw comes from a fixed numpy seed; libsvm's C-SVC training itself uses no randomness.

The data imitate the VGAF video vectors (hsemotion-protocols.md §3.4): per video, statistics pooled over
frames of non-negative embedding-like features, classes that overlap (so there are bounded and free support
vectors), unequal class sizes, labels in shuffled order; some L2-normalised (enet_b2_8, C=1.9), some not
(mobilenet_7, C=1), one two-class and one 7-class case, and one with a tight tol.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.preprocessing import normalize
from sklearn.svm import SVC

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'packages', 'eval', 'fixtures', 'sklearn')
META = {'generator': 'scripts/make_svc_fixtures.py', 'sklearn': sklearn.__version__, 'numpy': np.__version__}


def pooled(rng, n, k, dim, sep, class_p):
    """n videos: each a few frames of `dim/2`-D features around its class centre, pooled to [mean, std]."""
    half = dim // 2
    centres = np.abs(rng.normal(0.0, 1.0, (k, half)))
    labels = rng.choice(k, n, p=class_p)
    xs = []
    for c in labels:
        frames = rng.integers(2, 9)
        centre = centres[c] * sep + np.abs(rng.normal(0.0, 1.0, half)) * (1 - sep)
        f = np.maximum(centre + rng.normal(0.0, 0.6, (frames, half)), 0.0)
        xs.append(np.concatenate([f.mean(0), f.std(0)]))
    return np.asarray(xs), labels


def case(name, seed, n_train, n_test, k, dim, C, l2, sep=0.35, scale=1.0, class_p=None, tol=1e-3):
    rng = np.random.default_rng(seed)
    if class_p is None:
        class_p = np.ones(k) / k
    x, y = pooled(rng, n_train + n_test, k, dim, sep, class_p)
    x = x * scale
    if l2:
        x = normalize(x)
    # Rounded so the JSON stays small; the rounded values are what both implementations fit.
    x = np.round(x, 6)
    xtr, ytr, xte, yte = x[:n_train], y[:n_train], x[n_train:], y[n_train:]
    clf = SVC(kernel='rbf', C=C, gamma='scale', tol=tol).fit(xtr, ytr)
    dec_ovr = clf.decision_function(xte)
    clf.decision_function_shape = 'ovo'
    dec_ovo = clf.decision_function(xte)
    payload = {
        'name': name, 'numClasses': k, 'C': C, 'tol': tol, 'l2Normalised': l2,
        'xTrain': xtr.tolist(), 'yTrain': ytr.tolist(), 'xTest': xte.tolist(), 'yTest': yte.tolist(),
        'gamma': float(clf._gamma),
        'predTrain': clf.predict(xtr).tolist(), 'predTest': clf.predict(xte).tolist(),
        'decisionTest': np.atleast_2d(dec_ovr.T).T.reshape(n_test, -1).tolist(),
        'decisionOvoTest': np.asarray(dec_ovo).reshape(n_test, -1).tolist(),
        'nSupport': clf.n_support_.tolist(), 'support': clf.support_.tolist(),
        'dualCoef': clf.dual_coef_.tolist(), 'intercept': clf.intercept_.tolist(),
        'nIter': clf.n_iter_.tolist(),
    }
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, f'svc-{name}.json'), 'w') as f:
        json.dump({'meta': META, **payload}, f, separators=(',', ':'))
        f.write('\n')
    print(f'svc-{name}: n_support {clf.n_support_.tolist()}, n_iter {clf.n_iter_.tolist()}, '
          f'train acc {(clf.predict(xtr) == ytr).mean():.3f}, test acc {(clf.predict(xte) == yte).mean():.3f}')


if __name__ == '__main__':
    case('vgaf-l2-c1.9', 1, 240, 60, 3, 64, 1.9, True, class_p=[0.3, 0.4, 0.3])
    case('vgaf-raw-c1', 2, 200, 60, 3, 48, 1.0, False, scale=2.5, class_p=[0.35, 0.25, 0.4])
    case('small-l2-c1', 3, 40, 30, 3, 16, 1.0, True)
    case('wide-raw-c1.9', 4, 150, 50, 3, 128, 1.9, False, sep=0.2)
    case('overlap-raw-c1.9', 7, 300, 60, 3, 32, 1.9, False, sep=0.05, scale=4.0)
    case('seven-class-l2-c1', 5, 280, 70, 7, 32, 1.0, True, sep=0.5)
    case('binary-raw-c1', 6, 100, 40, 2, 24, 1.0, False, scale=0.3, class_p=[0.6, 0.4])
    # A tight tol on short pairwise problems (shrinking every ~60 iterations) walks libsvm's shrink, unshrink
    # and gradient-reconstruction paths many times.
    case('tight-tol-raw-c1.9', 8, 90, 30, 3, 24, 1.9, False, sep=0.1, scale=3.0, tol=1e-7)
