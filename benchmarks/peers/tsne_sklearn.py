#!/usr/bin/python3
"""Peer for the t-SNE benchmark: scikit-learn's TSNE (Barnes-Hut, or exact with METHOD exact) on the same points as ConvVis.

Reads N x D float64 points (raw little-endian, row-major) written by the benchmark's `tsne-peer` command, embeds them
with the settings ConvVis uses (perplexity 30, 1000 iterations, early exaggeration 12 for 250 iterations, PCA start,
learning rate 'auto', theta 0.5), writes the N x 2 embedding as raw float64 and prints one JSON line with the time of
fit_transform (nearest neighbours, affinities and optimisation) and scikit-learn's own final KL estimate.

Needs Debian's python3-sklearn (not installed by scripts/setup.sh: CI does not run peers).
Usage: /usr/bin/python3 tsne_sklearn.py POINTS N D OUT [barnes_hut|exact]
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


if __name__ == "__main__":
    main()
