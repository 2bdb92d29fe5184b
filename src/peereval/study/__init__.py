"""A study: its ``study.toml``, the dry run that checks it, the proposal that starts it.

* :func:`read_study` validates ``study.toml`` (every problem names the key and the
  fix); :meth:`Study.load` reads, screens and scores the inputs it names;
  :meth:`Study.analyse` runs every analysis it asks for and returns
  :class:`StudyResults`, which every renderer reads.
* :func:`validate_study` is ``peereval validate``: a dry run over every input that
  lists every problem at once (:class:`StudyCheck`); :func:`check_study` raises them
  together.
* :func:`starter_study` is ``peereval init``: it recognises each input file and
  proposes a commented ``study.toml`` and codebook, each guess with its evidence.
* :data:`SCHEMA` lists every key with its type and meaning.
"""

from __future__ import annotations

from peereval.study._analyse import DisplayNames, NotRun, OutcomePlan, StudyResults
from peereval.study._appraisal import DesignAppraisal, appraise_design
from peereval.study._config import (
    ANALYSES_DEFAULT,
    OPTIONS_DEFAULT,
    SCHEMA,
    Key,
    Study,
    StudyData,
    _check_value,
    _schema_markdown,
    read_study,
)
from peereval.study._init import StarterStudy, starter_study
from peereval.study._problems import Problem, StudyProblemsError
from peereval.study._validate import StudyCheck, check_study, validate_study

__all__ = ["SCHEMA", "DesignAppraisal", "DisplayNames", "Key", "NotRun", "OutcomePlan",
           "Problem", "StarterStudy", "Study", "StudyCheck", "StudyData", "StudyProblemsError",
           "StudyResults", "appraise_design", "check_study", "read_study", "starter_study",
           "validate_study"]

# kept importable for the documentation generator and the tests
_PRIVATE = (ANALYSES_DEFAULT, OPTIONS_DEFAULT, _check_value, _schema_markdown)
