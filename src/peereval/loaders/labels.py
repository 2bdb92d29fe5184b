"""Moved to :mod:`peereval.labels` (response vocabularies are used by the loaders and
by the analyses alike, so they live on the ground floor). This module keeps the old
import path working for one release."""

from peereval.labels import *  # noqa: F403
from peereval.labels import __all__  # noqa: F401
