"""The record store: record JSON compressed with a dictionary trained on the first records,
read back exactly; plain JSON of format 2 versions read and changed alongside."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import orjson

from indexer.store import TRAIN_ROWS, RecordStore


def _row(i: int) -> tuple[str, str, str, str]:
    record = {"id": f"r{i:04d}", "title": f"Projet {i} d'accès à l'eau potable",
              "theme": "Eau et assainissement", "countries": [{"code": "SN", "name": "Sénégal"}],
              "context": "Coopération décentralisée entre collectivités. " * (i % 5 + 1)}
    return (record["id"], json.dumps(record, ensure_ascii=False), json.dumps({"n": i}),
            json.dumps({"countries": record["countries"], "special": [0, i % 2, 0, 0, 0]}))


def test_a_fresh_store_trains_a_dictionary_and_reads_back_exactly(tmp_path: Path) -> None:
    rows = [_row(i) for i in range(TRAIN_ROWS + 250)]
    store = RecordStore(tmp_path / "records.sqlite")
    for start in range(0, len(rows), 48):
        store.put_many(rows[start:start + 48])
    store.commit()
    store.close()
    db = sqlite3.connect(tmp_path / "records.sqlite")
    (dictionary,) = db.execute("SELECT value FROM meta WHERE key = 'zstd_dict'").fetchone()
    stored = dict(db.execute("SELECT id, json FROM records"))
    db.close()
    assert dictionary and len(dictionary) > 1000
    assert all(value[:4] == b"\x28\xb5\x2f\xfd" for value in stored.values())
    plain = sum(len(text.encode()) for _, text, *_ in rows)
    assert sum(len(v) for v in stored.values()) * 4 < plain  # much smaller than the JSON
    reader = RecordStore(tmp_path / "records.sqlite", readonly=True)
    try:
        assert reader.count() == len(rows)
        for rid, text, *_ in rows[::97]:
            assert reader.get_json(rid) == text
            assert reader.get(rid) == json.loads(text)
        ids = [r[0] for r in rows[:300]]
        assert reader.get_many_raw(ids) == {rid: text.encode() for rid, text, *_ in rows[:300]}
        assert [rid for rid, _ in reader.iter_json()] == sorted(r[0] for r in rows)
    finally:
        reader.close()


def test_a_few_records_are_stored_without_a_dictionary(tmp_path: Path) -> None:
    rows = [_row(i) for i in range(5)]
    store = RecordStore(tmp_path / "records.sqlite")
    store.put_many(rows)
    store.commit()
    store.close()
    reader = RecordStore(tmp_path / "records.sqlite", readonly=True)
    try:
        assert reader.codec.dictionary is None
        assert {rid: orjson.loads(raw) for rid, raw in reader.iter_json()} == {
            rid: json.loads(text) for rid, text, *_ in rows}
    finally:
        reader.close()


def test_plain_json_of_a_format_2_store_is_read_and_changed(tmp_path: Path) -> None:
    base = tmp_path / "old.sqlite"
    db = sqlite3.connect(base)
    db.execute("CREATE TABLE records (id TEXT PRIMARY KEY, json TEXT NOT NULL, "
               "facets TEXT NOT NULL, hit TEXT NOT NULL)")
    old = [_row(i) for i in range(3)]
    db.executemany("INSERT INTO records VALUES (?, ?, ?, ?)", old)
    db.commit()
    db.close()
    changed = RecordStore.changing(base, None, tmp_path / "records.sqlite",
                                   tmp_path / "delta.sqlite", lambda a, b: Path(b).hardlink_to(a))
    new = _row(7)
    changed.put_many([new])
    changed.delete(["r0001"])
    changed.commit()
    changed.close()
    reader = RecordStore(tmp_path / "records.sqlite", readonly=True,
                         delta=tmp_path / "delta.sqlite")
    try:
        assert reader.count() == 3
        assert reader.get_json("r0000") == old[0][1]
        assert reader.get("r0001") is None
        assert reader.get_json("r0007") == new[1]
    finally:
        reader.close()
