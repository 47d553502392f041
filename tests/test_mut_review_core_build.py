"""Where the book lives and what a build reports about itself (helpers.review.paths,
helpers.review.build_info), checked on small folders made here.

The fingerprints are recomputed independently with hashlib from their documented recipe:
``inputs_fingerprint``: for data/ then helpers/, every file in sorted path order, its path
relative to the root, NUL, its bytes, NUL (caches skipped); ``data_fingerprint``: the files
directly in the folder, name NUL bytes NUL."""
from __future__ import annotations

import hashlib
import platform
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from helpers.review import build_info, paths
from helpers.review.build_info import book_citation, git_commit, software_table
from helpers.review.paths import book_root, data_dir, data_fingerprint, inputs_fingerprint


def make_book(root: Path) -> Path:
    (root / "data").mkdir(parents=True)
    (root / "_config.yml").write_text("title: t\n", encoding="utf-8")
    return root


# --------------------------------------------------------------------------- book_root / data_dir
def test_book_root_is_the_start_itself_or_its_nearest_book_ancestor(tmp_path):
    book = make_book(tmp_path / "book")
    deep = book / "chapters" / "sub"
    deep.mkdir(parents=True)
    assert book_root(book) == book.resolve()
    assert book_root(str(deep)) == book.resolve()
    inner = make_book(deep / "inner")          # a nearer book wins
    assert book_root(inner / "data") == inner.resolve()


def test_book_root_needs_both_config_and_data(tmp_path):
    only_config = tmp_path / "a"
    only_config.mkdir()
    (only_config / "_config.yml").write_text("", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="no book root"):
        book_root(only_config)
    only_data = tmp_path / "b"
    (only_data / "data").mkdir(parents=True)
    with pytest.raises(FileNotFoundError) as e:
        book_root(only_data)
    assert str(only_data) in str(e.value)
    config_is_a_folder = tmp_path / "c"
    (config_is_a_folder / "_config.yml").mkdir(parents=True)
    (config_is_a_folder / "data").mkdir()
    with pytest.raises(FileNotFoundError):
        book_root(config_is_a_folder)
    data_is_a_file = tmp_path / "d"
    data_is_a_file.mkdir()
    (data_is_a_file / "_config.yml").write_text("", encoding="utf-8")
    (data_is_a_file / "data").write_text("", encoding="utf-8")
    with pytest.raises(FileNotFoundError):
        book_root(data_is_a_file)


def test_book_root_default_is_the_working_directory_then_the_package(tmp_path, monkeypatch):
    book = make_book(tmp_path / "book")
    monkeypatch.chdir(book)
    assert book_root() == book.resolve()
    elsewhere = tmp_path / "nowhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    # helpers/review/paths.py → the book holding the package
    assert book_root() == Path(paths.__file__).resolve().parents[2]


def test_data_dir_and_its_override(tmp_path, monkeypatch):
    book = make_book(tmp_path / "book")
    monkeypatch.delenv("MDT_BOOK_DATA", raising=False)
    assert data_dir(book) == book.resolve() / "data"
    monkeypatch.setenv("MDT_BOOK_DATA", str(tmp_path / "elsewhere"))
    assert data_dir(book) == tmp_path / "elsewhere"
    monkeypatch.setenv("MDT_BOOK_DATA", "")                       # empty: no override
    assert data_dir(book) == book.resolve() / "data"


# --------------------------------------------------------------------------- fingerprints
def _expected_inputs(root: Path, files: list[str]) -> str:
    h = hashlib.sha256()
    for rel in files:
        h.update(rel.encode() + b"\0" + (root / rel).read_bytes() + b"\0")
    return h.hexdigest()


def test_inputs_fingerprint_recipe(tmp_path):
    root = make_book(tmp_path / "book")
    (root / "data" / "b.csv").write_bytes(b"bee")
    (root / "data" / "a.csv").write_bytes(b"ay")
    (root / "helpers" / "meta").mkdir(parents=True)
    (root / "helpers" / "x.py").write_bytes(b"x = 1\n")
    (root / "helpers" / "meta" / "rma.py").write_bytes(b"pass\n")
    (root / "helpers" / "__pycache__").mkdir()
    (root / "helpers" / "__pycache__" / "x.pyc").write_bytes(b"compiled")
    (root / "data" / ".ipynb_checkpoints").mkdir()
    (root / "data" / ".ipynb_checkpoints" / "a.csv").write_bytes(b"old")
    (root / "other.txt").write_bytes(b"not watched")
    want = _expected_inputs(root, ["data/a.csv", "data/b.csv", "helpers/meta/rma.py", "helpers/x.py"])
    assert inputs_fingerprint(root) == want
    assert inputs_fingerprint(str(root)) == want
    (root / "helpers" / "__pycache__" / "x.pyc").write_bytes(b"recompiled")   # caches do not count
    (root / "other.txt").write_bytes(b"changed")
    assert inputs_fingerprint(root) == want
    (root / "data" / "a.csv").write_bytes(b"AY")                               # contents count
    assert inputs_fingerprint(root) != want


def test_inputs_fingerprint_without_helpers_and_by_default(tmp_path, monkeypatch):
    root = make_book(tmp_path / "book")
    (root / "data" / "a.csv").write_bytes(b"1")
    want = _expected_inputs(root, ["data/a.csv"])
    assert inputs_fingerprint(root) == want
    monkeypatch.chdir(root)
    assert inputs_fingerprint() == want
    empty = make_book(tmp_path / "empty")
    shutil.rmtree(empty / "data")
    assert inputs_fingerprint(empty) == hashlib.sha256().hexdigest()
    (empty / "helpers").mkdir()                          # no data/: helpers/ is still read
    (empty / "helpers" / "h.py").write_bytes(b"h")
    assert inputs_fingerprint(empty) == _expected_inputs(empty, ["helpers/h.py"])


def test_data_fingerprint_recipe(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "z.csv").write_bytes(b"last")
    (folder / "a.json").write_bytes(b"{}")
    (folder / "sub").mkdir()
    (folder / "sub" / "ignored.csv").write_bytes(b"not read")
    want = hashlib.sha256(b"a.json\0{}\0" + b"z.csv\0last\0").hexdigest()
    assert data_fingerprint(folder) == want
    assert data_fingerprint(str(folder)) == want
    monkeypatch.setenv("MDT_BOOK_DATA", str(folder))                      # the default is data_dir()
    assert data_fingerprint() == want


# --------------------------------------------------------------------------- git and software
def _git(root: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "HOME": str(root), "PATH": __import__("os").environ["PATH"]}
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, env=env,
                          check=True).stdout.strip()


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    root = tmp_path_factory.mktemp("repo")
    _git(root, "init", "-q")
    (root / "CITATION.cff").write_text('title: "Book"\nversion: 2\ndate-released: 2026-03-04\nauthors:\n'
                                       '  - name: A. Author\n', encoding="utf-8")
    _git(root, "add", "CITATION.cff")
    _git(root, "commit", "-q", "-m", "one")
    return root


def test_git_commit_full_and_short(repo):
    full = _git(repo, "rev-parse", "HEAD")
    assert len(full) == 40
    assert git_commit(repo) == full
    short = git_commit(repo, short=True)
    assert short == _git(repo, "rev-parse", "--short", "HEAD")
    assert 4 <= len(short) < 40 and full.startswith(short)


def test_git_commit_outside_a_repository_is_none(tmp_path):
    assert git_commit(tmp_path) is None
    assert build_info._short_commit(tmp_path) is None


def test_book_citation_carries_the_short_commit_of_a_checkout(repo):
    short = _git(repo, "rev-parse", "--short", "HEAD")
    c = book_citation(repo)
    assert c["commit"] == short
    assert c["text"] == f"A. Author. Book (version 2, released 2026-03-04, commit {short})."


def test_short_commit_only_where_the_root_is_a_checkout(repo):
    sub = repo / "inside"
    sub.mkdir(exist_ok=True)
    assert git_commit(sub, short=True) == _git(repo, "rev-parse", "--short", "HEAD")   # git finds the parent
    assert build_info._short_commit(sub) is None                                       # but sub has no .git
    assert build_info._short_commit(repo) == _git(repo, "rev-parse", "--short", "HEAD")


def test_software_table():
    t = software_table()
    assert list(t.columns) == ["Package", "Version"]
    assert t.iloc[0].tolist() == ["Python", platform.python_version()]
    versions = dict(zip(t["Package"], t["Version"]))
    assert versions["pandas"] == pd.__version__
    names = list(t["Package"][1:])
    assert names == sorted(names)
