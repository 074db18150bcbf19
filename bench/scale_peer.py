"""Batched numpy peer of `npm run bench -- scale`: Picard iteration p <- min(pbar, max(0, p A + c - x)) from p = pbar
on up to 10,000 scenarios at once (one matrix product per step, OpenBLAS), stopping when no payment moves by more
than 1e-9 * max pbar. Reads pbar.f64 (n x n, row = debtor), c.f64 and b.f64 from DIR; shocks x = F * c * U.
Prints one JSON line: ms per scenario, steps, mean defaults, peak RSS."""
import json, resource, sys, time
import numpy as np

directory, n, fraction, scenarios = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
pbar_matrix = np.fromfile(f"{directory}/pbar.f64", dtype="<f8").reshape(n, n)
c = np.fromfile(f"{directory}/c.f64", dtype="<f8")
b = np.fromfile(f"{directory}/b.f64", dtype="<f8")
pbar = b + pbar_matrix.sum(axis=1)
a = np.divide(pbar_matrix, pbar[:, None], out=np.zeros_like(pbar_matrix), where=pbar[:, None] > 0)
rng = np.random.default_rng(1)
tolerance = 1e-9 * pbar.max()
started = time.perf_counter()
steps = 0
defaults = 0
for first in range(0, scenarios, 10_000):
    count = min(10_000, scenarios - first)
    cash = c - fraction * c * rng.uniform(size=(count, n))
    p = np.tile(pbar, (count, 1))
    while True:
        steps += 1
        nxt = np.minimum(pbar, np.maximum(0.0, p @ a + cash))
        moved = np.abs(nxt - p).max()
        p = nxt
        if moved <= tolerance:
            break
    defaults += int((p < pbar).sum())
seconds = time.perf_counter() - started
print(json.dumps({
    "msPerScenario": 1000 * seconds / scenarios,
    "steps": steps,
    "meanDefaults": defaults / scenarios,
    "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "numpy": np.__version__,
}))
