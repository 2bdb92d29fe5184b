"""The glossary at the end of a report: the statistical terms the report uses, in words.

Only the terms that occur in the report are listed, each found by the words or the
symbol the report prints (``α``, ``Hedges' g``, ``RMSEA``); the definitions are written
for a reader who is not a statistician, with the rule of thumb the report itself uses
where there is one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

#: (term, how the report writes it, what it means), in the order a reader meets them.
GLOSSARY: tuple[tuple[str, str, str], ...] = (
    ("95% CI (confidence interval)", r"\bCI\b|confidence interval",
     "The range of values that fit the data. If the study were repeated many times, "
     "95% of such intervals would contain the true value; an interval that includes no "
     "difference at all (0, or 1 for ratios) means the data cannot rule out no effect."),
    ("p (p-value)", r"(?<![\w-])p(?: adjusted)?\b\s*(?:[<=]|$)|\bp adjusted\b|p-value",
     "How surprising the difference would be if there were no difference at all; below "
     ".05 is the usual line for calling it statistically significant. It does not say "
     "how large or important the difference is."),
    ("adjusted p", r"adjusted p|p adjusted|Holm|Benjamini",
     "A p-value corrected because several outcomes were tested: the more tests, the more "
     "often one looks significant by chance (Holm's or Benjamini-Hochberg's method)."),
    ("SD (standard deviation)", r"\bSD\b",
     "How far students' values typically lie from the mean."),
    ("Hedges' g", r"Hedges' g|\bg = ",
     "The difference between two group means in standard deviations, corrected for small "
     "samples. About 0.2 is small, 0.5 medium and 0.8 large (Cohen's rules of thumb)."),
    ("SMD (standardised mean difference)", r"\bSMD\b|standardised mean difference",
     "How far apart two groups are on a characteristic, in standard deviations; below 0.1 "
     "is usually taken as balanced."),
    ("risk difference (RD)", r"risk difference|\bRD\b|percentage points",
     "The difference between the shares of two groups with a result (for example passing "
     "the year), in percentage points."),
    ("odds ratio", r"odds ratio",
     "How many times higher the odds of a result are in one group than in the other; 1 "
     "means no difference."),
    ("ANCOVA and adjusted means", r"ANCOVA|adjusted M\b|adjusted mean",
     "A comparison of group means that allows for differences the groups had at the start "
     "(such as entry GPA); the adjusted means are what each group would score if both had "
     "started alike on those measures."),
    ("ηp² (partial eta squared)", r"ηp²|partial eta squared",
     "The share of the variation in an outcome that is explained by the group, once the "
     "other variables in the model are allowed for."),
    ("propensity score and matching", r"propensity",
     "Each student's estimated chance of joining the programme, from their "
     "characteristics; matching pairs mentored and comparison students with similar "
     "chances, so that the groups compared are alike on those characteristics."),
    ("ATT", r"\bATT\b",
     "The average effect on the treated: the difference mentoring made to the mentored "
     "students who could be matched."),
    ("ICC (intraclass correlation)", r"\bICC\b",
     "How alike the measurements of one unit are: of the same student on two occasions "
     "(test-retest reliability), or of students in the same mentor group (clustering)."),
    ("design effect and effective n", r"design effect|effective n",
     "How much clustering (students in mentor groups) reduces the information in the "
     "data: the effective n is the number of independent students the data are worth."),
    ("mixed model", r"mixed model",
     "A regression that allows students of the same mentor group to be more alike than "
     "students of different groups."),
    ("BF10 (Bayes factor)", r"\bBF10\b|Bayes factor",
     "How many times more likely the data are if there is a difference than if there is "
     "none; above 3 is usually read as evidence for a difference, below 1/3 as evidence "
     "against one."),
    ("power and minimum detectable effect", r"\bpower\b",
     "Power is the chance that a study finds a difference of a given size if it is there; "
     "the minimum detectable effect is the smallest difference found with 80% power."),
    ("Cronbach's alpha (α)", r"\bα = |Cronbach",
     "How consistently the items of a scale measure the same thing, from 0 to 1; .70 is "
     "the usual minimum for comparing groups, .90 for decisions about individuals."),
    ("McDonald's omega (ω)", r"\bω\b|omega",
     "Like alpha, the consistency of a scale, without assuming that every item counts "
     "equally."),
    ("I-CVI, S-CVI and CVR (content validity)", r"I-CVI|S-CVI|\bCVR\b",
     "How many experts judged an item relevant (I-CVI, per item; S-CVI, the whole "
     "scale) or essential (CVR, from -1 to 1)."),
    ("KMO and Bartlett's test", r"\bKMO\b|Bartlett",
     "Whether the items are related enough for factor analysis: KMO runs from 0 to 1 and "
     "is read with Kaiser & Rice's (1974) words, from unacceptable (below .50) to marvellous "
     "(.90 or more); Bartlett's test asks whether the items are related at all."),
    ("factor analysis", r"factor analysis|loading",
     "A check of whether the items group into the scales the questionnaire intends; a "
     "loading is how strongly an item goes with its factor (from -1 to 1, standardised)."),
    ("parallel analysis", r"parallel analysis",
     "A way of choosing how many factors to keep: those that explain more than factors of "
     "random data of the same size would."),
    ("CFI, TLI, RMSEA and SRMR", r"\bCFI\b|\bTLI\b|\bRMSEA\b|\bSRMR\b",
     "How well the questionnaire's intended structure fits the answers: CFI and TLI of .95 "
     "or more, RMSEA of .06 or less and SRMR of .08 or less indicate a good fit."),
    ("AVE, composite reliability and HTMT", r"\bAVE\b|\bHTMT\b|composite reliability",
     "Whether each scale's items share enough with each other (AVE of .50 or more, "
     "composite reliability of .70 or more) and less with the other scales (HTMT below "
     ".85)."),
    ("MERSQI", r"MERSQI",
     "The Medical Education Research Study Quality Instrument: a score of up to 18 (at "
     "least 5 when every item applies) of the "
     "methodological quality of a study (Reed et al., 2007)."),
    ("Kirkpatrick levels", r"Kirkpatrick",
     "What an evaluation reaches: reactions (1), attitudes and knowledge (2a, 2b), "
     "behaviour (3) and results for the organisation or patients (4)."),
)


def glossary_table(texts: Iterable[str]) -> pd.DataFrame:
    """The glossary rows (``term``, ``meaning``) of the terms found in ``texts``.

    Parameters
    ----------
    texts
        Every sentence, note, title and column header of the report.

    Returns
    -------
    pandas.DataFrame
        One row per term that occurs, in the order of :data:`GLOSSARY`; empty (with
        its two columns) when none does.

    Examples
    --------
    >>> glossary_table(["Alpha: α = .85, 95% CI [.82, .89]"])["term"].tolist()
    ['95% CI (confidence interval)', "Cronbach's alpha (α)"]
    """
    text = "\n".join(str(t) for t in texts)
    rows = [{"term": term, "meaning": meaning} for term, pattern, meaning in GLOSSARY
            if re.search(pattern, text, flags=re.MULTILINE)]
    return pd.DataFrame(rows, columns=["term", "meaning"])
