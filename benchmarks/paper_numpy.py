"""The reference for ``mmsim paper``'s start-up: the same experiment as a bare numpy script.

Avellaneda and Stoikov (2008), section 3.3: s0 = 100, T = 1, sigma = 2, dt = 0.005, A = 140, k = 1.5, the mid moves
+/- sigma sqrt(dt) with equal probability each step; each step the strategy quotes, each side fills with
probability min(1, A exp(-k delta) dt), then the mid moves. 1000 paths per gamma (0.1, 0.01, 1); the inventory
strategy against a symmetric one with the same average spread. Prints the same five columns as ``mmsim paper``.

Its own random numbers (one generator, not mmsim's per-path seeds), so its figures agree with ``mmsim paper``'s
within Monte Carlo error, not digit for digit. ``bench_startup.py`` times it beside ``mmsim paper``::

    python benchmarks/paper_numpy.py
"""

import numpy as np

S0, T, SIGMA, DT, A, K, PATHS = 100.0, 1.0, 2.0, 0.005, 140.0, 1.5, 1000
STEPS = round(T / DT)


def run(gamma: float, symmetric_spread: float | None, moves: np.ndarray, uniforms: np.ndarray) -> list[float]:
    """One table row: average spread, mean and std of profit, mean and std of final inventory."""
    mid = np.full(PATHS, S0)
    q = np.zeros(PATHS)
    cash = np.zeros(PATHS)
    spreads = 0.0
    for step in range(STEPS):
        left = T - step * DT
        if symmetric_spread is None:
            spread = gamma * SIGMA ** 2 * left + 2.0 / gamma * np.log1p(gamma / K)
            reservation = mid - q * gamma * SIGMA ** 2 * left
        else:
            spread, reservation = symmetric_spread, mid
        bid, ask = reservation - spread / 2, reservation + spread / 2
        spreads += spread
        bought = uniforms[step, 0] < np.minimum(1.0, A * np.exp(-K * (mid - bid)) * DT)
        sold = uniforms[step, 1] < np.minimum(1.0, A * np.exp(-K * (ask - mid)) * DT)
        q += bought.astype(float) - sold
        cash += np.where(sold, ask, 0.0) - np.where(bought, bid, 0.0)
        mid = mid + moves[step]
    profit = cash + q * mid
    return [spreads / STEPS, profit.mean(), profit.std(ddof=1), q.mean(), q.std(ddof=1)]


def main() -> None:
    rng = np.random.default_rng(0)
    moves = np.where(rng.random((STEPS, PATHS)) < 0.5, 1.0, -1.0) * SIGMA * np.sqrt(DT)
    uniforms = rng.random((STEPS, 2, PATHS))
    print(f"{'gamma':>6} {'strategy':>10} {'spread':>8} {'profit':>8} {'std':>8} {'final q':>8} {'std q':>8}")
    for gamma in (0.1, 0.01, 1.0):
        inventory = run(gamma, None, moves, uniforms)
        symmetric = run(gamma, inventory[0], moves, uniforms)
        for name, row in (("inventory", inventory), ("symmetric", symmetric)):
            print(f"{gamma:>6g} {name:>10} " + " ".join(f"{x:8.3f}" for x in row))


if __name__ == "__main__":
    main()
