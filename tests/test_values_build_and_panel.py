"""The what-if panel's HTML and the build information (citation from CITATION.cff, data
checksums) on hand-made inputs, expected values by hand."""
from __future__ import annotations

import hashlib
import json

from helpers.review.build_info import _cff_field, _short_commit, book_citation, data_files_table
from helpers.show.whatif import WHATIF_NOTICE, _script_json, whatif_panel


def test_script_json_escapes_what_could_end_the_script():
    assert _script_json({"a": "</script><!-- & é", "n": 1.5}) == (
        '{"a":"\\u003c/script\\u003e\\u003c!-- \\u0026 é","n":1.5}')
    assert json.loads(_script_json({"x": [1, None, "<"]})) == {"x": [1, None, "<"]}


def test_script_json_refuses_nan():
    import pytest
    with pytest.raises(ValueError):
        _script_json({"x": float("nan")})


def test_whatif_panel():
    h = whatif_panel({"k": "<b>"}, title='A "B" & C').data
    assert h == ('<section class="whatif-panel" aria-label="A &quot;B&quot; &amp; C">'
                 '<p class="whatif-title"><strong>A &quot;B&quot; &amp; C</strong></p>'
                 f'<div data-whatif-root><p class="whatif-notice">{WHATIF_NOTICE}</p>'
                 '<script type="application/json" data-whatif-input>{"k":"\\u003cb\\u003e"}</script>'
                 "</div></section>")
    assert 'aria-label="What if? Recompute the pooled hazard ratio"' in whatif_panel({}).data
    assert WHATIF_NOTICE.startswith("The interactive panel did not start: it needs JavaScript")


CFF = '''cff-version: 1.2.0
title: "A reproduction book"
version: 1.4.0
date-released: 2026-01-02
authors:
  - name: "Team One"
  - name: Team Two
references:
  - name: "Not an author"
'''


def test_cff_field():
    assert _cff_field(CFF, "title") == "A reproduction book"
    assert _cff_field(CFF, "version") == "1.4.0"
    assert _cff_field(CFF, "date-released") == "2026-01-02"
    assert _cff_field(CFF, "doi") is None
    assert _cff_field("  title: indented", "title") is None


def test_book_citation(tmp_path):
    (tmp_path / "CITATION.cff").write_text(CFF, encoding="utf-8")
    assert _short_commit(tmp_path) is None
    assert book_citation(tmp_path) == {
        "title": "A reproduction book", "authors": "Team One, Team Two", "version": "1.4.0", "date": "2026-01-02",
        "commit": None, "text": "Team One, Team Two. A reproduction book (version 1.4.0, released 2026-01-02)."}
    (tmp_path / "CITATION.cff").write_text("title: T\nversion: 1\ndate-released: d\n", encoding="utf-8")
    assert book_citation(str(tmp_path))["text"] == "the authors. T (version 1, released d)."


def test_data_files_table(tmp_path):
    (tmp_path / "b.csv").write_bytes(b"x" * 1234)
    (tmp_path / "a.csv").write_bytes(b"abc")
    (tmp_path / "sub").mkdir()
    t = data_files_table(tmp_path)
    assert t.to_dict("list") == {"File": ["a.csv", "b.csv"], "Bytes": ["3", "1,234"],
                                 "SHA-256": [hashlib.sha256(b"abc").hexdigest(), hashlib.sha256(b"x" * 1234).hexdigest()]}
    assert t["SHA-256"][0] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"   # FIPS 180-2 "abc"
