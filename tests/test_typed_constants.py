"""Numbers that chapters once typed now come from the constants the code runs with: the funnel
plots' levels and GRADE's p-value thresholds."""

from helpers.review import grade
from helpers.review.methods import methods_glue_values
from helpers.show import plots


def test_funnel_level_words():
    assert plots.funnel_level_words() == ("90%, 95% and 99%", "0.10, 0.05 and 0.01")
    assert plots.funnel_level_words((0.95, 0.99)) == ("95% and 99%", "0.05 and 0.01")
    assert plots.FUNNEL_LEVELS == (0.90, 0.95, 0.99)


def test_methods_glues_the_egger_threshold(monkeypatch):
    import helpers
    review = helpers.load_review()
    assert methods_glue_values(review)["egger_p"] == "0.10"
    monkeypatch.setattr("helpers.review.methods.EGGER_P", 0.05)
    assert methods_glue_values(review)["egger_p"] == "0.05"


def test_the_grade_thresholds_are_the_ones_the_triggers_use():
    assert grade.HETEROGENEITY_P == 0.10 and grade.EGGER_P == 0.10
