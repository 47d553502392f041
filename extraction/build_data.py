"""Reconcile the two independent extraction passes into data/.

Run from the book root:  python extraction/build_data.py

Inputs (committed, unchanged as the extractors left them):
  extraction/pass_a, extraction/pass_b       round 1 (all leads; independent)
  extraction/pass_a2, extraction/pass_b2     round 2 (targeted gaps; independent)
Every decision taken in reconciling them is written below as data (DECISIONS), each
with its reason; the log of disagreements is data/reconciliation.csv and the
summary in data/README.md.  Values are never typed here: they are taken from a pass
row whose quote contains them; decisions only choose between rows or classify.
"""
from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = ROOT / "data"
sys.path.insert(0, str(ROOT))

from helpers.review.checks import PROVENANCE_EXTRA_FIELDS  # noqa: E402
from helpers.review.data import read_package, schemas  # noqa: E402

SCHEMAS = schemas(read_package(DATA))   # the columns of each file, in order, from data/datapackage.json


def read(pass_name: str, file: str) -> list[dict]:
    path = HERE / pass_name / file
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return [{k: (v or "").strip() for k, v in r.items() if k is not None} for r in csv.DictReader(f)]


def write(file: str, rows: list[dict], extra: tuple[str, ...] = ()) -> None:
    fields = [c.name for c in SCHEMAS[file].columns] + list(extra)
    with (DATA / file).open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in fields})


PHASE = {"2": "II", "II": "II", "3": "III", "III": "III", "2/3": "II/III", "2R/3": "II"}

# ----------------------------------------------------------------------------- decisions
# Trial-level classification calls where the passes disagree or the schema needs a class.
# phase: canonical class of the phase as reported (NRG-LU002 and NRG-BR002 report their phase II
# portions; CORE reported its phase II part).
TRIAL_DECISIONS: dict[str, dict[str, str]] = {
    "sabr_comet": {"disease_state": "recurrent", "control_class": "active therapy",
                   "why": "controlled primary required (metachronous: oligorecurrence); A said mixed, B recurrent; "
                          "control arm = palliative standard of care incl. systemic therapy"},
    "gomez_lct": {"control_class": "active therapy", "why": "maintenance therapy or observation (mostly maintenance)"},
    "iyengar_sabr": {"control_class": "active therapy", "max_lesions": "5",
                     "why": "'primary plus up to 5 metastatic sites': cap on metastases is 5 (B wrote 6 incl. primary)"},
    "sindas": {"control_class": "active therapy", "why": "EGFR TKI in both arms"},
    "nrg_lu002": {"phase": "II", "control_class": "active therapy", "why": "phase II portion reported; maintenance"},
    "peng_2023": {"control_class": "active therapy", "why": "EGFR TKI in both arms; lesion cap from a review table"},
    "curb_nsclc": {"control_class": "active therapy", "timing": "", "why": "oligoprogression: timing n/a"},
    "curb_breast": {"control_class": "active therapy", "timing": "", "why": "oligoprogression: timing n/a"},
    "stop": {"control_class": "active therapy", "timing": "", "included": "yes", "exclusion_reason": "",
             "why": "A included (1-5 progressing metastases, SABR + SOC vs SOC), B excluded for lack of results; "
                    "eligibility does not depend on results: included, outcome not estimable unless reported"},
    "stomp": {"control_class": "observation", "why": "surveillance"},
    "oriole": {"control_class": "observation", "why": "observation"},
    "extend_prostate": {"control_class": "active therapy", "why": "intermittent hormone therapy in both arms"},
    "extend_prostate_continuous": {"control_class": "active therapy", "why": "continuous ADT in both arms"},
    "extend_pancreas": {"control_class": "active therapy", "disease_state": "mixed", "timing": "consolidation",
                        "why": "on systemic therapy before MDT (A); B left disease state empty"},
    "extend_breast": {"control_class": "active therapy", "disease_state": "mixed", "timing": "consolidation",
                      "why": "systemic therapy ongoing, stratified by prior lines (A); B left timing and state empty"},
    "arto": {"control_class": "active therapy", "disease_state": "recurrent",
             "why": "mCRPC after prior ADT: metachronous (B recurrent; A mixed with the same reasoning)"},
    "nrg_br002": {"phase": "II", "control_class": "active therapy", "why": "phase IIR portion reported"},
    "eso_shanghai13": {"control_class": "active therapy", "disease_state": "mixed",
                       "why": "controlled primary, synchronous and metachronous described (A mixed, B recurrent)"},
    "core": {"phase": "II", "control_class": "active therapy", "why": "phase II/III; SOC per primary"},
    "pulmicc": {"control_class": "observation", "phase": "",
                "why": "active monitoring; phase not printed in the sources read, so left empty"},
    "rtog_0937": {"control_class": "observation",
                  "why": "found by one extractor only (round 3); PCI in both arms, so the control arm is observation "
                         "after chemotherapy; borderline (small-cell, thoracic RT included, conventional RT); "
                         "outcome numbers from the JTO 2017 abstract, found in round 4A and confirmed by pass B5"},
}

# Which report the main analysis uses, where the automatic rule (below) is overridden: none yet.
# Extractor notes whose stated code contradicts the final (reconciled) code: the words that
# contradict it are replaced by the final call and its reason, so readers see one rationale.
NOTE_FIXES: dict[str, tuple[tuple[str, str], ...]] = {
    "sabr_comet": (("-> mixed.", "-> coded recurrent: a controlled primary was required, so the metastases are "
                                 "metachronous (oligorecurrence)."),),
    "arto": (("-> coded mixed (uncertain; could be argued oligoprogressive on ADT)",
              "-> coded recurrent (metachronous after prior ADT; uncertain, could be argued oligoprogressive on ADT)"),),
    "extend_prostate_continuous": (
        ("Only arm sizes seen; no outcome numbers; publication (European Urology) date unknown - may be after the "
         "9 June 2025 cut-off.",
         "PFS HR 0.50 with a one-sided p = 0.036 (European Urology); the results were presented at ASCO GU in "
         "February 2025, before the 9 June 2025 cut-off."),),
    "rtog_0937": (("Outcome numbers NOT seen (trial closed for futility on OS at interim).",
                   "Closed for futility on OS at the interim analysis; the JTO 2017 abstract prints time to "
                   "progression (HR 0.53) and 1-year OS rates (60.1% vs 50.8%, favouring PCI alone) for eligible "
                   "patients."),),
}

PRIMARY_OVERRIDES: dict[tuple[str, str], tuple[str, str]] = {
    # The 2024 review reprints Gomez 2016's HR with a "95% CI" label; the primary abstract (PubMed,
    # verbatim copy found by pass B5 and read again before merging) prints "90% CI 0·18-0·66".
    ("gomez_lct", "PFS"): ("gomez_2016_lancetoncol", "treated with a post-baseline scan"),
}

# Outcome rows where a derivation applies that the extractors (told not to derive) did not mark.
OUTCOME_FIXES: dict[tuple[str, str, str, str], dict[str, str]] = {   # (trial, outcome, record, HR as printed)
    ("arto", "OS", "francolini_asco_arto_os", ""): {
        "derivation": "from_p_and_events", "p_favours": "mdt",
        "why": "updated OS: 29 deaths (9 vs 20) and exact p = 0.07, no HR printed: Tierney 2007"},
    ("extend_prostate_continuous", "PFS", "extend_continuous_eururol", "0.50"): {
        "derivation": "from_hr_and_p", "p_sides": "1",
        "why": "HR 0.50 printed with a one-sided p = 0.036 and no CI: SE from HR and p"},
}

# Median follow-up (months) of the report an outcome row quotes, for the imputation of missing
# results (events estimated from medians and follow-up).  Round 4B quoted the follow-up in a
# longer excerpt of the same record: that excerpt becomes the row's quote (it prints the row's
# other numbers too; the loader checks every one).  (trial, outcome, record) → (months, pass,
# outcome of the pass's row whose quote is used).
FOLLOWUP: dict[tuple[str, str, str], tuple[str, str, str]] = {
    ("sindas", "OS", "wang_2023_jnci"): ("23.6", "pass_b4", "OS"),
    ("sindas", "PFS", "wang_2023_jnci"): ("23.6", "pass_b4", "OS"),
    ("gomez_lct", "OS", "gomez_2019_jco"): ("38.8", "pass_b4", "OS"),
}


def add_followup(rows: list[dict]) -> None:
    for r in rows:
        hit = FOLLOWUP.get((r["trial_id"], r["outcome"], r["record_id"]))
        if not hit:
            continue
        months, pass_name, outcome = hit
        source = next(q for q in _read_raw(pass_name, "outcomes.csv")
                      if (q["trial_id"], q["outcome"], q["record_id"]) == (r["trial_id"], outcome, r["record_id"]))
        r["followup_months"], r["quote"] = months, source["quote"]


# Adverse-event rows printed as percentages only: the percentages as printed (checked against the quote
# by the loader), so that helpers can derive counts from them and the arm sizes.
AE_PERCENTAGES: dict[tuple[str, str, str], tuple[str, str]] = {
    ("sabr_comet", ">=2", "harrow_2022_ijrobp"): ("30.3", "9.1"),       # rounds 4A and 4B agree
    ("gomez_lct", ">=3", "nrco_2019_gomez_news"): ("20", "8"),          # rounds 4A and 4B agree
    # grade 2 is the worst grade printed ("no grade 3 AEs"), so grade 2 = grade >=2; rounds 4A and 4B agree
    ("peng_2023", ">=2", "review_2024_tlcr_egfr_sbrt"): ("50", "45.2"),
    # "Grade >2 AEs occurred in 10.6% and 15.8%" (experimental, control); round 4A, checked against the quote
    ("arto", ">=3", "medpage_2023_arto_news"): ("10.6", "15.8"),
}

# Adverse-event rows whose zero counts the quote states in words ("no grade 3 AEs"); rounds 4A and 4B agree.
AE_ZEROS: set[tuple[str, str, str]] = {("peng_2023", ">=3", "review_2024_tlcr_egfr_sbrt")}

# Quality-of-life findings the extractors quoted in their notes (round 2, item 11), as provenance rows.
QOL_QUOTES = [
    ("sabr_comet", "palma_2020_jco", "no difference between arms",
     "There were no new grade 2-5 adverse events and no differences in QOL between arms."),
    ("stomp", "ost_2018_jco", "no difference between arms",
     "Quality of life was similar between arms at baseline and remained comparable at 3-month and 1-year follow-up."),
    ("pulmicc", "pulmicc_2020_colorectaldis", "no difference between arms",
     "No significant difference was seen at any time point."),
]

RECORD_TYPES = {"full paper", "abstract", "long-term update", "congress abstract", "news", "review", "protocol",
                "registry"}
ANALYSIS_RANK = {"itt": 0, "stratified": 0, "": 1, "adjusted": 2, "per-protocol": 3}


# ----------------------------------------------------------------------------- merging
def _rec_key(r: dict) -> str:
    doi = r.get("doi", "").lower().removeprefix("https://doi.org/")
    return doi or r.get("pmid", "") or r.get("url", "").rstrip("/").lower() or r["record_id"]


PASSES = ("pass_a", "pass_b", "pass_a2", "pass_b2", "pass_a3", "pass_b3", "pass_a4", "pass_b4", "pass_b5")


def merged_records() -> tuple[list[dict], dict[tuple[str, str], str]]:
    """All records, deduplicated by DOI/PMID/URL; returns rows and (pass, id) → canonical id."""
    canon: dict[str, str] = {}
    rows: dict[str, dict] = {}
    idmap: dict[tuple[str, str], str] = {}
    for p in PASSES:
        for r in read(p, "records.csv"):
            key = _rec_key(r)
            rid = canon.setdefault(key, r["record_id"] if r["record_id"] not in rows else f"{r['record_id']}_{p}")
            idmap[(p, r["record_id"])] = rid
            if rid not in rows:
                rows[rid] = {**r, "record_id": rid}
    for r in rows.values():
        if r["record_type"] not in RECORD_TYPES:
            r["record_type"] = "abstract"
        if not r["trial_group"]:
            r["trial_group"] = "several trials"   # reviews and meta-analyses that report more than one trial
    return list(rows.values()), idmap


def merged(file: str, idmap, key_fields: tuple[str, ...]) -> tuple[list[dict], list[dict]]:
    """Rows of one file from all passes with canonical record ids; duplicates (same key)
    collapse to the first pass's row.  Returns (rows, log of disagreements)."""
    out: dict[tuple, dict] = {}
    log = []
    for p in PASSES:
        for r in read(p, file):
            rid = r.get("record_id", "")
            base = p.rstrip("0123456789")   # a later round may cite an earlier round's record
            rid = next((idmap[(q, rid)] for q in (p, base + "2", base) if (q, rid) in idmap), rid)
            r = {**r, "record_id": rid, "_pass": p}
            k = tuple(_norm(r.get(f, "")) for f in key_fields)
            if k in out:
                prev = out[k]
                diffs = {f: (prev.get(f, ""), r.get(f, "")) for f in NUMERIC.get(file, ())
                         if prev.get(f, "") != r.get(f, "")}
                if diffs:
                    log.append({"file": file, "key": " / ".join(k), "first": prev["_pass"], "second": p,
                                "differences": "; ".join(f"{f}: {a!r} vs {b!r}" for f, (a, b) in diffs.items())})
                continue
            out[k] = r
    return list(out.values()), log


def _norm(value: str) -> str:
    """Key form of a cell: numbers compared as numbers ('.004' = '0.004', '< .001' = '<0.001')."""
    v = value.replace(" ", "")
    prefix = v[:1] if v[:1] in "<>" else ""
    try:
        return prefix + repr(float(v[len(prefix):]))
    except ValueError:
        return value


NUMERIC = {
    "outcomes.csv": ("hr", "ci_lower", "ci_upper", "ci_level", "p_value", "median_mdt", "median_control"),
    "trials.csv": ("n_randomized", "n_mdt", "n_control", "max_lesions", "phase", "timing", "disease_state",
                   "included"),
    "adverse_events.csv": ("events_mdt", "total_mdt", "events_control", "total_control"),
    "provenance.csv": ("value",),
}

TRIAL_ALIASES = {"nrog002": "nrog_002"}
# provenance fields a pass named in its own words → the field name in data/
FIELD_ALIASES = {"pct_prior_definitive_primary_treatment (proxy for metachronous/recurrent)": "pct_recurrent"}


def _alias(rows: list[dict]) -> list[dict]:
    for r in rows:
        if "trial_id" in r:
            r["trial_id"] = TRIAL_ALIASES.get(r["trial_id"], r["trial_id"])
        if "field" in r:
            r["field"] = FIELD_ALIASES.get(r["field"], r["field"])
    return rows


_read_raw = read


# Round 4 (`extraction/PROMPT4.md`) is merged row by row, not wholesale: its files keep values as
# printed ("not reached", "29 (9 MDT vs 20 control)"), so only the rows below are taken, each
# as the pass wrote it (keyed by record id, or trial id and outcome), with the reason.
ROUND4_ROWS: dict[str, dict[str, dict[tuple[str, ...], str]]] = {
    "records.csv": {
        "pass_a4": {("urotoday_ascogu2025_extend",):
                    "dates the EXTEND continuous-ADT results to ASCO GU, February 2025, before the cut-off "
                    "(pass B4 found the same report: sherry_2025_ascogu, same URL)",
                    ("gore_2017_jto",): "the RTOG 0937 JTO 2017 abstract the two outcome rows below quote"},
        "pass_b4": {("tang_2023_jamaoncol_quadshot",): "the EXTEND prostate report the pct_recurrent row quotes"},
    },
    "provenance.csv": {
        "pass_b4": {("extend_prostate", "pct_recurrent"):
                    "72% had prior definitive treatment of the prostate: the share of recurrent (metachronous) "
                    "patients, for the paper's dichotomy; pass A4 extracted the same 72% (field pct_recurrent)"},
    },
    "outcomes.csv": {
        "pass_a4": {("rtog_0937", "OS"): "1-year OS 60.1% vs 50.8% (p = 0.21), favouring the control arm; "
                                         "confirmed verbatim by pass B5 (extraction/pass_b5/notes.md)",
                    ("rtog_0937", "PFS"): "time to progression HR 0.53 (95% CI 0.32-0.87), favouring PCI + cRT; "
                                          "confirmed verbatim by pass B5"},
    },
}


def _round4_key(file: str, r: dict) -> tuple[str, ...]:
    if file == "records.csv":
        return (r["record_id"],)
    if file == "provenance.csv":
        return (r.get("trial_id", ""), r.get("field", ""))
    return (r.get("trial_id", ""), r.get("outcome", r.get("grade", "")))


def read(pass_name: str, file: str) -> list[dict]:  # noqa: F811  (aliasing wrapper)
    rows = _alias(_read_raw(pass_name, file))
    if pass_name.endswith("4"):
        keep = ROUND4_ROWS.get(file, {}).get(pass_name, {})
        rows = [r for r in rows if _round4_key(file, r) in keep]
    if file == "adverse_events.csv":
        for r in rows:
            r["attribution"] = "all-cause" if r["attribution"].lower().startswith("all") else "treatment-related"
    return rows


DERIVED = ("from_hr_and_p", "from_p_and_events", "ratio_of_medians")


def report_date(record: dict) -> tuple[int, ...]:
    """(year, month[, day]) of a record, () when undated."""
    return tuple(int(x) for x in (record.get("pub_date") or record.get("year") or "").split("-") if x.isdigit())


def latest_first(record: dict) -> tuple[int, ...]:
    """Sort key putting later reports first and undated ones last."""
    return tuple(-x for x in report_date(record)) or (1,)


def primary_rank(row: dict, group: list[dict], records: dict[str, dict]) -> tuple:
    """Sort key of one outcome row among its comparison's rows (smallest = primary).

    In order: a record before the cut-off; a usable row; the **latest-report rule** (a
    printed HR with CI from the latest eligible report beats a derivation from an earlier or
    undated report); the analysis set (ITT first); the latest date."""
    def in_time(r):
        return records[r["record_id"]]["decision"] == "included"   # never a record after the cut-off
    usable = row["derivation"] in ("reported", *DERIVED)
    printed = [report_date(records[r["record_id"]]) for r in group if r["derivation"] == "reported" and in_time(r)]
    date = report_date(records[row["record_id"]])
    beaten = row["derivation"] in DERIVED and bool(printed) and not (date and date > max(printed))
    return (not in_time(row), not usable, beaten, ANALYSIS_RANK.get(row["analysis"].lower(), 1),
            latest_first(records[row["record_id"]]))


def choose_primary(rows: list[dict], records: dict[str, dict]) -> None:
    """One primary row per comparison and outcome, the smallest ``primary_rank``."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["trial_id"], r["outcome"]), []).append(r)
    for key, g in groups.items():
        for r in g:
            r["primary"] = "no"
        if key in PRIMARY_OVERRIDES:
            rec, analysis = PRIMARY_OVERRIDES[key]
            best = next(r for r in g if r["record_id"] == rec and r["analysis"] == analysis)
        else:
            best = min(g, key=lambda r: primary_rank(r, g, records))
        best["primary"] = "yes"




CANCER_GROUPS = (("mixed", "mixed"), ("breast, prostate, nsclc", "mixed"), ("colorectal", "colorectal"),
                 ("oesophag", "oesophageal"), ("esophag", "oesophageal"), ("gastric", "gastric"),
                 ("pancrea", "pancreatic"), ("prostate", "prostate"), ("breast", "breast"), ("nsclc", "NSCLC"),
                 ("sclc", "SCLC"), ("small-cell", "SCLC"), ("lung", "NSCLC"))


def cancer_group(cancer_type: str) -> str:
    """The primary-site group used to order forest plots and for the cancer-type subgroups."""
    low = cancer_type.lower()
    return next((g for key, g in CANCER_GROUPS if key in low), "mixed")


def normalise_trial(t: dict) -> dict:
    t = dict(t)
    t["cancer_group"] = cancer_group(t["cancer_type"])
    t["phase"] = PHASE.get(t["phase"].split(" ")[0], "") if t["phase"] else ""
    dec = TRIAL_DECISIONS.get(t["trial_id"], {})
    for k, v in dec.items():
        if k != "why":
            t[k] = v
    if t["disease_state"] == "oligoprogressive":
        t["timing"] = ""
    note = t.get("classification_note", "")
    for wrong, right in NOTE_FIXES.get(t["trial_id"], ()):
        if wrong not in note:
            raise SystemExit(f"NOTE_FIXES: {t['trial_id']}: {wrong!r} is not in the note")
        note = note.replace(wrong, right)
    t["classification_note"] = note
    t["reconciliation_note"] = dec.get("why", "")
    t["modality_class"] = modality_class(t["mdt_modality"])
    return t


def modality_class(mdt_modality: str) -> str:
    """The controlled MDT class of a trial from its ``mdt_modality`` text (data/README.md):
    SBRT/RT when radiotherapy is the only modality, or surgery is merely "allowed", or the
    source says "mostly radiotherapy" or prints ≥ 90 % SBRT; surgery when surgery is the only
    modality; mixed when radiotherapy and surgery or ablation are both options; else other."""
    text = mdt_modality.lower()
    rt = re.search(r"\b(sbrt|sabr|rt|radiotherapy|radiation|imrt)\b", text)
    surgery = re.search(r"surg|resect|metastasectomy", text)
    ablation = re.search(r"ablat|\brfa\b", text)
    share = re.search(r"sbrt (\d+)\s*%", text)
    if rt and (re.search(r"surgery allowed|mostly radiotherapy", text) or (share and int(share[1]) >= 90)):
        return "SBRT/RT"
    if rt and not surgery and not ablation:
        return "SBRT/RT"
    if surgery and not rt and not ablation:
        return "surgery"
    return "mixed" if rt or surgery else "other"


def normalise_ae(r: dict) -> dict:
    r = dict(r)
    a = r["attribution"].lower()
    r["attribution"] = "all-cause" if a.startswith("all") else "treatment-related"
    pct = AE_PERCENTAGES.get((r["trial_id"], r["grade"], r["record_id"]))
    if pct:
        r["pct_mdt"], r["pct_control"] = pct
    if (r["trial_id"], r["grade"], r["record_id"]) in AE_ZEROS:
        r["events_mdt"] = r["events_control"] = "0"
    return r


def choose_ae_primary(rows: list[dict], records: dict[str, dict], trials: dict[str, dict]) -> None:
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["trial_id"], r["grade"], r["attribution"]), []).append(r)
    for g in groups.values():
        def rank(r):
            counts = all(r.get(c) for c in ("events_mdt", "events_control"))
            complete = counts or all(r.get(c) for c in ("pct_mdt", "pct_control"))
            # the latest report first (latest-report rule), then printed counts before percentages
            return (not complete, latest_first(records[r["record_id"]]), not counts)
        for r in g:
            r["primary"] = "no"
        min(g, key=rank)["primary"] = "yes"


def risk_of_bias(trials: list[dict], outcomes: list[dict], records: dict[str, dict],
                 provenance: list[dict]) -> list[dict]:
    """Provisional RoB 2 judgements by stated rules from what the public sources show."""
    rows = []
    for t in trials:
        if t["included"] != "yes":
            continue
        tid = t["trial_id"]
        recs = [records[r["record_id"]] for r in outcomes if r["trial_id"] == tid] + \
               [records[p["record_id"]] for p in provenance if p["trial_id"] == tid and p["record_id"] in records]
        full = any(r["record_type"] in ("full paper", "long-term update") for r in recs)
        open_label = any(p["field"] == "open_label" and p["trial_id"] == tid for p in provenance)
        for oc in ("PFS", "OS"):
            prim = [r for r in outcomes if r["trial_id"] == tid and r["outcome"] == oc and r["primary"] == "yes"]
            if not prim:
                continue
            pr = prim[0]
            d1 = ("low", "randomised trial published as a full paper; sequence generation and concealment taken "
                  "as adequate (provisional: methods section not read)") if full else \
                 ("some concerns", "only abstracts, congress or news reports read: randomisation not described")
            analysis = pr["analysis"].lower()
            if analysis == "per-protocol":
                d2 = ("some concerns", "per-protocol analysis reported")
            elif analysis.startswith(("eligible", "treated")):
                d2 = ("some concerns", f"analysis excludes randomised patients ({pr['analysis']})")
            else:
                d2 = ("low", "open-label, but effect of assignment estimated (ITT or stratified analysis)")
            d3 = ("low", "time-to-event analysis of all randomised patients reported") if full else \
                 ("some concerns", "completeness of follow-up not visible in the sources read")
            ec = (pr.get("endpoint_class") or "").lower()
            if oc == "OS":
                d4 = ("low", "death is not open to assessor judgement")
            elif "adt" in ec:
                d4 = ("high", "ADT-free survival: starting ADT is a clinician decision, taken with knowledge of "
                      "the allocation in an open-label trial")
            else:
                d4 = ("some concerns", ("open-label" if open_label else "masking not described") +
                      "; progression assessed by investigators aware of allocation (no blinded central review "
                      "seen)")
            d5 = ("some concerns", "protocol and statistical analysis plan not read: selection of the reported "
                  "result cannot be excluded")
            js = [d1[0], d2[0], d3[0], d4[0], d5[0]]
            from helpers.review.checks import rob2_overall
            rows.append({"trial_id": tid, "outcome": oc, **{f"d{i + 1}": j for i, j in enumerate(js)},
                         **{f"d{i + 1}_note": n for i, n in enumerate([d1[1], d2[1], d3[1], d4[1], d5[1]])},
                         "overall": rob2_overall(js), "provisional": "yes"})
    return rows


# Trial names that the trials' own names do not spell out (short forms and sister trials used in queries).
QUERY_TRIAL_NAMES = ("sabr-comet", "sindas", "nrg-lu002", "lu002", "nrog-002", "nrog002", "curb", "stomp", "oriole",
                     "extend", "arto", "nrg-br002", "br002", "eso-shanghai", "core trial", "clocc", "pulmicc",
                     "orchestra", "renaissance", "flot5", "halt trial", "saron", "stereo-sein", "peace v", "storm",
                     "northstar", "lonestar", "stereo-os", "rtog 0937", "raptor", "lu007", "radiosa", "comet-3",
                     "comet-10", "zhao kuaile")
# Queries the rule below cannot see are look-ups: they quote a named trial's or review's own wording.
QUERY_PURPOSE_BY_HAND = {"163": "confirmatory", "263": "confirmatory", "342": "confirmatory"}


def query_purpose(query: str, trials: list[dict], records: list[dict]) -> str:
    """"confirmatory" when a query names a known trial (name, registry number or a record's first
    author) or quotes a number (a decimal, an 8-digit PubMed id, a patient count) to find or confirm
    a known result; "discovery" when it describes a kind of trial without naming one."""
    q = query.lower()
    names = set(QUERY_TRIAL_NAMES)
    for t in trials:
        head = re.split(r"[(/]| - ", t["trial_name"])[0].strip().lower()
        if len(head) >= 4 and " " not in head:
            names.add(head)
    authors = {a.split()[0].lower() for a in (r.get("authors") or "" for r in records)
               if a and a.split()[0][:1].isupper() and len(a.split()[0]) > 3}
    if re.search(r"nct\d{8}|isrctn\d+", q) or any(n in q for n in names):
        return "confirmatory"
    if any(re.search(rf"\b{re.escape(a)}\b", q) for a in authors):
        return "confirmatory"
    if re.search(r"\d+[.·]\d+|\b\d{8}\b|\b\d+ (?:patients|participants|pts)\b", q):
        return "confirmatory"
    return "discovery"


# PRISMA 2020 screening: what a record's recorded exclusion reason says about the stage it belongs to.
NOT_RETRIEVED = re.compile(r"could not be identified|results not visible in any copy", re.I)
DECIDED_ON_TITLE = ("secondary report of an excluded trial", "protocol or design report only",
                    "registry entry without results", "pooled analysis of listed trials",
                    "published after the search cut-off")


def screening(record: dict) -> tuple[str, str]:
    """(screening_stage, retrieved) of a record, from its decision and exclusion reason.

    Not retrieved: an excluded record whose text could not be found at all (the record could not
    be identified, or no copy showed its content). Title or abstract: an excluded record whose
    reason is what the record is (a secondary or duplicate report, a protocol, a registry entry, a
    pooled analysis of trials already listed, a date after the cut-off), which its title, listing or
    abstract shows. Every other record needed its full report (every included record does)."""
    from helpers.review.counts import exclusion_class
    if record["decision"] != "excluded":
        return "full report", "yes"
    reason = record.get("exclusion_reason") or ""
    if NOT_RETRIEVED.search(reason):
        return "full report", "no"
    if exclusion_class(reason) in DECIDED_ON_TITLE or re.match(r"(news|congress|secondary|same as|registry|design|protocol)",
                                                               reason, re.I):
        return "title or abstract", "yes"
    return "full report", "yes"


def main() -> None:
    records, idmap = merged_records()
    rec_by_id = {r["record_id"]: r for r in records}
    trials, tlog = merged("trials.csv", idmap, ("trial_id",))
    trials = [normalise_trial(t) for t in trials]
    known = {t["trial_id"] for t in trials}
    prov, plog = merged("provenance.csv", idmap, ("trial_id", "field", "record_id", "value"))
    allowed_fields = {c.name for c in SCHEMAS["trials.csv"].columns} | PROVENANCE_EXTRA_FIELDS
    dropped = [p for p in prov if p["field"] not in allowed_fields or p["trial_id"] not in known]
    for p in dropped:
        print(f"provenance row not kept (field or trial unknown): {p['trial_id']} {p['field']} = {p['value']}")
    prov = [p for p in prov if p not in dropped]
    from helpers.review.checks import number_in_quote, _same_number
    import re
    unquoted = [p for p in prov if re.fullmatch(r"[\d.]+", p["value"]) and not number_in_quote(p["value"], p["quote"])]
    for p in unquoted:
        print(f"provenance row not kept (its quote does not print {p['value']}): {p['trial_id']} {p['field']}")
    prov = [p for p in prov if p not in unquoted]
    for t in trials:
        for c in ("n_randomized", "n_mdt", "n_control", "max_lesions"):
            v = t.get(c, "")
            if v and not any(p["trial_id"] == t["trial_id"] and p["field"] == c and _same_number(p["value"], v)
                             for p in prov):
                print(f"trial value left empty (no quoted source): {t['trial_id']} {c} = {v}")
                t[c] = ""
    for tid, rec, value, quote in QOL_QUOTES:
        if rec in rec_by_id:
            prov.append({"trial_id": tid, "field": "quality_of_life", "value": value, "record_id": rec, "quote": quote})
        else:
            print(f"quality-of-life quote not kept (record {rec} unknown)")
    outs, olog = merged("outcomes.csv", idmap, ("trial_id", "outcome", "record_id", "hr", "p_value", "median_mdt"))
    for r in outs:
        fix = OUTCOME_FIXES.get((r["trial_id"], r["outcome"], r["record_id"], r["hr"]))
        if fix:
            r.update({k: v for k, v in fix.items() if k != "why"})
            print(f"derivation set: {r['trial_id']} {r['outcome']} {r['record_id']}: {fix['why']}")
    no_source = [r for r in outs if not r.get("source_url")]
    for r in no_source:
        print(f"outcome row not kept (no source address to trace it to): {r['trial_id']} {r['outcome']} "
              f"{r['record_id']}")
    outs = [r for r in outs if r.get("source_url")]
    for r in outs:
        if r["hr"] and not (r["ci_lower"] and r["ci_upper"]) and r["derivation"] == "reported" and not (
                r["p_value"] and r["p_value"][:1].isdigit() or r["p_value"][:1] == "."):
            print(f"HR without CI set to not_available: {r['trial_id']} {r['outcome']} {r['record_id']} HR {r['hr']}")
            r["derivation"] = "not_available"
        elif r["hr"] and not (r["ci_lower"] and r["ci_upper"]) and r["derivation"] == "reported":
            print(f"HR with exact p but no CI: SE from HR and p: {r['trial_id']} {r['outcome']} {r['record_id']}")
            r["derivation"] = "from_hr_and_p"
    choose_primary(outs, rec_by_id)
    add_followup(outs)
    aes, alog = merged("adverse_events.csv", idmap, ("trial_id", "grade", "attribution", "record_id"))
    aes = [normalise_ae(r) for r in aes]
    choose_ae_primary(aes, rec_by_id, {t["trial_id"]: t for t in trials})
    for r in records:
        r["screening_stage"], r["retrieved"] = screening(r)
    write("records.csv", records)
    write("trials.csv", trials)
    write("provenance.csv", prov)
    write("outcomes.csv", outs)
    write("adverse_events.csv", aes)
    write("risk_of_bias.csv", risk_of_bias(trials, outs, rec_by_id, prov))
    logs = []
    for p in PASSES:
        for r in read(p, "search_log.csv"):
            logs.append({**r, "notes": f"[{p}] " + r.get("notes", "")})
    for i, r in enumerate(logs, 1):
        r["query_no"] = str(i)
        r["date"] = (r.get("date") or "")[:10]
        r["purpose"] = QUERY_PURPOSE_BY_HAND.get(r["query_no"]) or query_purpose(r["query"], trials, records)
    write("search_log.csv", logs)
    write("reconciliation.csv", tlog + plog + olog + alog)
    write_readme_counts()
    write_readme_dictionary()
    write_bib(records)
    print(f"records {len(records)}, trials {len(trials)}, provenance {len(prov)}, outcomes {len(outs)}, "
          f"adverse events {len(aes)}, disagreements logged {len(tlog + plog + olog + alog)}")


def _bib_escape(text: str) -> str:
    for a, b in (("\\", ""), ("{", ""), ("}", ""), ("&", "\\&"), ("%", "\\%"), ("#", "\\#"), ("_", "\\_"),
                 ("$", "\\$")):
        text = text.replace(a, b)
    return text


def _bib_author(r: dict) -> str:
    """The author field, braced as one name so that BibTeX does not split it: the first author's
    surname with "et al." when the source lists more (in-text "Gomez et al. [2016]"; "{Gomez} and
    others" would print "Gomez and others"), or the group, outlet or organisation that the record
    names, or "Anonymous" where it names none, never the extractors' notes on how the record was
    seen. ``helpers.review.labels.record_author`` decides who, for the pages and the .bib alike."""
    from helpers.review.labels import record_author

    who = record_author({"authors": r["authors"], "journal": r["journal"]})
    listed = re.split(r"[;(]", r["authors"] or "")[0]
    others = "et al" in listed and who in listed and "et al" not in who
    return "{" + _bib_escape(who + (" et al." if others else "")) + "}"


RECORD_WORDS = {"full paper": "Full paper", "long-term update": "Long-term update", "abstract": "Abstract",
                "congress abstract": "Congress abstract", "news": "News report", "registry": "Trial registry record",
                "review": "Review"}
READ_AS = {"abstract": "only its abstract was read", "news": "read in a news report",
           "congress": "read as the congress abstract", "registry": "read in the registry",
           "review": "read in a review"}


def _bib_note(r: dict) -> str:
    """What the record is and, where it differs, what of it was read: "Full paper; only its
    abstract was read", "News report" (not the extractors' "news; read as news")."""
    kind = RECORD_WORDS.get(r["record_type"], r["record_type"].capitalize())
    if any(re.search(r"mirror|\bcopy\b", r.get(c) or "", re.I) for c in ("authors", "journal")) and r.get("url"):
        kind += "; the address is a copy on another site, not the publisher's page"
    same = {("news", "news"), ("registry", "registry"), ("review", "review"), ("abstract", "abstract"),
            ("congress abstract", "congress")}
    if (r["record_type"], r["source_tier"]) in same:
        return kind
    return f"{kind}; {READ_AS.get(r['source_tier'], 'read as ' + r['source_tier'])}"


def _bib_venue(journal: str | None) -> str:
    """The journal or outlet as a reference list prints it, without the extractors' remarks
    in parentheses ("Future Oncol (inferred from PubMed mirror; …)" → "Future Oncol", but
    "Br J Cancer 130(12):1929-1935" kept); empty
    where the record names none ("(not visible)", "news (…)")."""
    j = (journal or "").strip()
    if not j or j.startswith("(") or j.lower().startswith("not visible"):
        return ""
    # a parenthesis is a remark when it says how the record was seen; "(12):1929" or "(ASCO 2022)" stay
    name = re.sub(r"\s*\([^()]*\b(?:visible|inferred|mirror|copy|per|URL|search result|record)\b[^()]*\)", "", j).strip()
    return "" if name.lower() in ("news", "news item") else name


def write_bib(records: list[dict]) -> None:
    """references_trials.bib: one entry per record (key = record_id), so chapters can {cite} any
    source; journal articles as @article, everything else as @misc with its address."""
    out = ["% Written by extraction/build_data.py from data/records.csv; do not edit by hand.", ""]
    for r in sorted(records, key=lambda r: r["record_id"]):
        # double braces: the title keeps its capitalisation ("SABR-COMET", "NRG-BR002")
        # a title the source does not show is the extractors' description: marked as supplied
        title = re.sub(r"\s*\(title not visible\)", " [title supplied by the reviewers]", r["title"])
        fields = {"author": _bib_author(r), "title": "{" + _bib_escape(title) + "}"}
        venue = _bib_venue(r["journal"])
        article = r["record_type"] in ("full paper", "long-term update", "abstract", "review") and venue \
            and r["year"]
        if article:
            fields["journal"] = _bib_escape(venue)
        elif venue:   # what the record is, the note says
            fields["howpublished"] = _bib_escape(venue)
        if r["year"]:
            fields["year"] = r["year"]
        if r["doi"]:
            fields["doi"] = r["doi"]
        if r["url"]:
            fields["url"] = r["url"]
        fields["note"] = _bib_escape(_bib_note(r))
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items())
        out.append(f"@{'article' if article else 'misc'}{{{r['record_id']},\n{body}\n}}\n")
    (ROOT / "references_trials.bib").write_text("\n".join(out), encoding="utf-8")


def counts_block() -> str:
    """The counts section of data/README.md, from helpers.review_counts."""
    import helpers

    review = helpers.load_review(DATA)
    c = helpers.review_counts(review)
    paper = review.paper_reported.set_index("analysis_id")
    rows = [
        ("records (reports) assessed", c["records"], ""),
        ("records included (reports of included comparisons)", c["records_included"],
         int(paper.at["records_included", "estimate"])),
        ("randomised comparisons assessed", c["comparisons"], ""),
        ("randomised comparisons included", c["comparisons_included"], ""),
        ("trials included (trial groups)", c["trials_included"], ""),
        ("participants randomised in included comparisons", c["participants"],
         int(paper.at["participants_included", "estimate"])),
        ("included comparisons whose number randomised is not reported", c["comparisons_n_missing"], ""),
    ]
    lines = ["| count | this book | the paper |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {paper_value} |" for name, value, paper_value in rows]
    return "\n".join(lines)


def _rule(field: dict, refs: dict[str, str]) -> str:
    """A field's constraints and keys in words, for the data dictionary."""
    k = field.get("constraints", {})
    parts = []
    if k.get("required"):
        parts.append("required")
    if field["name"] in refs:
        parts.append(refs[field["name"]])
    if "enum" in k:
        parts.append("one of " + ", ".join(f"`{v}`" for v in k["enum"]))
    for name, sign in (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"), ("exclusiveMaximum", "<")):
        if name in k:
            parts.append(f"{sign} {k[name]}")
    if "pattern" in k:
        parts.append(f"pattern `{k['pattern']}`")
    return "; ".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def dictionary_block() -> str:
    """The files-and-columns section of data/README.md, from data/datapackage.json."""
    out = []
    for res in read_package(DATA)["resources"]:
        schema = res["schema"]
        refs = {}
        for fk in schema.get("foreignKeys", []):
            for a, b in zip(fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]],
                            fk["reference"]["fields"] if isinstance(fk["reference"]["fields"], list)
                            else [fk["reference"]["fields"]]):
                refs[a] = f"a `{b}` of `{fk['reference']['resource']}.csv`"
        out += [f"### `{res['path']}` — {res['title']}", "", res["description"], "",
                f"Key (unique per row): {', '.join(f'`{k}`' for k in schema.get('primaryKey', []))}.", "",
                "| column | type | rule | meaning |", "|---|---|---|---|"]
        out += [f"| `{f['name']}` | {f['type']} | {_cell(_rule(f, refs))} | "
                f"**{_cell(f['title'])}.** {_cell(f['description'])} |" for f in schema["fields"]]
        out.append("")
    return "\n".join(out).rstrip("\n")


def _write_readme_block(name: str, block: str) -> None:
    """Replace the text between ``<!-- name:start ... -->`` and ``<!-- name:end -->`` in data/README.md."""
    path = DATA / "README.md"
    text = path.read_text(encoding="utf-8")
    start = text.index(f"<!-- {name}:start")
    start = text.index("-->", start) + 3
    end = text.index(f"<!-- {name}:end -->")
    path.write_text(text[:start] + "\n" + block + "\n" + text[end:], encoding="utf-8")


def write_readme_counts() -> None:
    _write_readme_block("counts", counts_block())


def write_readme_dictionary() -> None:
    _write_readme_block("dictionary", dictionary_block())


if __name__ == "__main__":
    main()
