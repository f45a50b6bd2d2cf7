"""Releases: a real version built from data/raw, archived, unpacked and checked like a researcher would."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import jsonschema
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from frictionless import validate

from dxdata import release
from dxdata.pipeline import SORT_KEYS
from dxdata.refresh import run_refresh
from dxdata.release import build_release
from dxdata.store import publish, read_arrow, read_manifest

REPO = Path(__file__).resolve().parents[1]

# The root rules of the Citation File Format 1.2.0 JSON schema (citation-file-format/schema.json) for
# the keys a release writes: required keys, no unknown keys, the date and version patterns, entities.
CFF_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["authors", "cff-version", "message", "title"],
    "properties": {
        "cff-version": {"type": "string", "pattern": r"^1\.2\.0$"},
        "message": {"type": "string", "minLength": 1},
        "title": {"type": "string", "minLength": 1},
        "type": {"enum": ["dataset", "software"]},
        "version": {"anyOf": [{"type": "string", "minLength": 1}, {"type": "number"}]},
        "date-released": {"type": "string", "pattern": r"^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])$"},
        "abstract": {"type": "string", "minLength": 1},
        "license": {"type": "string", "enum": ["CC-BY-4.0"]},
        "keywords": {"type": "array", "minItems": 1, "uniqueItems": True,
                     "items": {"type": "string", "minLength": 1}},
        "authors": {
            "type": "array", "minItems": 1, "uniqueItems": True,
            "items": {"type": "object", "required": ["name"], "additionalProperties": False,
                      "properties": {"name": {"type": "string", "minLength": 1},
                                     "website": {"type": "string", "pattern": "^(https|http|ftp|sftp)://.+"}}},
        },
        "repository-code": {"type": "string", "pattern": "^(https|http|ftp|sftp)://.+"},
        "url": {"type": "string", "pattern": "^(https|http|ftp|sftp)://.+"},
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """v0001 from the real raw articles; v0002 the same with one value changed, one row dropped, one added."""
    root = tmp_path_factory.mktemp("processed")
    summary = run_refresh(REPO / "data" / "raw", root)
    assert summary.version == "v0001" and summary.observations > 0
    folder = root / "versions" / "v0001"
    entries = read_manifest("v0001", root)["tables"]
    tables = {n: read_arrow(folder, n, e).to_pandas() for n, e in entries.items()}
    obs = tables["observations"]
    obs.loc[0, "value"] = obs.loc[0, "value"] + 1
    added = obs.iloc[[1]].assign(obs_id="ffffffffffffffff", number_start=10**6)
    tables["observations"] = pd.concat([obs.drop(index=[2]), added], ignore_index=True)
    publish(tables, root, sources=[], sort_keys=SORT_KEYS)
    return root


@pytest.fixture(scope="module")
def unpacked(root, tmp_path_factory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("dist")
    archive = build_release("latest", root, out)
    target = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(target)
    return archive, target / "dxdata-v0002"


def test_archive_layout(unpacked):
    archive, pkg = unpacked
    assert archive.name == "dxdata-v0002.zip"
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names) and all(n.startswith("dxdata-v0002/") for n in names)
    assert len({i.date_time for i in infos}) == 1  # one fixed timestamp (the version's creation time)
    for name in [
        "datapackage.json",
        "DATA_DICTIONARY.md",
        "CODEBOOK.md",
        "CITATION.cff",
        "LICENSE-DATA.md",
        "SHA256SUMS",
        "CHANGELOG.md",
        "manifest.json",
        "README.md",
        "codebook/indicators.csv",
        "codebook/bodies.csv",
        "codebook/regions.csv",
    ]:
        assert (pkg / name).is_file(), name
    for table in ["observations", "articles", "mentions", "rejects", "indicators", "bodies", "regions", "series"]:
        assert (pkg / "data" / f"{table}.parquet").is_file() and (pkg / "data" / f"{table}.csv").is_file()


def test_every_checksum_matches(unpacked):
    _, pkg = unpacked
    lines = (pkg / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = set()
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((pkg / name).read_bytes()).hexdigest() == digest, name
        listed.add(name)
    on_disk = {p.relative_to(pkg).as_posix() for p in pkg.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert listed == on_disk
    if shutil.which("sha256sum"):
        run = subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=pkg, capture_output=True, text=True)
        assert run.returncode == 0, run.stdout + run.stderr


def test_frictionless_validates_descriptor_and_data(unpacked):
    _, pkg = unpacked
    report = validate(pkg / "datapackage.json")
    assert report.valid, report.flatten(["taskNumber", "rowNumber", "fieldName", "type", "note"])
    tables = [t for t in report.tasks if t.type == "table"]
    assert {t.name for t in tables} >= {"observations", "series", "articles", "indicators", "regions"}
    package = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0" and package["version"] == "v0002"
    obs = next(r for r in package["resources"] if r["name"] == "observations")
    assert obs["schema"]["primaryKey"] == ["obs_id"]
    assert {fk["fields"] for fk in obs["schema"]["foreignKeys"]} >= {"indicator_code", "region_code"}
    fields = {f["name"]: f for f in obs["schema"]["fields"]}
    assert fields["period_end"]["type"] == "date" and fields["value"]["type"] == "number"
    assert all(f["description"] for r in package["resources"] if r["type"] == "table" for f in r["schema"]["fields"])


def test_frictionless_catches_bad_data(unpacked, tmp_path):
    """The validation is real: an unknown indicator code breaks the foreign key (checksums updated)."""
    _, pkg = unpacked
    copy = tmp_path / "pkg"
    shutil.copytree(pkg, copy)
    path = copy / "data" / "observations.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[1][rows[0].index("indicator_code")] = "no.such_indicator"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    package = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in package["resources"] if r["name"] == "observations")
    res["bytes"], res["hash"] = path.stat().st_size, "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    (copy / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    report = validate(copy / "datapackage.json")
    assert not report.valid
    assert "foreign-key" in {e[0] for e in report.flatten(["type"])}


def test_csv_and_parquet_agree(unpacked, root):
    _, pkg = unpacked
    manifest = json.loads((pkg / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == read_manifest("v0002", root)
    for parquet in sorted((pkg / "data").glob("*.parquet")):
        name = parquet.stem
        with open(parquet.with_suffix(".csv"), encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        table = pq.read_table(parquet)
        assert rows[0] == table.column_names, name
        assert len(rows) - 1 == table.num_rows, name
        if name in manifest["tables"]:  # published tables are copied byte for byte
            entry = manifest["tables"][name]
            assert entry["rows"] == table.num_rows
            assert hashlib.sha256(parquet.read_bytes()).hexdigest() == entry["sha256"]
    with open(pkg / "data" / "observations.csv", encoding="utf-8", newline="") as f:
        header, *body = list(csv.reader(f))
    ends = [r[header.index("period_end")] for r in body if r[header.index("period_end")]]
    assert ends and all(len(e) == 10 and e[4] == "-" for e in ends)  # ISO dates


def test_documents(unpacked):
    _, pkg = unpacked
    cff = yaml.safe_load((pkg / "CITATION.cff").read_text(encoding="utf-8"))
    jsonschema.validate(cff, CFF_SCHEMA)
    assert cff["version"] == "v0002"
    licence = (pkg / "LICENSE-DATA.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in licence and "publishers" in licence
    changelog = (pkg / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## v0002" in changelog and "against v0001" in changelog
    assert "1 added, 1 removed, 1 changed" in changelog and "ffffffffffffffff" in changelog
    dictionary = (pkg / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    package = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    for res in package["resources"]:
        if res["type"] == "table":
            assert f"## {res['name']}" in dictionary
            for f in res["schema"]["fields"]:
                assert f"| `{f['name']}` |" in dictionary and f["description"].replace("|", "\\|") in dictionary
    with open(pkg / "codebook" / "indicators.csv", encoding="utf-8", newline="") as f:
        indicators = list(csv.DictReader(f))
    assert indicators and {"indicator_code", "name_vi", "name_en", "unit"} <= set(indicators[0])
    assert "## Indicators" in (pkg / "CODEBOOK.md").read_text(encoding="utf-8")


def test_release_is_reproducible(unpacked, root, tmp_path):
    archive, _ = unpacked
    again = build_release("v0002", root, tmp_path)
    assert again.read_bytes() == archive.read_bytes()


def test_cli(root, tmp_path, capsys):
    parser = argparse.ArgumentParser(prog="dxdata")
    release.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["release", "--version", "v0001", "--out", str(tmp_path), "--root", str(root)])
    assert args.func(args) == 0
    assert (tmp_path / "dxdata-v0001.zip").is_file()
    assert "dxdata-v0001.zip" in capsys.readouterr().out
    with zipfile.ZipFile(tmp_path / "dxdata-v0001.zip") as zf:
        assert "first version" in zf.read("dxdata-v0001/CHANGELOG.md").decode()
    args = parser.parse_args(["release", "--version", "v0099", "--out", str(tmp_path), "--root", str(root)])
    assert args.func(args) == 2
    assert "unknown version" in capsys.readouterr().err
