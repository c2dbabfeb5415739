"""Lemma forms: the stored forms of the packaged codebook's words are the dictionaries'."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import lemmas
from analysis.lemmas import FORMS_PATH, forms_of, stored_forms, write_forms


def test_the_stored_forms_are_those_the_dictionaries_give_for_the_codebooks_words(
    tmp_path: Path,
) -> None:
    out = tmp_path / "forms.json"
    subprocess.run(
        [sys.executable, "-m", "analysis.lemmas", str(out)], check=True, capture_output=True
    )
    assert out.read_bytes() == FORMS_PATH.read_bytes(), (
        "analysis/lemma_forms.json is out of date (the codebook's words or simplemma "
        "changed): run `python -m analysis.lemmas` and commit the file"
    )


def test_the_stored_forms_are_read_for_the_installed_simplemma() -> None:
    stored = stored_forms()
    assert stored, "lemma_forms.json was not read: written by another simplemma version?"
    assert stored["acordar"] == forms_of("acordar")
    assert {"acordó", "acordamos"} <= set(stored["acordar"])


def test_a_word_not_stored_is_looked_up_in_the_dictionaries() -> None:
    assert "transitar" not in stored_forms()
    assert {"transitó", "transitaron"} <= set(forms_of("transitar"))


@pytest.mark.parametrize(
    "content",
    ['{"simplemma": "0.0.1", "languages": ["en", "es"], "forms": {"acordar": ["x"]}}',
     "not json", '{"simplemma": null}'],
)  # fmt: skip
def test_a_stale_or_broken_file_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str
) -> None:
    path = tmp_path / "forms.json"
    path.write_text(content, encoding="utf-8")
    monkeypatch.setattr(lemmas, "FORMS_PATH", path)
    stored_forms.cache_clear()
    try:
        assert stored_forms() == {}
    finally:
        monkeypatch.undo()
        stored_forms.cache_clear()


def test_written_forms_are_sorted_and_stable(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert write_forms(["Tariff", "acordar"], a) == 2
    write_forms(["acordar", "tariff"], b)
    assert a.read_bytes() == b.read_bytes()
    data = json.loads(a.read_text(encoding="utf-8"))
    assert list(data["forms"]) == ["acordar", "tariff"]
    assert data["forms"]["tariff"] == list(forms_of("tariff"))
    assert data["forms"]["tariff"][-1] == "tariff"
