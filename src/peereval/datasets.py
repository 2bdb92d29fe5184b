"""The bundled sample study.

The files live in ``data/sample/`` of the repository and are installed inside the
package (``peereval/_sample``); :func:`sample_path` finds them either way. They are
synthetic, written by ``data/sample/make_sample.py`` with a fixed seed; the planted
effects are listed in ``data/sample/README.md``.
"""

from __future__ import annotations

from pathlib import Path

from peereval.errors import PeerevalError

__all__ = ["SAMPLE_FILES", "load_sample", "sample_dir", "sample_path"]

SAMPLE_FILES = {
    "study": "study.toml",
    "survey": "survey.csv",
    "retest": "survey_retest.csv",
    "codebook": "codebook.toml",
    "records": "records.xlsx",
    "expert_panel": "expert_panel.xlsx",
    "readme": "README.md",
    "generator": "make_sample.py",
}


def sample_dir() -> Path:
    """Folder holding the sample study files.

    Returns
    -------
    pathlib.Path
        The installed ``_sample`` folder, or ``data/sample`` of a source checkout.

    Raises
    ------
    PeerevalError
        When neither holds the sample study.

    Examples
    --------
    >>> from peereval.datasets import sample_dir
    >>> (sample_dir() / "study.toml").is_file()
    True
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_sample", here.parent.parent / "data" / "sample"):
        if (candidate / "study.toml").is_file():
            return candidate
    raise PeerevalError(
        "the sample study files are not installed",
        hint="reinstall peereval (pip install --force-reinstall peereval)",
    )


def sample_path(name: str = "study") -> Path:
    """Path of one sample file: ``study``, ``survey``, ``retest``, ``codebook``,
    ``records``, ``expert_panel``, ``readme`` or ``generator``.

    Parameters
    ----------
    name
        Which file (a key of ``SAMPLE_FILES``).

    Returns
    -------
    pathlib.Path
        The file's path inside :func:`sample_dir`.

    Raises
    ------
    KeyError
        For an unknown ``name``.

    Examples
    --------
    >>> sample_path("codebook").name
    'codebook.toml'
    """
    if name not in SAMPLE_FILES:
        raise KeyError(f"no sample file {name!r}; choose from {sorted(SAMPLE_FILES)}")
    return sample_dir() / SAMPLE_FILES[name]


def load_sample():
    """Read, screen and score the sample study.

    Returns
    -------
    peereval.study.StudyData
        ``responses`` (the Qualtrics export as read), ``instrument``, ``screening``,
        ``screened`` (after dropping the flags listed in study.toml), ``flow``
        (respondents kept at each step), ``scores``, ``retest`` and ``records``.

    Examples
    --------
    >>> import peereval
    >>> study = peereval.load_sample()
    >>> study.records.groups().to_dict()
    {'no': 137, 'yes': 163}
    """
    from peereval.study import read_study

    return read_study(sample_path("study")).load()
