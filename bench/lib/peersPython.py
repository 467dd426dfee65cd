"""The Python side of bench/peers.ts: scikit-learn's KMeans and umap-learn on a matrix that the
Node side wrote (raw little-endian float32, row-major), one JSON line on stdout per call.

  peersPython.py probe
  peersPython.py kmeans MATRIX N D K RESTARTS SEED
  peersPython.py umap MATRIX N D SEED EMBEDDING_OUT

Only the fit is timed (wall and process CPU time); reading the matrix and importing the libraries are not. The caller sets
the thread counts (OMP_NUM_THREADS etc.) in the environment.
"""
import json
import sys
import time


def blas():
    try:
        from threadpoolctl import threadpool_info
        import numpy  # noqa: F401  (loads the BLAS threadpoolctl reports)

        return [
            {k: i.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for i in threadpool_info()
        ]
    except Exception as e:  # threadpoolctl missing or failing: say so rather than guess
        return [{"error": f"{type(e).__name__}: {e}"}]


def load(path, n, d):
    import numpy as np

    return np.fromfile(path, dtype=np.float32).reshape(n, d)


def probe():
    out = {"python": sys.version.split()[0]}
    for name in ("numpy", "sklearn", "umap", "threadpoolctl"):
        try:
            out[name] = __import__(name).__version__
        except Exception as e:
            out[name] = None
            out[name + "_error"] = f"{type(e).__name__}: {e}"
    return out


def kmeans(path, n, d, k, restarts, seed):
    from sklearn.cluster import KMeans

    X = load(path, n, d)
    c = time.process_time()
    t = time.perf_counter()
    km = KMeans(n_clusters=k, n_init=restarts, init="k-means++", algorithm="lloyd", random_state=seed).fit(X)
    seconds = time.perf_counter() - t
    cpu_seconds = time.process_time() - c
    # inertia_ is float32 for float32 input: recompute it in float64 to compare with ours.
    import numpy as np

    C = km.cluster_centers_.astype(np.float64)
    diff = X.astype(np.float64) - C[km.labels_]
    inertia64 = float(np.einsum("ij,ij->", diff, diff))
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "inertia": inertia64, "inertia_sklearn": float(km.inertia_), "n_iter": int(km.n_iter_), "blas": blas()}


def umap_fit(path, n, d, seed, out_path):
    import numpy as np
    import umap

    X = load(path, n, d)
    # The first fit in a process compiles umap-learn's and pynndescent's numba kernels (tens of
    # seconds): a fit on the first 2,000 rows does that before the clock starts, so the timed fit is
    # a warm one. Below 4,096 points umap-learn would use exact neighbours and leave NN-descent
    # uncompiled: force_approximation_algorithm makes the warm-up take the path the timed fit takes.
    t = time.perf_counter()
    umap.UMAP(n_neighbors=15, min_dist=0.1, n_components=2, random_state=seed, force_approximation_algorithm=True).fit_transform(X[:2000])
    warmup = time.perf_counter() - t
    c = time.process_time()
    t = time.perf_counter()
    emb = umap.UMAP(n_neighbors=15, min_dist=0.1, n_components=2, random_state=seed).fit_transform(X)
    seconds = time.perf_counter() - t
    cpu_seconds = time.process_time() - c
    np.ascontiguousarray(emb, dtype=np.float32).tofile(out_path)
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "warmup_seconds": warmup, "umap": umap.__version__ if hasattr(umap, "__version__") else None, "blas": blas()}


def main(argv):
    cmd = argv[0]
    if cmd == "probe":
        r = probe()
    elif cmd == "kmeans":
        path, n, d, k, restarts, seed = argv[1], *map(int, argv[2:7])
        r = kmeans(path, n, d, k, restarts, seed)
    elif cmd == "umap":
        path, n, d, seed, out = argv[1], int(argv[2]), int(argv[3]), int(argv[4]), argv[5]
        r = umap_fit(path, n, d, seed, out)
    else:
        raise SystemExit(f"unknown command {cmd!r}")
    print(json.dumps(r))


if __name__ == "__main__":
    main(sys.argv[1:])
