"""Generated sentences read as written by a careful author: every count template rendered at
0, 1, 2 and many, with no "(s)", no "1 comparisons", no "in never" and no "1 are"."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from helpers.show.text import count, join_words, number_word
from helpers.review.missing import missing_glue_values

SIZES = (0, 1, 2, 7)
BAD = [(r"\(s\)", "a '(s)' plural"), (r"(?<![\d.,])1 [a-z]+s\b(?<!is)(?<!ss)(?<!us)", "'1' with a plural noun"),
       (r"\bin never\b", "'in never'"), (r"(?<![\d.,])1 are\b|\bone are\b", "'1 are'"),
       (r"\bnan\b|\bNone\b", "a missing value printed")]


def _problems(text: str) -> list[str]:
    return [what for pattern, what in BAD if re.search(pattern, text)]


@pytest.mark.parametrize("n", SIZES)
def test_count_and_number_words(n):
    text = count(n, "comparison")
    assert text == f"{n} comparison" + ("" if n == 1 else "s")
    assert count(n, "trial", words=True) == ({0: "no trials", 1: "one trial", 2: "two trials", 7: "seven trials"}[n])
    assert count(n, "registry entry", "registry entries").endswith("entry" if n == 1 else "entries")
    assert number_word(n) == ["no", "one", "two", "three", "four", "five", "six", "seven"][n]
    assert not _problems(text)


@pytest.mark.parametrize("n", SIZES)
def test_join_words_at_every_size(n):
    items = [f"T{i}" for i in range(n)]
    want = {0: "", 1: "T0", 2: "T0 and T1", 7: "T0, T1, T2, T3, T4, T5 and T6"}[n]
    assert join_words(items) == want


@pytest.mark.parametrize("n", SIZES)
def test_missing_evidence_sentence_at_every_size(n):
    """The missing-evidence paragraph's counts for 0, 1, 2 and many missing comparisons, as the
    page's template joins them."""
    fav = (["MDT", "control", ""] * 3)[:n]
    missing = pd.DataFrame({"n": pd.array([40 + i for i in range(n)], dtype="Int64"), "favours": fav})
    v = missing_glue_values(missing, pooled_n=500)
    sentence = (f"{v['missing_k']} give no estimate that can be pooled for this outcome ({v['missing_n']} randomised "
                f"participants, {v['missing_share']} of the participants). Where a direction can be read, it favours MDT "
                f"in {v['missing_mdt']} and control in {v['missing_control']}; it is unknown for {v['missing_unknown']}.")
    assert not _problems(sentence), (sentence, _problems(sentence))
    assert v["missing_k"] == count(n, "included comparison")


def test_the_sentence_checks_can_fail():
    assert _problems("3 comparison(s)") and _problems("in 1 comparisons") and _problems("lies below 1 in never")
    assert _problems("1 are missing") and not _problems("1 comparison is missing; 2 comparisons are")


def test_every_glued_sentence_of_the_build_reads_well():
    """Every value the pages glue, from the build's results: none carries a template defect."""
    import helpers
    from helpers.review.efficacy import efficacy_glue_values
    from helpers.review.missing import assessment_glue_values
    from helpers.review.results import landing_glue_values
    from helpers.review.safety import safety_glue_values

    R = helpers.load_results()
    names = dict(zip(R.review.trials["trial_id"], R.review.trials["trial_name"]))
    values = dict(landing_glue_values(R)) | safety_glue_values(R.safety, len(R.review.included))
    for oc, rep in R.efficacy.items():
        values |= {f"{oc}_{k}": v for k, v in efficacy_glue_values(rep).items()}
        values |= {f"{oc}_a_{k}": v for k, v in assessment_glue_values(rep.missing, names).items()}
    bad = {k: (v, _problems(str(v))) for k, v in values.items() if _problems(str(v))}
    assert not bad, bad
