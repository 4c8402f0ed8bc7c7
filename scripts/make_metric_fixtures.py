#!/usr/bin/python3
"""Writes packages/eval/fixtures/sklearn/*.json: reference values from scikit-learn 1.2.1 / numpy / scipy
that the TypeScript metrics, statistics, pooling and LinearSVC are tested against.

Run with Debian's interpreter (the one that has sklearn): /usr/bin/python3 scripts/make_metric_fixtures.py
Deterministic: every random draw comes from a fixed numpy seed, and LinearSVC gets random_state=0.
"""
import json
import os
import warnings

import numpy as np
import scipy.stats
import sklearn
from sklearn.exceptions import ConvergenceWarning, UndefinedMetricWarning
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, confusion_matrix, f1_score,
                             precision_score, recall_score)
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

warnings.simplefilter('ignore', UndefinedMetricWarning)
warnings.simplefilter('ignore', UserWarning)  # balanced_accuracy: "y_pred contains classes not in y_true"

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'packages', 'eval', 'fixtures', 'sklearn')
META = {'generator': 'scripts/make_metric_fixtures.py', 'sklearn': sklearn.__version__, 'numpy': np.__version__,
        'scipy': scipy.__version__}


def write(name, payload):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name), 'w') as f:
        json.dump({'meta': META, **payload}, f, separators=(',', ':'))
        f.write('\n')


def fl(a):
    return [float(v) for v in np.asarray(a).ravel()]


def ccc(x, y):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    cov = np.mean((x - x.mean()) * (y - y.mean()))
    return float(2 * cov / (x.var() + y.var() + (x.mean() - y.mean()) ** 2))


def classification_case(name, labels, preds, k, scores=None):
    labels = np.asarray(labels)
    preds = np.asarray(preds)
    all_k = list(range(k))
    case = {
        'name': name, 'numClasses': k, 'labels': labels.tolist(), 'preds': preds.tolist(),
        'accuracy': accuracy_score(labels, preds),
        # sklearn's default: macro over unique_labels(y_true, y_pred)
        'macroF1': f1_score(labels, preds, average='macro', zero_division=0),
        'macroF1AllClasses': f1_score(labels, preds, average='macro', labels=all_k, zero_division=0),
        'f1': fl(f1_score(labels, preds, average=None, labels=all_k, zero_division=0)),
        'precision': fl(precision_score(labels, preds, average=None, labels=all_k, zero_division=0)),
        'recall': fl(recall_score(labels, preds, average=None, labels=all_k, zero_division=0)),
        'support': [int((labels == c).sum()) for c in all_k],
        'balancedAccuracy': balanced_accuracy_score(labels, preds),
        'confusionMatrix': confusion_matrix(labels, preds, labels=all_k).tolist(),
    }
    if scores is not None:
        case['scores'] = np.asarray(scores).round(6).tolist()
    return case


def metric_cases(rng):
    cases = []
    k = 8
    scores = rng.dirichlet(np.ones(k), size=300)
    labels = rng.integers(0, k, 300)
    # make the scores informative so accuracy is neither 0 nor chance
    scores[np.arange(300), labels] += rng.random(300) * 0.6
    scores = scores.round(6)
    cases.append(classification_case('random-8', labels, scores.argmax(1), k, scores))
    p = np.array([0.55, 0.2, 0.1, 0.06, 0.04, 0.03, 0.02])
    labels = rng.choice(7, 400, p=p)
    preds = np.where(rng.random(400) < 0.6, labels, rng.choice(7, 400, p=p))
    cases.append(classification_case('imbalanced-7', labels, preds, 7))
    labels = rng.integers(0, 5, 120)
    preds = np.where(rng.random(120) < 0.5, labels, rng.integers(0, 5, 120))
    preds[preds == 3] = 1  # class 3 is never predicted
    cases.append(classification_case('never-predicted', labels, preds, 5))
    labels = rng.integers(0, 4, 90)  # class 4 never occurs in the labels but is predicted
    preds = np.where(rng.random(90) < 0.6, labels, rng.integers(0, 5, 90))
    cases.append(classification_case('absent-from-labels', labels, preds, 5))
    labels = rng.integers(0, 3, 60)  # classes 3..5 occur nowhere
    preds = np.where(rng.random(60) < 0.7, labels, rng.integers(0, 3, 60))
    cases.append(classification_case('unused-classes', labels, preds, 6))
    cases.append(classification_case('single-sample', [2], [2], 3))
    cases.append(classification_case('single-sample-wrong', [2], [0], 3))
    labels = rng.integers(0, 7, 50)
    cases.append(classification_case('perfect', labels, labels, 7))
    cases.append(classification_case('all-wrong', labels, (labels + 1) % 7, 7))
    return cases


def ccc_cases(rng):
    out = []
    for n, noise, shift in [(200, 0.3, 0.0), (500, 0.8, 0.2), (30, 0.05, -0.4)]:
        t = np.clip(rng.normal(0, 0.4, n), -1, 1).round(6)
        p = np.clip(t * 0.8 + rng.normal(shift, noise, n), -1, 1).round(6)
        out.append({'truth': fl(t), 'pred': fl(p), 'ccc': ccc(t, p)})
    return out


def mcnemar_cases():
    out = []
    for b, c in [(0, 0), (3, 0), (5, 9), (10, 14), (12, 12), (13, 12), (30, 12), (100, 80), (400, 300), (7, 30)]:
        n = b + c
        if n < 25:
            p = 1.0 if n == 0 else min(1.0, 2 * scipy.stats.binom.cdf(min(b, c), n, 0.5))
            out.append({'b': b, 'c': c, 'method': 'exact-binomial', 'statistic': min(b, c), 'pValue': float(p)})
        else:
            stat = (abs(b - c) - 1) ** 2 / n
            out.append({'b': b, 'c': c, 'method': 'chi-square-continuity', 'statistic': stat,
                        'pValue': float(scipy.stats.chi2.sf(stat, 1))})
    return out


def mtl_case(rng):
    n = 400
    vt = rng.uniform(-1, 1, n).round(6)
    at = rng.uniform(-1, 1, n).round(6)
    vp = np.clip(vt * 0.7 + rng.normal(0, 0.3, n), -1, 1).round(6)
    ap = np.clip(at * 0.5 + rng.normal(0.1, 0.4, n), -1, 1).round(6)
    vt[rng.random(n) < 0.2] = -5
    at[rng.random(n) < 0.25] = -5
    et = rng.integers(0, 8, n)
    ep = np.where(rng.random(n) < 0.4, et, rng.integers(0, 8, n))
    et[rng.random(n) < 0.4] = -1
    aut = (rng.random((n, 12)) < 0.3).astype(int)
    aup = np.clip(aut * 0.4 + rng.random((n, 12)) * 0.7, 0, 1).round(6)
    aup[:, 5] = np.where(aup[:, 5] >= 0.5, aup[:, 5], 0.5)  # exact threshold values count as positive
    aut[rng.random((n, 12)) < 0.3] = -1
    vm, am, em = vt != -5, at != -5, et != -1
    cv, ca = ccc(vt[vm], vp[vm]), ccc(at[am], ap[am])
    expr = f1_score(et[em], ep[em], average='macro', labels=list(range(8)), zero_division=0)
    au_f1 = []
    for j in range(12):
        m = aut[:, j] != -1
        au_f1.append(f1_score(aut[m, j], (aup[m, j] >= 0.5).astype(int), zero_division=0))
    return {
        'valenceTrue': fl(vt), 'arousalTrue': fl(at), 'valence': fl(vp), 'arousal': fl(ap),
        'expressionTrue': et.tolist(), 'expression': ep.tolist(), 'auTrue': aut.ravel().tolist(), 'auProb': fl(aup),
        'cccValence': cv, 'cccArousal': ca, 'expressionF1': expr, 'auF1': au_f1,
        'pMtl': (cv + ca) / 2 + expr + float(np.mean(au_f1)),
    }


def lsd_case(rng):
    labels = rng.integers(0, 6, 200)
    preds = np.where(rng.random(200) < 0.55, labels, rng.integers(0, 6, 200))
    preds[preds == 2] = 4  # a class never predicted still counts in the mean of 6
    return {'labels': labels.tolist(), 'preds': preds.tolist(),
            'lsd': f1_score(labels, preds, average='macro', labels=list(range(6)), zero_division=0)}


def pooling_case(rng):
    """numpy reference for the statistics pooling of hsemotion-protocols.md §3.4."""
    d = 5
    afew = []
    for frames, face_rate in [(7, 0.7), (4, 0.0), (1, 1.0), (9, 0.5)]:
        feats = rng.normal(0, 1, (frames, d)).round(6)
        has = rng.random(frames) < face_rate
        if face_rate == 1.0:
            has[:] = True
        face = feats[has]
        if len(face):
            stats = np.concatenate((face.mean(0), face.std(0), face.min(0), face.max(0)))
        else:
            stats = np.zeros(4 * d)
        parts = []
        for sel in (has, ~has):
            x = feats[sel]
            parts.append(np.concatenate((x.mean(0), x.std(0), x.min(0), x.max(0))) * (len(x) / frames)
                         if len(x) else np.zeros(4 * d))
        afew.append({'features': feats.tolist(), 'hasFace': has.tolist(), 'stats': fl(stats),
                     'normalised': fl(normalize(stats[None])[0]), 'weighted': fl(parts[0] + parts[1]),
                     'weightedNormalised': fl(normalize((parts[0] + parts[1])[None])[0])})
    vgaf = []
    for faces_per_frame in [[2, 1, 3], [1], [], [4, 0, 2, 0]]:
        frames = [rng.normal(0, 1, (m, d)).round(6) for m in faces_per_frame]
        per_frame = [np.concatenate((f.mean(0), f.std(0))) for f in frames if len(f)]
        if per_frame:
            pf = np.array(per_frame)
            stats = np.concatenate((pf.mean(0), pf.std(0)))
        else:
            stats = np.zeros(4 * d)
        vgaf.append({'frames': [f.tolist() for f in frames], 'stats': fl(stats),
                     'normalised': fl(normalize(stats[None])[0])})
    return {'dim': d, 'afew': afew, 'vgaf': vgaf}


def svm_dataset(rng, name, k, n_train, n_test, d, c):
    centers = rng.normal(0, 1, (k, d))
    def draw(n):
        y = np.concatenate((np.arange(k), rng.integers(0, k, n - k)))  # every class present
        x = np.abs(centers[y] + rng.normal(0, 1.6, (n, d)))  # pooled CNN statistics are mostly non-negative
        return normalize(x).round(6), y
    xtr, ytr = draw(n_train)
    xte, yte = draw(n_test)
    clf = LinearSVC(C=c, random_state=0).fit(xtr, ytr)
    # The same problem solved far tighter: the unique optimum that any correct dual CD converges to.
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConvergenceWarning)
        tight = LinearSVC(C=c, random_state=0, tol=1e-12, max_iter=200000).fit(xtr, ytr)
    return {
        'name': name, 'numClasses': k, 'C': c, 'dim': d,
        'xTrain': xtr.tolist(), 'yTrain': ytr.tolist(), 'xTest': xte.tolist(), 'yTest': yte.tolist(),
        'predTrain': clf.predict(xtr).tolist(), 'predTest': clf.predict(xte).tolist(),
        'accuracyTest': accuracy_score(yte, clf.predict(xte)),
        'decisionTest': clf.decision_function(xte).round(12).tolist(),
        'coef': clf.coef_.tolist(), 'intercept': fl(clf.intercept_), 'nIter': int(max(np.atleast_1d(clf.n_iter_))),
        'coefTight': tight.coef_.tolist(), 'interceptTight': fl(tight.intercept_),
    }


def main():
    rng = np.random.default_rng(20260123)
    write('metrics.json', {'classification': metric_cases(rng), 'ccc': ccc_cases(rng), 'mcnemar': mcnemar_cases(),
                           'lsd': lsd_case(rng), 'mtl': mtl_case(rng)})
    write('pooling.json', pooling_case(rng))
    write('linear_svc.json', {'datasets': [
        svm_dataset(rng, '3-class C=0.5', 3, 120, 60, 32, 0.5),
        svm_dataset(rng, '7-class C=1.1', 7, 200, 100, 64, 1.1),
        svm_dataset(rng, '3-class C=0.01', 3, 40, 40, 16, 0.01),
        svm_dataset(rng, '7-class C=3.5', 7, 150, 80, 48, 3.5),
        svm_dataset(rng, '2-class C=1.1', 2, 60, 40, 16, 1.1),
    ]})


if __name__ == '__main__':
    main()
