"""What a fresh reader found on the site: methods terms not linked to the glossary, the HKSJ
entry, the extractors' working notes on the pages, and bibliography labels of entries without an
author ("[Unsignedrecord23]")."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

import helpers
from helpers.review.differences import reader_note
from helpers.review.labels import ANONYMOUS, extraction_words, record_citation, searched_by
from helpers.review.methods import glossary_glue_values, hksj_in_this_book
from helpers.review.search import search_log_download, search_log_table
from helpers.review.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
CODES = re.compile(r"\[?\bpass_[ab]\d?\b\]?|\bpass [AB]\d?\b|\bround \d+[AB]?\b|\bextractor [AB]\b|\bz_p\b")


@pytest.fixture(scope="module")
def results():
    return helpers.load_results()


# --------------------------------------------------------------------------- glossary links
def glossary_entries() -> list[set[str]]:
    """Each glossary entry as the set of its names ("Trial sequential analysis", "TSA")."""
    entries, names, in_definition = [], [], False
    text = (ROOT / "chapters" / "glossary.md").read_text(encoding="utf-8")
    for block in re.findall(r"```\{glossary\}\n(.*?)```", text, re.S):
        for line in block.splitlines():
            if line.strip() and not line[0].isspace():
                if in_definition:
                    entries.append(set(names))
                    names, in_definition = [], False
                names.append(line.strip())
            elif line.strip():
                in_definition = True
        if names:
            entries.append(set(names))
            names, in_definition = [], False
    return entries


def prose_and_links(page: str) -> tuple[str, set[str]]:
    """The page's Markdown prose (no front matter, code cells, math, code, glued or cited text)
    and the glossary terms its {term} roles link, lower-cased."""
    text = (ROOT / page).read_text(encoding="utf-8")
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    text = re.sub(r"```\{code-cell\}.*?```", "", text, flags=re.S)
    links = {m.group(2) or m.group(1) for m in re.finditer(r"\{term\}`([^`<]*?)(?:\s*<([^>]+)>)?`", text)}
    text = re.sub(r"\{[\w:-]+\}`[^`]*`", " ", text)          # term, glue, cite, doc, numref
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$|`[^`]*`", " ", text, flags=re.S)
    text = re.sub(r"^:\w+:.*$", "", text, flags=re.M)         # directive options
    return text, {link.strip().lower() for link in links}


def _occurs(name: str, text: str) -> bool:
    caps = not re.search(r"[a-z]", name)                      # "HR", "GRADE", "D²": case matters
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, 0 if caps else re.I) is not None


def unlinked_terms(page: str) -> list[str]:
    """The glossary terms used in the page's prose that no {term} role on the page links."""
    text, links = prose_and_links(page)
    out = []
    for names in glossary_entries():
        used = sorted(n for n in names if _occurs(n, text))
        if used and not {n.lower() for n in names} & links:
            out.append(used[0])
    return out


def test_glossary_is_parsed():
    entries = glossary_entries()
    assert {"Trial sequential analysis", "TSA"} in entries and {"D²", "Diversity"} in entries
    assert {"HKSJ", "Hartung–Knapp–Sidik–Jonkman"} in entries and {"Prior"} in entries


@pytest.mark.parametrize("page", ["chapters/certainty.md", "chapters/safety.md", "intro.md", "chapters/methods.md",
                                  "chapters/pfs.md", "chapters/os.md", "chapters/subgroups.md"])
def test_every_glossary_term_used_on_the_page_is_linked(page):
    assert unlinked_terms(page) == []


@pytest.mark.parametrize("page,terms", [
    ("chapters/certainty.md", ["Trial sequential analysis", "Prior", "Posterior probability", "D²", "REML", "HKSJ",
                               "Credible interval", "Required information size", "Minimal important difference",
                               "Firm evidence", "Wald-type z-test"]),
    ("chapters/safety.md", ["Mantel–Haenszel", "Peto odds ratio", "Odds ratio", "Risk difference",
                            "Continuity correction", "Random-effects model"]),
    ("intro.md", ["REML", "HKSJ", "GRADE", "MDT", "Hazard ratio"]),
    ("chapters/methods.md", ["RoB 2", "ROB-ME", "DerSimonian–Laird", "Paule–Mandel", "Prediction interval",
                             "Mantel–Haenszel", "Peto odds ratio", "REML", "HKSJ", "Egger's test", "Trim-and-fill", "I²",
                             "Q statistic", "Tierney method", "Provisional judgement", "Some concerns",
                             "ADT-free survival"]),
    ("chapters/pfs.md", ["ROB-ME", "Prediction interval", "REML", "HKSJ", "Egger's test", "Trim-and-fill",
                         "Leave-one-out", "I²", "Q statistic", "Cumulative meta-analysis", "RoB 2", "Tierney method"]),
    ("chapters/os.md", ["ROB-ME", "Prediction interval", "REML", "HKSJ", "Egger's test", "Trim-and-fill",
                        "Leave-one-out", "I²", "Q statistic", "Cumulative meta-analysis", "RoB 2", "Tierney method"]),
    ("chapters/subgroups.md", ["DerSimonian–Laird", "REML", "Wald-type z-test", "MDT", "Upfront", "Consolidation"]),
    ("chapters/certainty.md", ["Cumulative meta-analysis", "Lan–DeMets spending function", "Half-normal prior"]),
])
def test_the_methods_terms_of_the_page_link_the_glossary(page, terms):
    _, links = prose_and_links(page)
    known = {n.lower() for names in glossary_entries() for n in names}
    assert not links - known, f"{page} links terms the glossary lacks: {links - known}"
    assert not {t.lower() for t in terms} - links, f"{page} does not link {set(terms) - links}"


def test_the_model_terms_beside_the_glued_model_follow_the_settings():
    """The landing, certainty, methods, PFS and OS pages link REML and HKSJ beside the glued primary
    model, the methods page the estimators and tests of the models shown beside it, and the
    certainty page the half-normal prior beside the glued prior: the words must change with the
    settings."""
    assert SETTINGS.method == "REML" and SETTINGS.test in ("adhoc", "knha"), \
        "the primary model changed: change the {term} links beside intro_model, cert_model, methods_primary, pfs_method"
    shown = {m for m, _ in SETTINGS.sensitivity_models} | {t for _, t in SETTINGS.sensitivity_models}
    assert {"DL", "PM", "EE", "z"} <= shown, "the models shown changed: change the {term} links beside methods_others"
    assert SETTINGS.tau_prior[0] == "halfnormal", "the prior on τ changed: change the glossary and certainty links"
    assert glossary_glue_values()["tau_scale"] == f"{SETTINGS.tau_prior[1]:g}"


ABBREVIATIONS = ["ADT", "LHRH", "mCRPC", "ENRT", "NSCLC", "SCLC", "ED-SCLC", "EGFR", "TKI", "PCI", "SOC", "RT", "LCT",
                 "GEJ", "RPLN"]


def test_the_abbreviations_of_the_trial_descriptions_are_in_the_glossary_and_used():
    """Each abbreviation the glossary explains is one the pages show (trial descriptions, titles and
    reasons come from data/), and each is an entry."""
    names = {n for entry in glossary_entries() for n in entry}
    assert set(ABBREVIATIONS) <= names
    text = (ROOT / "chapters" / "glossary.md").read_text(encoding="utf-8")
    section = text.split("## Abbreviations in the trial descriptions", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^(\S[^\n]*)\n  ", section, re.M)
    assert listed == ABBREVIATIONS
    data = " ".join((ROOT / "data" / f).read_text(encoding="utf-8") for f in ("trials.csv", "records.csv"))
    assert not [a for a in ABBREVIATIONS if not _occurs(a, data)]
    for name in ("Q statistic", "Cumulative meta-analysis", "Lan–DeMets spending function", "Half-normal prior",
                 "Tierney method", "Low risk of bias", "Some concerns", "High risk of bias", "Provisional judgement",
                 "Expression of Concern", "ADT-free survival"):
        assert name in names, name
    assert "{glue:text}`glossary_tau_scale`" in text


# --------------------------------------------------------------------------- the HKSJ entry
def test_hksj_entry_says_the_untruncated_interval_can_be_narrower():
    text = (ROOT / "chapters" / "glossary.md").read_text(encoding="utf-8")
    entry = text.split("\nHKSJ\n", 1)[1].split("\n\n", 1)[0]
    assert "untruncated" in entry and "can be narrower than the z interval" in entry
    assert "{glue:text}`glossary_hksj`" in entry


def test_hksj_sentence_follows_the_settings():
    assert SETTINGS.test == "adhoc"
    assert hksj_in_this_book() == ("This book's primary model uses the ad hoc version, so its interval is never "
                                   "narrower than the z interval; the untruncated version and the z interval are "
                                   "shown beside it as sensitivity analyses.")
    knha = hksj_in_this_book(replace(SETTINGS, test="knha", sensitivity_models=(("REML", "adhoc"),)))
    assert knha == ("This book's primary model uses the untruncated version, so its interval can be narrower than "
                    "the z interval; the ad hoc version is shown beside it as a sensitivity analysis.")
    assert hksj_in_this_book(replace(SETTINGS, test="z", sensitivity_models=())) == \
        "This book's primary model uses the z interval, not HKSJ."
    # a test the sentence has no words for: its label, or its code where it has no label
    other = replace(SETTINGS, test="t", sensitivity_models=(), labels={**SETTINGS.labels, "t": "a t-test"})
    assert hksj_in_this_book(other) == "This book's primary model uses a t-test."
    bare = replace(SETTINGS, test="t", sensitivity_models=(), labels={})
    assert hksj_in_this_book(bare) == "This book's primary model uses t."
    assert glossary_glue_values()["hksj"] == hksj_in_this_book()
    assert glossary_glue_values()["or_add"] == f"{SETTINGS.or_add:g}"


# --------------------------------------------------------------------------- working notes
@pytest.mark.parametrize("note,words", [
    ("found in round 4A and confirmed by pass B5", "found by Extractor 1 and confirmed by Extractor 2"),
    ("[pass_a2] JNCCN360 already seen in round 1", "JNCCN360 already seen in the first search round"),
    ("[pass_b3] same sources as round 2 (x)", "same sources as the second search round (x)"),
    ("pass_a and pass_b3", "Extractor 1 and Extractor 2's third round"),
    ("found by one extractor only (round 3)", "found by one extractor only (in the third search round)"),
    ("already noted round 2", "already noted in the second search round"),
    ("bypass_a1, pass_c1, pass_a12, pass a test", "bypass_a1, pass_c1, pass_a12, pass a test"),
    (None, ""), ("", ""),
])
def test_extraction_words(note, words):
    assert extraction_words(note) == words


@pytest.mark.parametrize("note,who", [("[pass_a] x", "Extractor 1, first round"),
                                      ("[pass_b5] x", "Extractor 2, fifth round"),
                                      ("no tag", ""), (None, "")])
def test_searched_by(note, who):
    assert searched_by(note) == who


@pytest.mark.parametrize("note,words", [
    ("controlled primary; A said mixed, B recurrent; control arm", "controlled primary; Extractor 1 said mixed, Extractor 2 recurrent; control arm"),
    ("cap is 5 (B wrote 6 incl. primary)", "cap is 5 (Extractor 2 wrote 6 including the primary)"),
    ("on systemic therapy (A); B left timing and state empty",
     "on systemic therapy (Extractor 1); Extractor 2 left timing and disease state empty"),
    ("A included (1-5 metastases), B excluded for lack of results",
     "Extractor 1 included (1-5 metastases), Extractor 2 excluded for lack of results"),
    ("(B recurrent; A mixed with the same reasoning)", "(Extractor 2 recurrent; Extractor 1 mixed with the same reasoning)"),
    ("A total of 29 in arm A; Arm B; grade A)", "A total of 29 in arm A; Arm B; grade A)"),       # not an extractor
    ("events from CTA, 48 pts", "events from Cancer Therapy Advisor, 48 patients"),
])
def test_reader_note_names_the_extractors(note, words):
    assert reader_note(note) == words


def test_search_log_shows_who_searched_in_words_and_keeps_the_raw_notes(results):
    review = results.review
    table, download = search_log_table(review), search_log_download(review)
    for t in (table, download):
        assert set(t["Searched by"]) <= {f"Extractor {e}, {r} round" for e in (1, 2)
                                         for r in ("first", "second", "third", "fourth", "fifth")}
    # the page shows no working notes: the extractors' shorthand ("no new info") is in the CSV only
    assert "Notes" not in table.columns and set(review.search_log.loc[table.index, "purpose"]) == {"discovery"}
    assert not download["Notes"].str.contains(CODES).any(), download.loc[download["Notes"].str.contains(CODES), "Notes"]
    assert not download["Notes"].str.contains(r"\[extractor", regex=True).any()
    assert review.search_log["notes"].str.startswith("[pass_").all()     # the data keep the extractors' tags


def test_search_page_says_the_log_table_is_a_subset_and_names_the_archive(results):
    from helpers.review.search import search_glue_values

    review = results.review
    log = review.search_log
    n_disc = int((log["purpose"] == "discovery").sum())
    assert search_glue_values(review)["log_shown"] == (
        f"The table lists the {n_disc} discovery queries of the {len(log)}; the CSV holds every query with the "
        f"extractors' note on what it found.")
    text = (ROOT / "chapters" / "search.md").read_text(encoding="utf-8")
    assert "{glue:text}`search_log_shown`" in text
    assert "an archive of public web pages, registries and code repositories" in text
    assert "search library" not in text and "machines" not in text and "search_corpora" not in text


WORKING = re.compile(r"\b[AB] (?:said|wrote|left|included|excluded)\b|\([AB]\)|\bCTA\b|\bround[- ]\d|"
                     r"reviewer (?:should|to)|\bNOT\b|Latest report \(primary row\)|already in|"
                     r"\bextractor's (?:first|second|third|fourth|fifth) round")


def test_notes_on_the_differences_and_trial_pages_are_in_words(results):
    from helpers.review.differences import classification_notes_table, excluded_table, reconciliation_table
    from helpers.review.trial_pages import trial_pages

    review = results.review
    notes = (list(reconciliation_table(review).iloc[:, 1]) + list(classification_notes_table(review).iloc[:, 1])
             + list(excluded_table(review)["Why excluded"]))
    assert not [n for n in notes if CODES.search(n) or WORKING.search(n) or "incl." in n]
    assert reader_note("found in round 4A") == "found by Extractor 1"
    pages = trial_pages(results)
    plain = {g: p.replace("\\", "") for g, p in pages.items()}
    assert not {g: CODES.findall(p) for g, p in plain.items() if CODES.search(p)}
    assert not {g: WORKING.findall(p) for g, p in plain.items() if WORKING.search(p)}
    assert "| Used as the main estimate | yes |" in plain["sabr-comet"]
    assert "Extractor 1 said mixed, Extractor 2 recurrent" in plain["sabr-comet"]
    assert "found by Extractor 1 and confirmed by Extractor 2" in plain["rtog-0937"]


def test_imputation_notes_name_no_symbol(results):
    notes = []
    for oc, rep in results.efficacy.items():
        names = dict(zip(results.review.trials["trial_id"], results.review.trials["trial_name"]))
        table = helpers.imputation_table(rep.missing.analysis.table, names)
        notes += [str(x) for x in table.to_numpy().ravel()]
    assert not [n for n in notes if "z_p" in n]
    assert any("where z is the normal quantile of the p-value" in n for n in notes)


@pytest.mark.parametrize("page", sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "chapters").glob("*.md")
                                       if p.stem != "reproducibility") + ["intro.md"])
def test_no_code_name_of_the_helpers_in_the_prose(page):
    """The package is named on the landing page and in the reproducibility chapter; no prose names
    one of its objects ("helpers.SETTINGS")."""
    text = (ROOT / page).read_text(encoding="utf-8")
    prose = re.sub(r"```\{code-cell\}.*?```", "", text, flags=re.S)
    assert not re.findall(r"helpers\.\w+", prose)
    assert "escalc" not in prose or page == "chapters/methods.md"


def test_reading_finds_working_notes():
    from reading import working_notes

    assert working_notes("[extractor A, round 2] x; round 4A; pass B5; helpers.SETTINGS; z_p; [Unsignedrecord23]") \
        == ["Unsignedrecord", "[extractor A", "helpers.SETTINGS", "pass B5", "round 2", "round 4A", "z_p"]
    assert working_notes("the first extractor's fourth round; surround 3; passed; Anonymous 2023") == []


# --------------------------------------------------------------------------- bibliography labels
def _bib_entries():
    from pybtex.database import parse_file

    for name in ("references.bib", "references_trials.bib"):
        yield from parse_file(str(ROOT / name)).entries.items()


def test_every_bib_entry_has_an_author_and_no_label_reads_unsigned():
    from pybtex.style.labels.alpha import LabelStyle

    entries = list(_bib_entries())
    for key, entry in entries:
        assert entry.persons.get("author") or "key" in entry.fields, f"{key}: no author and no key"
        names = [str(p) for p in entry.persons.get("author", [])]
        assert not any(n.startswith(("Unsigned", "{Unsigned")) for n in names), (key, names)
    labels = list(LabelStyle().format_labels([e for _, e in entries]))
    assert not [lab for lab in labels if lab.startswith("Unsigned")], labels


def test_record_citations_name_an_organisation_before_anonymous(results):
    recs = results.review.records
    cites = {r["record_id"]: record_citation(r) for r in recs.to_dict("records")}
    assert not [c for c in cites.values() if c.startswith("Unsigned")]
    assert cites["medscape_2024_orchestra_news"] == "Medscape 2024"
    assert cites["core_isrctn45961438_registry"] == "MedPath undated"
    assert cites["renalurologynews_2022_stomp_oriole_pooled"] == "Renal & Urology News 2022"
    assert cites["unidentified_lcrt_nsclc_rct"] == f"{ANONYMOUS} undated"
    bib = (ROOT / "references_trials.bib").read_text(encoding="utf-8")
    assert "author = {{Medscape}}" in bib and "author = {{Gomez et al.}}" in bib
    assert "author = {{MIMS news}}" in bib          # "et al." of the reported paper, not of the outlet


# --------------------------------------------------------------------------- code names in the prose
@pytest.mark.parametrize("page", ["chapters/methods.md", "chapters/pfs.md", "chapters/os.md", "chapters/subgroups.md"])
def test_no_metafor_call_in_the_prose(page):
    text, _ = prose_and_links(page)
    raw = re.sub(r"```\{code-cell\}.*?```", "", (ROOT / page).read_text(encoding="utf-8"), flags=re.S)
    assert not re.findall(r"\w+\(\)|rma\(|mods =|pi\.type|only0|`to`", raw)


def test_methods_values_in_words(results):
    from helpers.review.methods import methods_glue_values

    v = methods_glue_values(results.review)
    assert "only0" not in v["to"] and "pi.type" not in v["pi"] and "mods" not in v["subgroup_test"]
    assert v["pi"].startswith("the Riley et al. prediction interval")


# --------------------------------------------------------------------------- records in reader words
def test_record_tables_in_reader_words(results):
    from helpers.review.search import record_tables

    review = results.review
    inc, exc = record_tables(review)
    cells = [str(x) for x in (list(inc["Record"]) + list(exc["Record"]))]
    assert not [c for c in cells if "(mirror copy)" in c or "(no address)" in c]
    plain = [re.sub(r"^\[(.*)\]\(.*\)$", r"\1", c).replace(" (copy on another site)", "") for c in cells
             if not c.startswith("{cite")]
    assert len(plain) == len(set(plain)), sorted(c for c in plain if plain.count(c) > 1)
    assert "Chmura 2022a, J Clin Oncol" in plain and "Chmura 2022b, J Clin Oncol" in plain
    assert not [t for t in list(inc["Trial"]) + list(exc["Trial"]) if "_" in t or ";" in t]
    assert "STOMP, ORIOLE" in set(exc["Trial"])
    reasons = " | ".join(exc["Reason"])
    assert not re.findall(r"reviewer (?:should|to)|\bNOT\b|\bElamin\b|\bpts\b|->|<=|>=", reasons)
    awaiting = exc[exc["Reason"].str.startswith("Awaiting classification (PRISMA 2020), not an exclusion")]
    assert len(awaiting) == 1 and "could not be identified" in awaiting["Reason"].iloc[0]


def test_awaiting_classification_is_said_on_the_differences_and_trial_pages(results):
    from helpers.review.differences import excluded_table
    from helpers.review.trial_pages import trial_pages

    why = excluded_table(results.review)["Why excluded"]
    assert why.str.startswith("Awaiting classification (PRISMA 2020), not an exclusion: source not identifiable").sum() == 1
    pages = trial_pages(results)
    assert pages["lcrt-nsclc-unidentified"].replace("\\", "").count("**Not included.** Reason: Awaiting classification") == 1


def test_every_quote_shown_still_prints_its_numbers(results):
    """The extractors' bracketed notes are dropped from the quotes shown; what is shown (the quote,
    other sources' quotes, the extractors' note) still prints every number of the row."""
    from helpers.review.checks import number_in_quote
    from helpers.review.trial_pages import AE_NUMBERS, OUTCOME_NUMBERS, quote_parts

    import pandas as pd

    review = results.review
    shown = 0
    for name, columns in (("outcomes", OUTCOME_NUMBERS), ("adverse_events", AE_NUMBERS)):
        raw = pd.read_csv(ROOT / "data" / f"{name}.csv", dtype=str, keep_default_na=False)
        for i in raw.index:
            numbers = [raw.at[i, c] for c in columns if raw.at[i, c] != ""]
            main, others, note = quote_parts(raw.at[i, "quote"], numbers)
            text = " ".join([main, *others, note])
            assert all(number_in_quote(n, text) for n in numbers), (i, text)
            assert not re.search(r"\bCTA\b|already in|round-\d|excerpt cut|\[[^\]]*(?:abstract|page|from)[^\]]*\]\s*$", main), main
            shown += 1
    assert shown == len(review.outcomes) + len(review.adverse_events)
