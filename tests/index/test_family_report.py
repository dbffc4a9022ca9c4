"""The report that finds action nouns and their verb forms for the families file."""

from __future__ import annotations

from collections import Counter

from indexer.family_report import folded_words, pairs
from indexer.record import Record


def test_report_lists_the_nouns_whose_verb_forms_do_not_meet_them() -> None:
    records = [Record(id="r1", title="Recyclage des déchets",
                      context="Les habitants recyclent et veulent recycler davantage."),
               Record(id="r2", title="Prévention des risques",
                      context="Prévenir les crues ; le pompage et les jardins."),
               Record(id="r3", title="Dallage", context="Ils dallent la cour, le dallage dure.")]
    found = {p.noun: p for p in pairs(folded_words(records), min_count=1)}
    assert found["recyclage"].meet and ("recycler", 1) in found["recyclage"].verbs
    assert found["prevention"].meet  # reviewed into the families file
    # « dallage » / « dallent »: not in the families file, so the report shows it apart.
    assert not found["dallage"].meet and dict(found["dallage"].verbs) == {"dallent": 1}
    assert "pompage" not in found  # no verb form of « pomp- » in these texts


def test_counts_are_folded_content_words() -> None:
    counts = folded_words([Record(id="a", title="Élevage", context="L'élevage et les élèves")])
    assert counts == Counter({"elevage": 2, "eleves": 1})
