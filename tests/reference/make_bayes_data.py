"""Write the two-group data sets of the Bayes factor reference (bayes_factor.R).

Run from the repository root: ``python tests/reference/make_bayes_data.py``, then
``Rscript tests/reference/bayes_factor.R``. Every case is drawn here with a fixed seed
from a stated normal model and does not use peereval, so that the reference values
(computed by R's BayesFactor from this file) are independent of the package. Scores are
rounded to two decimals before they are written, so R and Python read the same numbers.

``tests/reference/data/bayes_factor.csv`` (long format: ``case``, ``group``, ``score``;
``group`` is ``yes`` for the treated group, ``no`` for the comparison group):

* ``tiny``: n = 4 and 5, treated mean 0.8 SD higher.
* ``unequal``: n = 9 and 16, means 0.6 apart, the treated SD twice the comparison SD
  (Welch's and Student's t differ, so the test shows which one the Bayes factor uses).
* ``missing``: n = 14 and 17 with values, 0.5 SD apart, plus three rows without a score
  and two without a group (dropped, listwise, before the test).
* ``no_effect``: n = 30 and 28 from one distribution (the Bayes factor favours H0).
* ``large``: n = 12 and 10, means 2 SD apart.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).parent / "data" / "bayes_factor.csv"
SEED = 20261207

#: case -> (n treated, n comparison, treated mean, treated SD) against N(50, 10) scores
CASES = {
    "tiny": (4, 5, 8.0, 10.0),
    "unequal": (9, 16, 6.0, 20.0),
    "missing": (14, 17, 5.0, 10.0),
    "no_effect": (30, 28, 0.0, 10.0),
    "large": (12, 10, 20.0, 10.0),
}


def main() -> Path:
    """Draw every case and write the CSV."""
    rng = np.random.default_rng(SEED)
    frames = []
    for case, (n1, n2, shift, sd1) in CASES.items():
        treated = 50 + shift + sd1 * rng.standard_normal(n1)
        control = 50 + 10 * rng.standard_normal(n2)
        frame = pd.DataFrame({"case": case, "group": ["yes"] * n1 + ["no"] * n2,
                              "score": np.round(np.concatenate([treated, control]), 2)})
        if case == "missing":
            extra = pd.DataFrame({"case": case,
                                  "group": ["yes", "no", "no", None, None],
                                  "score": [np.nan, np.nan, np.nan, 61.25, 38.5]})
            frame = pd.concat([frame, extra], ignore_index=True)
            frame = frame.iloc[rng.permutation(len(frame))]
        frames.append(frame)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    pd.concat(frames, ignore_index=True).to_csv(OUT, index=False, na_rep="NA")
    return OUT


if __name__ == "__main__":
    print(main())
