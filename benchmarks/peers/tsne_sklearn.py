#!/usr/bin/python3
"""Peer for the t-SNE benchmark: scikit-learn's TSNE (Barnes-Hut, or exact with METHOD exact) on the same points as ConvVis.

Reads N x D float64 points (raw little-endian, row-major) written by the benchmark's `tsne-peer` command, embeds them
with the settings ConvVis uses (perplexity 30, 1000 iterations, early exaggeration 12 for 250 iterations, PCA start,
learning rate 'auto', theta 0.5), writes the N x 2 embedding as raw float64 and prints one JSON line with the time of
fit_transform (nearest neighbours, affinities and optimisation) and scikit-learn's own final KL estimate.

Needs Debian's python3-sklearn (not installed by scripts/setup.sh: CI does not run peers).
With METHOD exact-steps it does not run the whole fit (scikit-learn's exact method loops over the points in Python;
about an hour at 5,000 points on this machine): it times the exact affinities once and STEPS calls of the exact
objective (gradient without the error, as 950 of the 1000 iterations are), and prints the median seconds per call
and the projected fit time (affinities + 1000 x that median).
Usage: /usr/bin/python3 tsne_sklearn.py POINTS N D OUT [barnes_hut|exact|exact-steps [STEPS]]
"""
import json
import sys
import time

import numpy as np
from sklearn.manifold import TSNE


def main():
    points, n, d, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    method = sys.argv[5] if len(sys.argv) > 5 else "barnes_hut"
    x = np.fromfile(points, dtype="<f8").reshape(n, d)
    if method == "exact-steps":
        exact_steps(x, int(sys.argv[6]) if len(sys.argv) > 6 else 5)
        return
    kwargs = dict(n_components=2, perplexity=30.0, early_exaggeration=12.0, learning_rate="auto", init="pca",
                  method=method, angle=0.5, random_state=0)
    # The iteration count's name changed in scikit-learn 1.5 (n_iter -> max_iter).
    try:
        tsne = TSNE(max_iter=1000, **kwargs)
    except TypeError:
        tsne = TSNE(n_iter=1000, **kwargs)
    start = time.perf_counter()
    y = tsne.fit_transform(x)
    seconds = time.perf_counter() - start
    np.ascontiguousarray(y, dtype="<f8").tofile(out)
    import sklearn
    print(json.dumps({"seconds": seconds, "kl": float(tsne.kl_divergence_), "sklearn": sklearn.__version__}))


def exact_steps(x, steps):
    """Times what TSNE(method='exact').fit_transform does: affinities once, then one objective call per iteration."""
    import sklearn
    from sklearn.manifold._t_sne import _joint_probabilities, _kl_divergence
    from sklearn.metrics import pairwise_distances

    n = x.shape[0]
    start = time.perf_counter()
    p = _joint_probabilities(pairwise_distances(x, metric="euclidean", squared=True), 30.0, 0)
    affinities = time.perf_counter() - start
    rng = np.random.RandomState(0)
    params = (1e-4 * rng.standard_normal((n, 2))).astype(np.float32).ravel()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        _kl_divergence(params, p, 1, n, 2, compute_error=False)
        times.append(time.perf_counter() - start)
    per_iteration = float(np.median(times))
    print(json.dumps({"affinities": affinities, "per_iteration": per_iteration, "seconds": affinities + 1000 * per_iteration,
                      "sklearn": sklearn.__version__}))


if __name__ == "__main__":
    main()
