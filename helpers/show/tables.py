"""Tables as readers get them: escaped HTML tables, pipe tables for cited cells, and
download links that carry their data (data: URIs, so they work offline)."""
from __future__ import annotations

import math
import re
from statistics import NormalDist

import pandas as pd

from helpers.show.labels import DERIVATIONS, Link, label, source, trial_page_url
from helpers.show.text import NOT_ESTIMABLE, fmt_num, fmt_p, fmt_pct, fmt_ratio, fmt_test_p

__all__ = ["folded", "imputation_table", "rob_me_table", "csv_download_link", "html_table", "zip_download_link", "markdown_table", "comparisons_table",
           "sensitivity_table", "leave_one_out_table", "missing_evidence_table", "scorecard_table", "subgroup_table",
           "safety_summary_table", "adverse_event_table", "bayes_frequentist_table", "prior_sensitivity_table",
           "tsa_table", "null_trial_table"]


def csv_download_link(df, filename: str, text: str = "Download this table as CSV"):
    """An HTML link that carries the table itself (a data: URI), so it works offline."""
    import base64
    import html

    from IPython.display import HTML

    plain = df.map(lambda x: x.plain if isinstance(x, Link) else x)
    payload = base64.b64encode(plain.to_csv(index=False).encode("utf-8")).decode("ascii")
    return HTML(f'<a download="{html.escape(filename)}" href="data:text/csv;charset=utf-8;base64,{payload}">'
                f"{html.escape(text)}</a>")


_LONG_TOKEN = re.compile(r"\S{18,}")


def breakable(text):
    """``text`` with a break opportunity (a zero-width space) after each slash of a long token
    ("upfront/consolidation/unselected"), so a narrow column can wrap it; other values as they are."""
    if not isinstance(text, str) or "/" not in text:
        return text
    return _LONG_TOKEN.sub(lambda m: m.group(0).replace("/", "/\u200b") if "://" not in m.group(0) else m.group(0), text)


def html_table(df, caption: str | None = None, break_anywhere: tuple = ()):
    """A DataFrame as an HTML table with every cell escaped (text from data/ stays text); long
    slash-joined tokens may wrap; the columns in ``break_anywhere`` (checksums, identifiers)
    may break inside a word, so the table keeps to the text column."""
    import hashlib

    # the id pandas gives a table is random: derive it from the content, so builds are byte-identical
    uid = hashlib.sha256(df.to_csv().encode("utf-8")).hexdigest()[:10]
    shown = df.map(breakable)
    styler = shown.style.set_uuid(uid).hide(axis="index").format(escape="html", na_rep="\u2014")
    if break_anywhere:
        styler = styler.set_properties(subset=list(break_anywhere), **{"overflow-wrap": "anywhere"})
    if caption:
        styler = styler.set_caption(caption)
    return styler


def folded(df, summary: str, css_class: str = ""):
    """A table folded under a one-line summary (an HTML ``details`` element), for long
    reference lists a reader opens only when needed."""
    import html

    from IPython.display import HTML

    cls = f' class="{html.escape(css_class)}"' if css_class else ""
    return HTML(f"<details{cls}><summary>{html.escape(summary)}</summary>{html_table(df).to_html()}</details>")


def zip_download_link(folder, filename: str, text: str):
    """An HTML link carrying a zip of every file in ``folder`` (a data: URI: works offline)."""
    import base64
    import html
    import io
    import zipfile
    from pathlib import Path

    from IPython.display import HTML

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(Path(folder).iterdir()):
            if path.is_file():
                info = zipfile.ZipInfo(f"data/{path.name}", date_time=(2025, 6, 9, 0, 0, 0))   # fixed: same zip each build
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, path.read_bytes())
    payload = base64.b64encode(buf.getvalue()).decode("ascii")
    return HTML(f'<a download="{html.escape(filename)}" href="data:application/zip;base64,{payload}">'
                f"{html.escape(text)}</a>")


def markdown_table(df) -> str:
    """A DataFrame as a MyST/Markdown pipe table (cells may hold roles such as {cite})."""
    def cell(x):
        return str(breakable(x)).replace("|", "\\|").replace("\n", " ")
    head = "| " + " | ".join(cell(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(cell(x) for x in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def comparisons_table(t: pd.DataFrame, records: dict | None = None, full: bool = False) -> pd.DataFrame:
    """The table of comparisons a reader checks (one row of a hazard-ratio table each): as
    printed, how used, where from. ``records`` maps record id → (citation, address) (the review's
    label map), so the source reads "Harrow 2022, Int J Radiat Oncol Biol Phys", linked.
    ``full=True`` adds the trial characteristics (for the CSV download; the page keeps to the
    columns that fit its text column)."""
    records = records or {}

    def printed(r):
        if pd.isna(r["hr_printed"]):
            return "\u2014"
        ci = f" ({fmt_num(r['ci_lower_printed'])}\u2013{fmt_num(r['ci_upper_printed'])}, {r['ci_level']:g}% CI)" \
            if pd.notna(r["ci_lower_printed"]) else " (no CI printed)"
        flip = "; printed as control vs MDT" if r["direction"] == "control_vs_mdt" else ""
        return f"{fmt_num(r['hr_printed'])}{ci}{flip}"

    def medians(r):
        if pd.isna(r["median_mdt"]) and pd.isna(r["median_control"]):
            return "\u2014"
        unit = r["median_unit"] if isinstance(r["median_unit"], str) else ""
        return f"{fmt_num(r['median_mdt'], 1)} vs {fmt_num(r['median_control'], 1)} {unit}".strip()

    sources = [source(r, records) for r in t["record_id"]]
    tiers = [label(x) if isinstance(x, str) else "" for x in t["source_tier"]]
    characteristics = {
        "Cancer": t["cancer_group"], "Control arm": t["control_arm"], "Systemic therapy": t["systemic_therapy"],
        "Timing": t["timing"].map(label, na_action="ignore").fillna("n/a (oligoprogression)"), "Disease state": t["disease_state"].map(label),
    } if full else {}
    groups = t["trial_group"] if "trial_group" in t else [None] * len(t)
    trials = [Link(name, trial_page_url(g)) if isinstance(g, str) else name for name, g in zip(t["trial"], groups)]
    return pd.DataFrame({
        "Trial": trials, **characteristics, "n": t["n"].astype("string").fillna("not reported"),
        "Endpoint": t["endpoint_name"], "HR as printed": [printed(r) for _, r in t.iterrows()],
        "Medians, MDT vs control": [medians(r) for _, r in t.iterrows()],
        "HR used (95% CI)": [fmt_ratio(h, l, u) if e else "not estimable"
                             for h, l, u, e in zip(t["hr"], t["ci_lb"], t["ci_ub"], t["estimable"])],
        "How obtained": [DERIVATIONS[d] + (f" ({n})" if n else "") for d, n in zip(t["derivation"], t["note"])],
        "Source (read as)": [_with_note(s, tier) for s, tier in zip(sources, tiers)],
    })


def _with_note(link, note: str):
    """A linked source followed by a plain note, as one cell."""
    return Link(link.text, link.url, after=f" ({note})" if note else "") if isinstance(link, Link) else link


def _ratio_or_not(hr, lb, ub, estimable=True) -> str:
    return fmt_ratio(hr, lb, ub) if estimable else NOT_ESTIMABLE


def sensitivity_table(sens: pd.DataFrame, level: float = 95) -> pd.DataFrame:
    """Sensitivity analyses as readers see them (rows of ``sensitivity_analyses``)."""
    e = sens["estimable"]
    return pd.DataFrame({
        "Analysis": sens["analysis"], "k": sens["k"], "n": sens["n"],
        f"HR ({level:g}% CI)": [_ratio_or_not(h, lb, ub, ok) for h, lb, ub, ok in
                                zip(sens["hr"], sens["ci_lb"], sens["ci_ub"], e)],
        "p": [fmt_p(p) if ok else "" for p, ok in zip(sens["pval"], e)],
        "τ²": [fmt_num(t, 3) if ok else "" for t, ok in zip(sens["tau2"], e)],
        "I²": [fmt_pct(i) if ok else "" for i, ok in zip(sens["I2"], e)],
    })


def leave_one_out_table(loo_by_model: dict[str, pd.DataFrame], level: float = 95) -> pd.DataFrame:
    """Leave-one-out (metafor's ``leave1out``, log scale) under each model, one column per
    model: the HR with its CI without each comparison, and whether that CI crosses 1."""
    models = list(loo_by_model)
    first = loo_by_model[models[0]]
    out = pd.DataFrame({"Left out": list(first.index)})
    for name in models:
        loo = loo_by_model[name]
        out[f"{name}: HR ({level:g}% CI) without it"] = [
            fmt_ratio(math.exp(e), math.exp(lb), math.exp(ub)) + (" crosses 1" if lb < 0 < ub else "")
            for e, lb, ub in zip(loo["estimate"], loo["ci_lb"], loo["ci_ub"])]
    return out


def missing_evidence_table(missing: pd.DataFrame) -> pd.DataFrame:
    """The comparisons without a poolable estimate (``helpers.review.missing``), for readers."""
    return pd.DataFrame({
        "Trial": missing["trial"], "n": missing["n"].astype("Int64").astype("string").fillna("not reported"),
        "What the sources say": missing["sources_say"],
        "Favours": missing["favours"].replace("", "not stated"), "Why not pooled": missing["reason"],
    })


def imputation_table(table: pd.DataFrame, names: dict) -> pd.DataFrame:
    """The imputation sensitivity analysis for readers (``ImputationResult.table`` of
    ``helpers.review.imputation``): each comparison, how its HR was obtained, and its weight
    (percent) without and with the imputed comparisons."""
    def pct(x):
        return "—" if pd.isna(x) else f"{x:.0f}%"
    z = NormalDist().inv_cdf(0.975)
    return pd.DataFrame({
        "Trial": [names.get(t, t) for t in table["trial_id"]],
        "HR (95% CI)": [fmt_ratio(math.exp(y), math.exp(y - z * se), math.exp(y + z * se))
                        for y, se in zip(table["yi"], table["sei"])],
        "How obtained": ["pooled as reported" if m == "pooled" else m for m in table["method"]],
        "Weight, pooled only": [pct(w) for w in table["weight_pooled"]],
        "Weight, with imputed": [pct(w) for w in table["weight_with_imputed"]],
        "Note": table["note"].fillna(""),
    })


def rob_me_table(items: pd.DataFrame) -> pd.DataFrame:
    """The ROB-ME signalling questions, answers and reasons (``data/rob_me.csv``)."""
    return pd.DataFrame({"Signalling question": items["item"], "Answer": items["answer"], "Why": items["reason"]})


def scorecard_table(card: pd.DataFrame, model: str, full: bool = False) -> pd.DataFrame:
    """The reproduction scorecard for readers (rows of ``helpers.review.scorecard.scorecard``):
    the paper, this book under the primary model (``model`` names it), k and n, the verdict;
    ``full=True`` adds the secondary models."""
    from helpers.show.plots import label_row

    names = {r["analysis_id"]: label_row(r["outcome"], r["factor"], r["subgroup"]) for _, r in card.iterrows()}
    verdicts = [f"same comparisons as {names[s]}" if s else v for v, s in zip(card["verdict"], card["same_as"])]
    out = pd.DataFrame({"Analysis": [names[a] for a in card["analysis_id"]], "Paper": card["paper"],
                        f"This book ({model})": card["book"], "k": card["k"], "n": card["n"], "Verdict": verdicts})
    if full:
        out.insert(5, "DerSimonian–Laird, z", card["book_DL_z"])
        out.insert(6, "REML, z-test", card["book_REML_z"])
    return out


def subgroup_table(results: dict) -> pd.DataFrame:
    """Every subgroup of every factor (``SubgroupResult`` objects keyed by (outcome, factor)),
    with k per level and both interaction tests."""
    from helpers.show.labels import heading

    rows = []
    for (oc, f), r in results.items():
        sep = (f"Q = {r.q_separate:.2f}, df = {r.df_separate}, {fmt_test_p(r.p_separate)}"
               if not math.isnan(r.q_separate) else "not testable")
        for _, g in r.rows.iterrows():
            rows.append({"Outcome": oc, "Factor": f,
                         "Subgroup": heading(g["level"]) + ("" if g["in_test"] else " (not in the test)"),
                         "k": g["k"], "n": g["n"], "HR (95% CI)": fmt_ratio(g["hr"], g["ci_lb"], g["ci_ub"]),
                         "τ²": fmt_num(g["tau2"], 3), "I²": fmt_pct(g["I2"]),
                         "Test (separate τ²)": sep, "Test (common τ²)": fmt_test_p(r.p_common)})
    return pd.DataFrame(rows)


def _arm(events, total, pct=None) -> str:
    """'3/66', '0/?' (denominator not reported), '10.6%' (a printed percentage that gives no
    count) or 'not reported': never a zero for a gap."""
    if events is None or pd.isna(events):
        return f"{float(pct):g}%" if pct is not None and pd.notna(pct) else "not reported"
    return f"{int(events)}/{int(total) if total is not None and pd.notna(total) else '?'}"


def _per100(x: float) -> str:
    """A risk difference (a proportion) per 100 with one decimal and a true minus sign: −5.2."""
    return f"{round(100 * x, 1) or 0.0:.1f}".replace("-", "\u2212")


def safety_summary_table(pooled: dict, grade_labels: dict) -> pd.DataFrame:
    """One row per adverse-event grade (``SafetyResult`` objects keyed by grade code). With one
    trial its own OR is shown and every pooled column says "not pooled (one trial)"."""
    def ratio(r):
        return NOT_ESTIMABLE if r is None else fmt_ratio(math.exp(r.beta), math.exp(r.ci_lb), math.exp(r.ci_ub))
    rows = []
    for g, r in pooled.items():
        k = len(r.usable)
        k_or = r.re_k          # tables with an event in at least one arm: the only ones an OR can use
        one = "not pooled (one trial with events)"
        rd = (f"{_per100(r.mh_rd.beta)} ({_per100(r.mh_rd.ci_lb)} to {_per100(r.mh_rd.ci_ub)}) per 100"
              if r.mh_rd else NOT_ESTIMABLE)
        rows.append({"Grade": grade_labels[g], "Trials with usable counts": k,
                     "Not reported or incomplete": int((r.table["status"] != "usable").sum()),
                     "Risk MDT": f"{100 * r.risk_mdt:.1f}%" if k else "—",
                     "Risk control": f"{100 * r.risk_control:.1f}%" if k else "—",
                     "Odds ratio": ("—" if k_or == 0 else f"one trial: {ratio(r.mh_or)}" if k_or == 1
                                    else f"{ratio(r.mh_or)} (Mantel–Haenszel)"),
                     "Random-effects OR": one if k_or == 1 else ratio(r.re_or),
                     "Peto OR": one if k_or == 1 else ratio(r.peto),
                     "Risk difference": ("—" if k == 0 else f"one trial: {rd}" if k == 1 else f"{rd} (Mantel–Haenszel)")})
    return pd.DataFrame(rows)


def adverse_event_table(pooled: dict, grade_labels: dict, keep_unreported: str = ">=2",
                        records: dict | None = None) -> pd.DataFrame:
    """Per-trial adverse-event counts per arm, "not reported" where a source is silent (rows
    not reported are kept only for ``keep_unreported``)."""
    rows = []
    for g, r in pooled.items():
        for t in r.table.to_dict("records"):
            if t["status"] == "not reported" and g != keep_unreported:
                continue
            trial = Link(t["trial"], trial_page_url(t["trial_group"])) if t.get("trial_group") else t["trial"]
            rows.append({"Grade": grade_labels[g], "Trial": trial, "Status": t["status"],
                         "MDT": _arm(t["ai"], t["n1i"], t["pct_mdt"]), "Control": _arm(t["ci"], t["n2i"], t["pct_control"]),
                         "How": t["how"], "Source": source(t["record_id"], records or {})})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- certainty
def bayes_frequentist_table(freq: dict, bayes: dict, mcid: float) -> pd.DataFrame:
    """The primary frequentist and Bayesian results side by side, one column per outcome.

    ``freq``: outcome → {hr, hr_lb, hr_ub, pi_lb, pi_ub, tau}; ``bayes``: outcome → the
    default-prior posterior summary {hr, hr_lb, hr_ub, p_benefit, p_mcid, new_hr, new_lb,
    new_ub, p_new_benefit, tau, tau_lb, tau_ub} (intervals shortest 95 %)."""
    from helpers.show.text import fmt_ci, fmt_prob

    oc = list(freq)
    rows = [
        ("Frequentist (primary model)", "Pooled HR (95% CI)", lambda o: fmt_ratio(freq[o]["hr"], freq[o]["hr_lb"], freq[o]["hr_ub"])),
        ("Frequentist (primary model)", "95% prediction interval for a new trial",
         lambda o: fmt_ci(freq[o]["pi_lb"], freq[o]["pi_ub"]) if not math.isnan(freq[o]["pi_lb"]) else "not given (k < 3)"),
        ("Frequentist (primary model)", "τ (restricted maximum likelihood)", lambda o: fmt_num(freq[o]["tau"], 2)),
        ("Bayesian (default priors)", "Pooled HR, posterior median (95% credible interval)",
         lambda o: fmt_ratio(bayes[o]["hr"], bayes[o]["hr_lb"], bayes[o]["hr_ub"])),
        ("Bayesian (default priors)", "P(HR < 1)", lambda o: fmt_prob(bayes[o]["p_benefit"])),
        ("Bayesian (default priors)", f"P(HR < {mcid:.2f})", lambda o: fmt_prob(bayes[o]["p_mcid"])),
        ("Bayesian (default priors)", "HR in a new trial (95% interval)",
         lambda o: fmt_ratio(bayes[o]["new_hr"], bayes[o]["new_lb"], bayes[o]["new_ub"])),
        ("Bayesian (default priors)", "P(new trial's HR < 1)", lambda o: fmt_prob(bayes[o]["p_new_benefit"])),
        ("Bayesian (default priors)", "τ, posterior median (95% credible interval)",
         lambda o: fmt_ratio(bayes[o]["tau"], bayes[o]["tau_lb"], bayes[o]["tau_ub"])),
    ]
    return pd.DataFrame([{"Model": m, "Quantity": q, **{o: f(o) for o in oc}} for m, q, f in rows])


def prior_sensitivity_table(bayes: dict, mcid: float) -> pd.DataFrame:
    """The Bayesian analyses under each prior (rows of ``bayes_analyses``, by outcome): k, the
    posterior median HR with its shortest 95 % credible interval, P(HR < 1), P(HR < ``mcid``)
    and P(a new trial's HR < 1); rows that cannot be computed say why."""
    from helpers.show.text import fmt_prob

    rows = []
    for oc, t in bayes.items():
        for _, r in t.iterrows():
            ok = bool(r["estimable"])
            rows.append({"Outcome": oc, "Prior": r["label"], "k": int(r["k"]),
                         "HR (95% credible interval)": fmt_ratio(r["hr"], r["hr_lb"], r["hr_ub"]) if ok else r["note"],
                         "P(HR < 1)": fmt_prob(r["p_benefit"]) if ok else "",
                         f"P(HR < {mcid:.2f})": fmt_prob(r["p_mcid"]) if ok else "",
                         "P(new trial's HR < 1)": fmt_prob(r["p_new_benefit"]) if ok else ""})
    return pd.DataFrame(rows)


def tsa_table(t: pd.DataFrame) -> pd.DataFrame:
    """Trial sequential analyses (rows of ``tsa_summary``): required events without and with
    the diversity adjustment, the information reached (events and share of the required),
    the final cumulative Z and the benefit boundary at the last trial (both positive when
    they favour MDT), and the verdict."""
    rows = []
    for _, r in t.iterrows():
        if r["verdict"] == "not run":
            rows.append({"Outcome": r["outcome"], "Analysis": r["label"], "Required events (without / with D²)": "",
                         "Information reached": "", "Final Z": "", "Boundary for benefit": "",
                         "Verdict": f"not run: {r['note']}"})
            continue
        bound = (fmt_num(r["boundary_final"]) if math.isfinite(r["boundary_final"])
                 else "none left (past the required information)")
        rows.append({"Outcome": r["outcome"], "Analysis": r["label"],
                     "Required events (without / with D²)": (f"{r['events_required']:,.0f} / "
                                                             f"{r['events_required_adjusted']:,.0f} (D² = {r['D2']:.2f})"),
                     "Information reached": f"{r['events_accrued']:,.0f} events ({100 * r['fraction']:.0f}%)",
                     "Final Z": fmt_num(r["z_final"]), "Boundary for benefit": bound, "Verdict": r["verdict"]})
    return pd.DataFrame(rows)


def null_trial_table(null: dict, mcid: float) -> pd.DataFrame:
    """Each outcome now and with one more null trial (``NullTrial``-like objects with
    ``before``/``after`` dicts: hr, hr_lb, hr_ub, p_benefit, p_mcid, verdict)."""
    from helpers.show.text import fmt_prob

    rows = []
    for oc, n in null.items():
        if not n.after:
            continue
        for q, f in (("Pooled HR, primary model (95% CI)", lambda d: fmt_ratio(d["hr"], d["hr_lb"], d["hr_ub"])),
                     ("Pooled HR, Bayesian (95% credible interval)",
                      lambda d: fmt_ratio(d["bayes_hr"], d["bayes_lb"], d["bayes_ub"])),
                     ("P(HR < 1)", lambda d: fmt_prob(d["p_benefit"])),
                     (f"P(HR < {mcid:.2f})", lambda d: fmt_prob(d["p_mcid"])),
                     ("Trial sequential verdict", lambda d: d["verdict"])):
            rows.append({"Outcome": oc, "Quantity": q, "Now": f(n.before), f"With a null trial of {n.n}": f(n.after)})
    return pd.DataFrame(rows)
