"""One page per assessed trial, written from the build's ``Results``: design and arms, the
classification with its rationale, every outcome row as printed with its quote and how it
enters each analysis, adverse events, RoB 2 by domain and every record read.

Pure functions return the Markdown (MyST, no code cells) of each page; ``write_trial_pages``
writes only the files whose text changed and deletes the pages of trials that are gone
(``_ext/trial_pages.py`` calls it when the build starts). Every string from ``data/`` passes
through ``md_escape``, so a ``$`` or a ``<b>`` in a quote shows as typed."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from helpers.review.labels import awaiting_words, is_awaiting
from helpers.show.labels import DERIVATIONS, label, trial_page_name
from helpers.show.text import fmt_num

__all__ = ["md_escape", "md_link", "trial_pages", "write_trial_pages", "trial_links_markdown", "index_order",
           "index_excluded", "page_title", "INDEX"]

INDEX = "index"
_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")      # every ASCII punctuation character
_SPACE = re.compile(r"\s+")


def md_escape(text) -> str:
    """``text`` as literal MyST inline text: every ASCII punctuation character backslash-escaped
    (CommonMark allows it for all of them), so ``$x$``, ``<b>``, ``*a*``, backticks, ``[``, ``|``
    and roles cannot become math, HTML, emphasis, code, links or table cells; line breaks become
    spaces. A missing value is "—"."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return "\u2014"
    return _PUNCT.sub(r"\\\1", _SPACE.sub(" ", str(text)).strip())


def _url(url: str) -> str:
    """An address safe inside a Markdown link destination."""
    return "".join(f"%{ord(c):02X}" if c in " <>()[]`\\\"'" or ord(c) < 32 else c for c in url.strip())


def md_link(text, url) -> str:
    """``[text](url)`` with the text escaped; the escaped text alone without an address."""
    shown = md_escape(text)
    return f"[{shown}]({_url(url)})" if isinstance(url, str) and url.strip() else shown


def _cell(x) -> str:
    return md_escape(x)


def _table(header: list[str], rows: list[list[str]]) -> str:
    """A pipe table whose cells are already Markdown (escaped)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _num(x, digits: int | None = None) -> str:
    if x is None or pd.isna(x):
        return "\u2014"
    try:
        return fmt_num(float(x), digits) if digits is not None else fmt_num(float(x))
    except (TypeError, ValueError):
        return str(x)


def _int(x) -> str:
    if x is None or pd.isna(x) or str(x).strip() == "":
        return "not reported"
    try:
        return str(int(float(x)))
    except (TypeError, ValueError):
        return str(x)


class _Words:
    """Reader words for data strings: codes replaced, then escaped for MyST."""

    def __init__(self, labels):
        self.labels = labels

    def __call__(self, text) -> str:
        if text is None or (not isinstance(text, str) and pd.isna(text)) or str(text).strip() == "":
            return "\u2014"
        return md_escape(self.labels.words(str(text)))

    def code(self, code) -> str:
        if code is None or (not isinstance(code, str) and pd.isna(code)) or str(code).strip() == "":
            return "\u2014"
        return md_escape(label(code))

    def record(self, record_id) -> str:
        return md_link(self.labels.citation(record_id), self.labels.url(record_id))


# --------------------------------------------------------------------------- how a row is used
def _uses(res) -> dict:
    """For each outcome: pooled trial ids, the chosen row per trial (record id, estimable, note),
    the trial ids of the first-report sensitivity analysis with their record, the missing table."""
    from helpers.review.hazard_ratios import hazard_ratios

    out = {}
    for oc, rep in res.efficacy.items():
        chosen = {r["trial_id"]: r for r in rep.table.to_dict("records")}
        try:
            first = hazard_ratios(res.review, oc, report="first")
            first = {(r["trial_id"], r["record_id"]) for r in first.to_dict("records") if r.get("estimable", True)}
        except Exception:  # noqa: BLE001 - the page still says how the primary analysis uses the row
            first = set()
        missing = res.missing.get(oc, pd.DataFrame(columns=["trial_id", "reason"]))
        out[oc] = {"pooled": set(rep.pooled["trial_id"]), "chosen": chosen, "first": first,
                   "missing": dict(zip(missing["trial_id"], missing["reason"]))}
    return out


def _use_of_row(row: dict, uses: dict, w: _Words) -> str:
    u = uses.get(row["outcome"])
    if u is None:
        return "not analysed"
    tid = row["trial_id"]
    c = u["chosen"].get(tid)
    parts = []
    if c is not None and c["record_id"] == row["record_id"] and str(row.get("primary")) == "yes":
        if tid in u["pooled"]:
            parts.append(f"pooled in the primary analysis of {row['outcome']} and in the sensitivity analyses that keep it")
        else:
            note = c.get("note") or "no estimate obtainable"   # reader words, not escaped: the caller escapes the line
            parts.append(f"not estimable ({w.labels.words(str(note))}): counted as missing evidence for {row['outcome']}")
    elif (tid, row["record_id"]) in u["first"]:
        parts.append(f"an earlier report: used only in the sensitivity analysis of first reports ({row['outcome']})")
    else:
        parts.append("another report of this comparison: not used in the analyses")
    return "; ".join(parts)


# --------------------------------------------------------------------------- quotes as read
# the numbers of a row that its quote prints (helpers.review.checks tests them on the raw quote)
OUTCOME_NUMBERS = ("hr", "ci_lower", "ci_upper", "p_value", "events", "events_mdt", "events_control", "median_mdt",
                   "median_control", "followup_months")
AE_NUMBERS = ("events_mdt", "events_control", "total_mdt", "total_control", "pct_mdt", "pct_control")
_TRAILING_NOTE = re.compile(r"\s*\[(?P<note>[^\[\]]*)\]\s*$")
_LABELLED = re.compile(r"^(?P<label>[^:'‘\"“\[\]]{2,40}):\s*['‘\"“]?(?P<text>.*?)['’\"”]?$", re.S)
_SOURCE_WORDS = ((r"\bCTA\b", "Cancer Therapy Advisor"), (r"\bJNCI\b", "J Natl Cancer Inst"),
                 (r"\bquadshotnews\b", "QuadShot news"), (r"\s*\balready in (?:the )?round-?\d row\b", ""))


def _source_words(text: str) -> str:
    for pattern, words in _SOURCE_WORDS:
        text = re.sub(pattern, words, text)
    text = text.strip()
    return text[:1].upper() + text[1:]


def quote_parts(quote, numbers=()) -> tuple[str, list[str], str]:
    """A quote as readers see it: (the quote, quotes of other sources, the extractors' note).

    The extractors closed some quotes with a bracketed note of their own. A note that quotes
    another source ("[events from CTA: 'Progression events occurred in 67 patients ...']") becomes
    a second, attributed quote; a note that the excerpt was cut becomes "[…]"; a note that gives
    numbers of the row the quote does not print ("[counts 19/66 vs 3/33 ...]") is kept as the
    extractors' note; any other (where the quote was read) is dropped: the row names its source.
    ``numbers``: the row's numbers as stored, which the parts together must still print."""
    from helpers.review.checks import number_in_quote

    text = str(quote).strip() if isinstance(quote, str) else ""
    m = _TRAILING_NOTE.search(text)
    note = m.group("note").strip() if m else ""
    if not m or note in ("...", "\u2026") or note.isdigit():
        return text, [], ""
    main = text[:m.start()].rstrip()
    if re.search(r"\bcut\b|truncat", note, re.I):
        return f"{main} [\u2026]", [], ""
    labelled = _LABELLED.match(note)
    if labelled:
        body = labelled.group("text").strip()
        body += "" if re.search(r"[.!?\u2026)\]]$", body) else "\u2026"
        return main, [f"{_source_words(labelled.group('label'))}: \u201c{body}\u201d"], ""
    if any(not _prints(n, main, number_in_quote) for n in numbers):
        return main, [], _source_words(note)
    return main, [], ""


def _prints(n, text: str, number_in_quote) -> bool:
    """Whether ``text`` prints the number ``n`` (as stored, or a value read from the CSV: 0.5 is
    printed by "0.50")."""
    if number_in_quote(str(n), text):
        return True
    try:
        value = float(str(n).lstrip("<>=≤≥ "))
    except ValueError:
        return False
    tokens = re.findall(r"(?<![\d.])\d*[.·]?\d+", text)
    return any(abs(float(t.replace("·", ".")) - value) < 1e-9 for t in tokens)


def _quote(r: dict, columns, w) -> list[str]:
    """The Markdown of a row's quote (blockquote), its other sources' quotes and the extractors' note."""
    if not isinstance(r.get("quote"), str) or not r["quote"].strip():
        return []
    raw = r.get("raw_numbers") or {}
    numbers = [raw.get(c, r.get(c)) for c in columns]
    numbers = [n for n in numbers if n is not None and not (pd.api.types.is_scalar(n) and pd.isna(n)) and str(n).strip()]
    main, others, note = quote_parts(r["quote"], [_stored(n) for n in numbers])
    out = [f"> {w(main)}"] + [line for o in others for line in (">", f"> {w(o)}")] + [""]
    return out + ([f"Extractors' note: {w(note)}.", ""] if note else [])


def _rows_with_raw(table: pd.DataFrame, ids: list) -> list[dict]:
    """The rows of ``table`` for trials ``ids``, each with its cells as written (``raw_numbers``)
    where the loader kept them."""
    sub = table[table["trial_id"].isin(ids)]
    raw = getattr(table.attrs.get("raw"), "frame", None)
    return [r | ({"raw_numbers": raw.loc[i].to_dict()} if raw is not None and i in raw.index else {})
            for i, r in zip(sub.index, sub.to_dict("records"))]


def _stored(x) -> str:
    """A number as the CSV stores it ("0.47", "66"; a float read as 66.0 → "66")."""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


# --------------------------------------------------------------------------- page sections
def _design(trials: pd.DataFrame, w: _Words) -> list[str]:
    out = ["## Design and arms", ""]
    for t in trials.to_dict("records"):
        if len(trials) > 1:
            out += [f"### {w(t['trial_name'])}", ""]
        rows = [["Cancer", w(t["cancer_type"])], ["Phase", w(t["phase"])],
                ["Randomised", _int(t["n_randomized"])], ["MDT arm (n)", _int(t["n_mdt"])],
                ["Control arm (n)", _int(t["n_control"])], ["MDT modality", w(t["mdt_modality"])],
                ["Control arm", w(t["control_arm"])], ["Systemic therapy", w(t["systemic_therapy"])],
                ["Most metastases allowed", _int(t["max_lesions"])]]
        out += [_table(["", "As coded"], rows), ""]
    return out


def _classification(trials: pd.DataFrame, w: _Words) -> list[str]:
    out = ["## Classification", ""]
    for t in trials.to_dict("records"):
        if len(trials) > 1:
            out += [f"### {w(t['trial_name'])}", ""]
        timing = w.code(t["timing"]) if isinstance(t["timing"], str) and t["timing"] else "not applicable (oligoprogression)"
        rows = [["Timing of MDT", timing], ["Disease state", w.code(t["disease_state"])],
                ["MDT modality class", w.code(t["modality_class"])], ["Control arm class", w.code(t["control_class"])]]
        out += [_table(["", "Class"], rows), ""]
        from helpers.review.differences import reader_note
        if isinstance(t.get("classification_note"), str) and t["classification_note"].strip():
            out += [f"**Why:** {w(reader_note(t['classification_note']))}", ""]
        if isinstance(t.get("reconciliation_note"), str) and t["reconciliation_note"].strip():
            out += [f"**How the two extractions were reconciled:** {w(reader_note(t['reconciliation_note']))}", ""]
    return out


def _printed(r: dict) -> str:
    if pd.isna(r["hr"]):
        return "\u2014"
    level = f"{float(r['ci_level']):g}" if pd.notna(r.get("ci_level")) else "?"
    ci = (f" ({_num(r['ci_lower'])}\u2013{_num(r['ci_upper'])}, {level}% CI)"
          if pd.notna(r["ci_lower"]) else " (no CI printed)")
    flip = "; printed as control vs MDT" if r.get("direction") == "control_vs_mdt" else ""
    return f"{_num(r['hr'])}{ci}{flip}"


def _medians(r: dict) -> str:
    if pd.isna(r["median_mdt"]) and pd.isna(r["median_control"]):
        return "\u2014"
    unit = r["median_unit"] if isinstance(r["median_unit"], str) else ""
    return f"{_num(r['median_mdt'], 1)} vs {_num(r['median_control'], 1)} {unit}".strip()


def _p(r: dict) -> str:
    p = r.get("p_value")
    if p is None or pd.isna(p) or str(p).strip() == "":
        return "\u2014"
    try:
        text = f"p = {float(p):g}"
    except (TypeError, ValueError):
        text = f"p {p}" if str(p).strip()[:1] in "<>≤≥=" else f"p = {p}"
    sides = r.get("p_sides")
    return text + (" (1-sided)" if sides is not None and pd.notna(sides) and str(sides).strip() in ("1", "1.0") else "")


def _outcomes(trials: pd.DataFrame, res, uses: dict, w: _Words) -> list[str]:
    ids = list(trials["trial_id"])
    rows = _rows_with_raw(res.review.outcomes, ids)
    out = ["## Outcomes", ""]
    if not rows:
        out += ["No hazard ratio, CI, p-value or median was found for this trial in the sources read.", ""]
    for r in rows:
        name = res.labels.trial(r["trial_id"])
        head = f"### {md_escape(r['outcome'])}: {w(r['endpoint_name'])}"
        out += [head + (f" ({md_escape(name)})" if len(ids) > 1 else ""), ""]
        deriv = DERIVATIONS.get(r.get("derivation"), label(r.get("derivation")))
        facts = [["HR as printed", md_escape(_printed(r))], ["p-value", md_escape(_p(r))],
                 ["Medians, MDT vs control", md_escape(_medians(r))], ["Analysis", w(r.get("analysis"))],
                 ["How obtained", md_escape(deriv)], ["Used as the main estimate", "yes" if r.get("primary") == "yes" else "no"],
                 ["Source", w.record(r["record_id"])], ["How it enters the analyses", md_escape(_use_of_row(r, uses, w))]]
        out += [_table(["", "Value"], facts), ""]
        out += _quote(r, OUTCOME_NUMBERS, w)
        if isinstance(r.get("source_url"), str) and r["source_url"].strip():
            out += [f"Read at {md_link('the source', r['source_url'])}.", ""]
    for name, u in uses.items():
        for tid in ids:
            if tid in u["missing"] and not any(r["trial_id"] == tid and r["outcome"] == name and r.get("primary") == "yes"
                                               for r in rows):
                out += [f"**{md_escape(name)}: missing evidence.** {w(u['missing'][tid])}.", ""]
    return out


def _adverse_events(trials: pd.DataFrame, res, w: _Words) -> list[str]:
    rows = _rows_with_raw(res.review.adverse_events, list(trials["trial_id"]))
    out = ["## Adverse events", ""]
    if not rows:
        return out + ["No adverse-event counts per arm were found in the sources read.", ""]

    def arm(e, n, pct):
        if e is None or pd.isna(e):
            return f"{float(pct):g}%" if pct is not None and pd.notna(pct) else "not reported"
        return f"{_int(e)}/{_int(n) if n is not None and pd.notna(n) else '?'}"

    table = [[md_escape(("Grade " + str(r["grade"])).replace(">=", "\u2265")),
              w(r.get("attribution")), md_escape(arm(r["events_mdt"], r["total_mdt"], r.get("pct_mdt"))),
              md_escape(arm(r["events_control"], r["total_control"], r.get("pct_control"))),
              "yes" if r.get("primary") == "yes" else "no", w.record(r["record_id"])] for r in rows]
    out += [_table(["Grade", "Attribution", "MDT", "Control", "Used in the pooling", "Source"], table), ""]
    for r in rows:
        out += _quote(r, AE_NUMBERS, w)
    return out


DOMAINS = {"d1": "Randomisation process", "d2": "Deviations from intended interventions",
           "d3": "Missing outcome data", "d4": "Measurement of the outcome", "d5": "Selection of the reported result"}


def _rob(trials: pd.DataFrame, res, w: _Words) -> list[str]:
    rob = res.review.risk_of_bias
    rows = rob[rob["trial_id"].isin(trials["trial_id"])].to_dict("records")
    out = ["## Risk of bias (RoB 2)", ""]
    if not rows:
        return out + ["Not assessed (the trial is not in the analyses).", ""]
    for r in rows:
        title = f"### {md_escape(r['outcome'])}"
        if len(trials) > 1:
            title += f" ({md_escape(res.labels.trial(r['trial_id']))})"
        prov = " (provisional)" if str(r.get("provisional")) == "yes" else ""
        table = [[md_escape(DOMAINS[d]), w(r[d]), w(r.get(f"{d}_note"))] for d in DOMAINS]
        table.append(["**Overall**", f"**{w(r['overall'])}**{prov}", ""])
        out += [title, "", _table(["Domain", "Judgement", "Why"], table), ""]
    return out


def _records(group: str, res, w: _Words) -> list[str]:
    recs = res.review.records
    rows = recs[recs["trial_group"] == group].to_dict("records")
    out = ["## Records", ""]
    if not rows:
        return out + ["No record of this trial is listed.", ""]
    from helpers.review.search import record_reason

    sources = set(res.review.outcomes["record_id"])
    notes = [record_reason(r, recs, w.labels, sources=sources) for r in rows]
    table = [[w.record(r["record_id"]), w(r.get("title")), w(r.get("record_type")), w(r.get("decision")),
              md_escape(n) if n else "\u2014"] for r, n in zip(rows, notes)]
    return out + [_table(["Record", "Title", "Type", "Decision", "Note"], table), ""]


# --------------------------------------------------------------------------- the pages
def _reader_order(name: str) -> tuple[str, str]:
    """A sort key for reader names: alphabetical, ignoring case and accents ("ÉTUDE" by "E")."""
    import unicodedata

    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return plain.casefold(), name


def _groups(res) -> list[str]:
    """Trial groups as a reader looks for them: the included ones, then the excluded ones, each
    alphabetical by the name the reader sees (the order of the trials index and the sidebar)."""
    t = res.review.trials
    inc = list(dict.fromkeys(t.loc[t["included"] == "yes", "trial_group"]))
    exc = [g for g in dict.fromkeys(t["trial_group"]) if g not in inc]
    return [g for part in (inc, exc) for g in sorted(part, key=lambda g: _reader_order(res.labels.group(g)))]


_INDEX_LINK = re.compile(r"^- \[.*?\]\(([^()\s]+)\.md\)", re.M)


def index_order(index_text: str) -> list[str]:
    """The page names the trials index links, in its order (``_ext/trial_pages.py`` orders the
    sidebar by it, so the two never differ)."""
    return list(dict.fromkeys(_INDEX_LINK.findall(index_text)))


def index_excluded(index_text: str) -> list[str]:
    """The page names the trials index lists under its "Excluded" heading."""
    part = re.split(r"^## Excluded\b.*$", index_text, maxsplit=1, flags=re.M)
    return index_order(part[1]) if len(part) == 2 else []


def page_title(page_text: str) -> str:
    """The plain title of a trial page: its first heading without the MyST escapes."""
    first = next((ln for ln in page_text.splitlines() if ln.startswith("# ")), "")
    return re.sub(r"\\(.)", r"\1", first[2:].strip())


def _page(group: str, res, uses: dict, w: _Words) -> str:
    t = res.review.trials
    trials = t[t["trial_group"] == group]
    included = (trials["included"] == "yes").any()
    out = [f"# {md_escape(res.labels.group(group))}", ""]
    if included:
        names = ", ".join(md_escape(n) for n in trials["trial_name"])
        out += [f"**Included in the review.** Comparisons: {names}.", ""]
        out += _design(trials, w) + _classification(trials, w) + _outcomes(trials, res, uses, w)
        out += _adverse_events(trials, res, w) + _rob(trials, res, w)
    else:
        reasons = "; ".join(dict.fromkeys(w(awaiting_words(x)) for x in trials["exclusion_reason"]))
        head = "Not included" if any(is_awaiting(x) for x in trials["exclusion_reason"]) else "Excluded from the review"
        out += [f"**{head}.** Reason: {reasons}.", ""]
        out += [f"Trial as listed: {', '.join(md_escape(n) for n in trials['trial_name'])}.", ""]
    out += _records(group, res, w)
    out += ["[All trials](index.md)", ""]
    return "\n".join(out)


def _index(res, groups: list[str], w: _Words) -> str:
    t = res.review.trials
    out = ["# Trials", "",
           "One page per trial the review assessed, written from `data/` when the book is built: "
           "design and arms, classification, every outcome as printed with its quote, adverse events, "
           "risk of bias and every record read.", ""]
    inc = [g for g in groups if (t.loc[t["trial_group"] == g, "included"] == "yes").any()]
    exc = [g for g in groups if g not in inc]
    out += [f"## Included ({len(inc)})", ""]
    for g in inc:
        first = t[t["trial_group"] == g].iloc[0]
        ns = pd.to_numeric(t.loc[t["trial_group"] == g, "n_randomized"], errors="coerce").dropna()
        n = f"{int(ns.sum())} randomised" if len(ns) else "number randomised not reported"
        out.append(f"- {md_link(res.labels.group(g), trial_page_name(g) + '.md')}: {w(first['cancer_type'])}; "
                   f"phase {w(first['phase'])}; {n}")
    out += ["", f"## Excluded ({len(exc)})", ""]
    for g in exc:
        reasons = "; ".join(dict.fromkeys(w(awaiting_words(x)) for x in t.loc[t["trial_group"] == g, "exclusion_reason"]))
        out.append(f"- {md_link(res.labels.group(g), trial_page_name(g) + '.md')}: {reasons}")
    return "\n".join(out + [""])


def trial_pages(res) -> dict[str, str]:
    """Page name (without ``.md``) → MyST text: ``index`` and one page per assessed trial group."""
    w = _Words(res.labels)
    uses = _uses(res)
    groups = _groups(res)
    pages = {trial_page_name(g): _page(g, res, uses, w) for g in groups}
    pages[INDEX] = _index(res, groups, w)
    return pages


def write_trial_pages(pages: dict[str, str], folder: str | Path) -> dict[str, list[str]]:
    """Write ``pages`` as ``folder/<name>.md``: a file only when its text changed; delete the
    ``.md`` files no page names. Returns the names written and deleted."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written, deleted = [], []
    for name, text in pages.items():
        path = folder / f"{name}.md"
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(name)
    for path in folder.glob("*.md"):
        if path.stem not in pages:
            path.unlink()
            deleted.append(path.stem)
    return {"written": sorted(written), "deleted": sorted(deleted)}


def trial_links_markdown(table: pd.DataFrame, labels, prefix: str = "../trials/") -> str:
    """Markdown links to the pages of the trial groups in ``table`` (rows with ``trial_group``),
    in table order, each group once: "[SABR-COMET](../trials/sabr-comet.html), ..." (glue:md does not
    resolve document links, so the address is the built page)."""
    groups = list(dict.fromkeys(table["trial_group"]))
    return ", ".join(md_link(labels.group(g), f"{prefix}{trial_page_name(g)}.html") for g in groups)
