"""``study.toml``: one file naming every input of a study and how to treat it.

The command line is a thin shell over this module: :func:`read_study` validates the
file up front (every problem names the key and the fix) and :meth:`Study.load` reads
the inputs it names. Paths are relative to the ``study.toml`` file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peereval.errors import ConfigError
from peereval.quality import FLAGS

__all__ = ["Study", "StudyData", "read_study"]

_SECTIONS: dict[str, set[str]] = {
    "study": {"title", "institution", "design", "seed", "kirkpatrick", "description"},
    "survey": {"export", "platform", "codebook", "id", "sheet", "encoding", "dictionary"},
    "retest": {"export", "platform", "interval_days", "sheet", "encoding"},
    "records": {"file", "id", "group", "treated", "sheet", "encoding"},
    "expert_panel": {"file", "relevance_sheet", "essentiality_sheet", "importance_sheet",
                     "essentiality_file", "importance_file"},
    "outcomes": {"continuous", "binary", "baseline", "covariates", "cluster"},
    "screening": {"drop", "speed_fraction"},
    "privacy": {"min_cell", "key_env"},
}
_REQUIRED = {"survey": {"export", "codebook"}, "records": {"file", "id", "group"},
             "retest": {"export"}, "expert_panel": {"file"}}


@dataclass(frozen=True)
class Study:
    """A validated ``study.toml``.

    Sections are kept as dicts of their keys (paths already resolved and checked);
    ``survey`` is required, the others optional.
    """

    path: Path
    title: str
    survey: Mapping[str, Any]
    records: Mapping[str, Any] | None = None
    retest: Mapping[str, Any] | None = None
    expert_panel: Mapping[str, Any] | None = None
    outcomes: Mapping[str, Any] = field(default_factory=dict)
    screening_drop: tuple[str, ...] = ("test_response", "unfinished", "duplicate_id")
    speed_fraction: float = 0.3
    min_cell: int = 10
    key_env: str = "PEEREVAL_LINK_KEY"
    seed: int | None = None
    info: Mapping[str, Any] = field(default_factory=dict)

    def load(self) -> StudyData:
        """Read the survey, codebook, retest and records; screen and score the survey."""
        from peereval.instrument import Instrument
        from peereval.loaders import read_export
        from peereval.loaders.records import read_records
        from peereval.quality import screen

        survey = self.survey
        responses = read_export(survey["export"], survey.get("platform", "auto"),
                                sheet=survey.get("sheet"), encoding=survey.get("encoding"),
                                dictionary=survey.get("dictionary"))
        instrument = Instrument.from_toml(survey["codebook"])
        screening = screen(responses, instrument, id_column=survey.get("id"),
                           speed_fraction=self.speed_fraction)
        screened, flow = screening.apply(responses, self.screening_drop)
        scores = instrument.score(screened)
        retest = None
        if self.retest is not None:
            retest = read_export(self.retest["export"], self.retest.get("platform", "auto"),
                                 sheet=self.retest.get("sheet"),
                                 encoding=self.retest.get("encoding"))
        records = None
        if self.records is not None:
            records = read_records(self.records["file"], id=self.records["id"],
                                   group=self.records["group"], sheet=self.records.get("sheet"),
                                   encoding=self.records.get("encoding"))
        return StudyData(self, responses, instrument, screening, screened, flow, scores,
                         retest, records)


@dataclass(frozen=True)
class StudyData:
    """The inputs of a study, read, screened and scored."""

    study: Study
    responses: Any
    instrument: Any
    screening: Any
    screened: Any
    flow: Any
    scores: Any
    retest: Any = None
    records: Any = None


def read_study(path: str | Path) -> Study:
    """Read and validate a ``study.toml``.

    Raises
    ------
    ConfigError
        Naming the key at fault (``survey.export``) and how to fix it: unknown
        sections or keys (with the allowed ones), missing required keys, files that
        do not exist, values of the wrong type.

    Examples
    --------
    >>> import peereval
    >>> from peereval.study import read_study
    >>> read_study(peereval.sample_path("study")).records["group"]
    'mentored'
    """
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError("the study file does not exist", file=path,
                          hint="give the path of study.toml (peereval init writes one)"
                          ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the study file is not valid TOML: {exc}", file=path,
                          hint="check quotes, brackets and '=' on the line named") from None
    base = path.parent

    def fail(key: str, message: str, hint: str) -> ConfigError:
        return ConfigError(message, file=path, column=key, hint=hint)

    for section, content in data.items():
        if section not in _SECTIONS:
            raise fail(section, f"unknown section [{section}]",
                       "sections: " + ", ".join(f"[{s}]" for s in _SECTIONS))
        if not isinstance(content, Mapping):
            raise fail(section, f"{section} must be a table", f"write it as [{section}]")
        unknown = set(content) - _SECTIONS[section]
        if unknown:
            key = sorted(unknown)[0]
            raise fail(f"{section}.{key}", f"unknown key '{key}' in [{section}]",
                       "keys allowed here: " + ", ".join(sorted(_SECTIONS[section])))
        for key in sorted(_REQUIRED.get(section, set()) - set(content)):
            raise fail(f"{section}.{key}", f"[{section}] needs '{key}'",
                       f'add {key} = "..." under [{section}]')
    if "survey" not in data:
        raise fail("survey", "the study has no [survey] section",
                   '[survey]\nexport = "survey.csv"\ncodebook = "codebook.toml"')

    def resolved(section: str, keys: tuple[str, ...]) -> dict[str, Any] | None:
        if section not in data:
            return None
        out = dict(data[section])
        for key in keys:
            if key in out:
                if not isinstance(out[key], str):
                    raise fail(f"{section}.{key}", f"{section}.{key} must be a file path",
                               f'{key} = "file name"')
                file = (base / out[key]).resolve()
                if not file.is_file():
                    raise fail(f"{section}.{key}", f"the file '{out[key]}' does not exist "
                               f"(looked in {base})",
                               "paths are relative to the folder of study.toml")
                out[key] = file
        return out

    survey = resolved("survey", ("export", "codebook", "dictionary")) or {}
    screening = data.get("screening", {})
    drop = screening.get("drop", ["test_response", "unfinished", "duplicate_id"])
    if not isinstance(drop, list) or any(f not in FLAGS for f in drop):
        raise fail("screening.drop", f"screening.drop must list flags among {list(FLAGS)}",
                   'e.g. drop = ["test_response", "unfinished", "duplicate_id"]')
    speed = screening.get("speed_fraction", 0.3)
    if not isinstance(speed, int | float) or not 0 < speed < 1:
        raise fail("screening.speed_fraction", "speed_fraction must lie between 0 and 1",
                   "e.g. speed_fraction = 0.3")
    privacy = data.get("privacy", {})
    min_cell = privacy.get("min_cell", 10)
    if not isinstance(min_cell, int) or min_cell < 1:
        raise fail("privacy.min_cell", "min_cell must be a positive whole number",
                   "e.g. min_cell = 10")
    info = data.get("study", {})
    seed = info.get("seed")
    if seed is not None and not isinstance(seed, int):
        raise fail("study.seed", "seed must be a whole number", "e.g. seed = 20240301")
    return Study(
        path=path,
        title=str(info.get("title", path.parent.name)),
        survey=survey,
        records=resolved("records", ("file",)),
        retest=resolved("retest", ("export",)),
        expert_panel=resolved("expert_panel", ("file",)),
        outcomes=dict(data.get("outcomes", {})),
        screening_drop=tuple(drop),
        speed_fraction=float(speed),
        min_cell=min_cell,
        key_env=str(privacy.get("key_env", "PEEREVAL_LINK_KEY")),
        seed=seed,
        info=dict(info),
    )
