"""peereval: evaluate peer-mentoring programmes in medical education.

Two questions drive every study: is the questionnaire valid and reliable, and did
mentored students do better than comparable students who were not mentored?

The names users type most are available here; they are imported on first use so
that ``import peereval`` stays fast (pandas, scipy, statsmodels and matplotlib take
seconds to import).

>>> import peereval
>>> responses = peereval.read_export(peereval.sample_path("survey"))
>>> len(responses) > 100
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from peereval.errors import PeerevalError, PeerevalWarning

__version__ = "0.1.0.dev0"

_LAZY = {
    "read_export": "peereval.loaders",
    "Responses": "peereval.responses",
    "Item": "peereval.responses",
    "read_records": "peereval.loaders.records",
    "read_expert_panel": "peereval.loaders.panel",
    "link": "peereval.loaders.records",
    "Records": "peereval.loaders.records",
    "Instrument": "peereval.instrument",
    "Scale": "peereval.instrument",
    "load_sample": "peereval.datasets",
    "sample_path": "peereval.datasets",
}
_SUBMODULES = {"quality", "loaders", "instrument", "datasets", "errors", "reliability",
               "validity", "outcomes", "perception", "figures", "report"}

__all__ = [
    "Instrument",
    "Item",
    "PeerevalError",
    "PeerevalWarning",
    "Records",
    "Responses",
    "Scale",
    "__version__",
    "figures",
    "link",
    "load_sample",
    "outcomes",
    "perception",
    "quality",
    "read_expert_panel",
    "read_export",
    "read_records",
    "reliability",
    "report",
    "sample_path",
    "validity",
]

if TYPE_CHECKING:
    from peereval import figures, outcomes, perception, quality, reliability, report, validity
    from peereval.datasets import load_sample, sample_path
    from peereval.instrument import Instrument, Scale
    from peereval.loaders import read_export
    from peereval.loaders.panel import read_expert_panel
    from peereval.loaders.records import Records, link, read_records
    from peereval.responses import Item, Responses


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        module = importlib.import_module(f"peereval.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'peereval' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
