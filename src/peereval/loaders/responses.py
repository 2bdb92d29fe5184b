"""Moved to :mod:`peereval.responses` (survey answers are read by the loaders and
analysed by perception, screening and reliability alike, so the type lives on the
ground floor). This module keeps the old import path working."""

from peereval.responses import *  # noqa: F403
from peereval.responses import STANDARD_META, __all__, classify_column  # noqa: F401
