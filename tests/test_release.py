"""Releases: a real version built from data/raw, archived, unpacked and checked like a researcher would."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import jsonschema
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from frictionless import Package, validate

from dxdata.ingest import read_article
from dxdata.orchestrate.refresh import run_refresh
from dxdata.products import release
from dxdata.products.release import build_release
from dxdata.publish.store import publish, read_arrow, read_manifest
from dxdata.tables import SORT_KEYS

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
        "authors": {"$ref": "#/definitions/entities"},
        "repository-code": {"$ref": "#/definitions/url"},
        "url": {"$ref": "#/definitions/url"},
        "references": {
            "type": "array", "minItems": 1,
            "items": {"type": "object", "required": ["authors", "title", "type"], "additionalProperties": False,
                      "properties": {"type": {"enum": ["software"]}, "title": {"type": "string", "minLength": 1},
                                     "authors": {"$ref": "#/definitions/entities"},
                                     "version": {"type": "string", "minLength": 1},
                                     "license": {"type": "string", "enum": ["MIT"]},
                                     "repository-code": {"$ref": "#/definitions/url"}}},
        },
    },
    "definitions": {
        "url": {"type": "string", "pattern": "^(https|http|ftp|sftp)://.+"},
        "entities": {
            "type": "array", "minItems": 1, "uniqueItems": True,
            "items": {"type": "object", "required": ["name"], "additionalProperties": False,
                      "properties": {"name": {"type": "string", "minLength": 1},
                                     "website": {"$ref": "#/definitions/url"}}},
        },
    },
}  # fmt: skip
PLACEHOLDERS = (
    "todo",
    "tbd",
    "fixme",
    "placeholder",
    "example.com",
    "your name",
    "firstname",
    "lastname",
    "1970-01-01",
)
# the article of v0002 that gets a publisher and an address (the seeds are plain text files without one)
PUBLISHED_AT = (
    "001_cc512932bece74b4.txt",
    "Báo Đà Nẵng",
    "https://baodanang.vn/chuyen-doi-so/hanh-dong-quyet-liet.html",
)


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
    articles = tables["articles"]
    source_file, publisher, url = PUBLISHED_AT
    articles.loc[articles["source_file"] == source_file, ["publisher", "url"]] = [publisher, url]
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


DATA_TABLES = ["observations", "series", "articles", "mentions", "rejects"]
CODEBOOKS = ["indicators", "bodies", "regions"]


def _package(pkg: Path) -> dict:
    return json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))


def _csv_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


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
    ]:
        assert (pkg / name).is_file(), name
    for table in DATA_TABLES:
        assert (pkg / "data" / f"{table}.parquet").is_file() and (pkg / "data" / f"{table}.csv").is_file()
    for table in CODEBOOKS:  # each codebook once, beside its Parquet file: no second copy in data/
        assert (pkg / "codebook" / f"{table}.parquet").is_file() and (pkg / "codebook" / f"{table}.csv").is_file()
        assert not (pkg / "data" / f"{table}.csv").exists() and not (pkg / "data" / f"{table}.parquet").exists()


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
    assert report.stats["errors"] == 0
    package = _package(pkg)
    assert {t.name for t in report.tasks} == {r["name"] for r in package["resources"]}
    assert all(t.type == "table" and t.valid for t in report.tasks)  # every file is a typed, checked table
    assert package["licenses"][0]["name"] == "CC-BY-4.0" and package["version"] == "v0002"
    obs = next(r for r in package["resources"] if r["name"] == "observations")
    assert obs["schema"]["primaryKey"] == ["obs_id"]
    refs = {fk["fields"]: fk["reference"] for fk in obs["schema"]["foreignKeys"]}
    assert refs["article_id"] == {"resource": "articles", "fields": "article_id"}
    assert refs["indicator_code"] == {"resource": "indicators", "fields": "indicator_code"}
    assert {"region_code", "body_code"} <= set(refs)
    fields = {f["name"]: f for f in obs["schema"]["fields"]}
    assert fields["period_end"]["type"] == "date" and fields["value"]["type"] == "number"
    assert fields["char_start"]["type"] == "integer" and fields["unit"]["constraints"]["enum"]
    series = next(r for r in package["resources"] if r["name"] == "series")
    assert {f["name"]: f["type"] for f in series["schema"]["fields"]}["conflict"] == "boolean"
    assert all(f["description"] for r in package["resources"] for f in r["schema"]["fields"])
    for r in package["resources"]:  # a primary key is never empty
        required = {f["name"] for f in r["schema"]["fields"] if f.get("constraints", {}).get("required")}
        assert set(r["schema"].get("primaryKey", [])) <= required, r["name"]
    assert "primaryKey" not in series["schema"]  # period_end is empty for undated figures


def test_parquet_resources_are_typed_like_their_csv(unpacked):
    _, pkg = unpacked
    by_name = {r["name"]: r for r in _package(pkg)["resources"]}
    for table in DATA_TABLES + CODEBOOKS:
        csv_res, pq_res = by_name[table], by_name[f"{table}-parquet"]
        assert csv_res["format"] == "csv" and pq_res["format"] == "parquet"
        assert pq_res["mediatype"] == "application/vnd.apache.parquet"
        assert pq_res["path"] == csv_res["path"].removesuffix(".csv") + ".parquet"
        assert pq_res["schema"]["fields"] == csv_res["schema"]["fields"]
        assert pq_res["schema"].get("primaryKey") == csv_res["schema"].get("primaryKey")
        for a, b in zip(csv_res["schema"].get("foreignKeys", []), pq_res["schema"].get("foreignKeys", []), strict=True):
            assert b["reference"]["resource"] == a["reference"]["resource"] + "-parquet"
    assert len(by_name) == 2 * len(DATA_TABLES + CODEBOOKS)


def _missing(v: object) -> object:
    """frictionless 5.21 reads a missing float of a Parquet file (via pandas) as Decimal('NaN'), not None."""
    return None if isinstance(v, Decimal) and v.is_nan() else v


PYTHON_TYPES = {"string": str, "integer": int, "number": Decimal, "boolean": bool, "date": date, "datetime": datetime}


def test_every_resource_reads_with_its_declared_types(unpacked):
    """frictionless reads every row of every resource as the schema's types; CSV and Parquet give the same rows."""
    _, pkg = unpacked
    package = Package(pkg / "datapackage.json")
    read = {}
    for resource in package.resources:
        rows = resource.read_rows()
        read[resource.name] = rows
        parquet = pq.read_table(pkg / (resource.path.removesuffix(".csv").removesuffix(".parquet") + ".parquet"))
        assert len(rows) == parquet.num_rows, resource.name
        assert resource.schema.field_names == parquet.column_names, resource.name
        for field in resource.schema.fields:
            expected = PYTHON_TYPES[field.type]
            for row in rows:
                v = _missing(row[field.name])
                if v is None:
                    assert not field.required, (resource.name, field.name)
                    continue
                assert isinstance(v, expected) and not (expected is int and isinstance(v, bool)), (
                    resource.name,
                    field.name,
                    v,
                )
                if expected is date:
                    assert not isinstance(v, datetime), (resource.name, field.name, v)
    for name in DATA_TABLES + CODEBOOKS:
        csv_rows = [{k: _missing(v) for k, v in r.items()} for r in read[name]]
        pq_rows = [{k: _missing(v) for k, v in r.items()} for r in read[f"{name}-parquet"]]
        assert csv_rows == pq_rows, name
    assert any(r["denominator"] is not None for r in read["observations"])  # the checks saw real values


def test_no_duplicated_resources(unpacked):
    """Each table once per format; every CSV and Parquet file of the release is one resource."""
    _, pkg = unpacked
    resources = _package(pkg)["resources"]
    for key in ("name", "path", "hash"):
        values = [r[key] for r in resources]
        assert len(values) == len(set(values)), key
    described = {r["path"] for r in resources}
    on_disk = {p.relative_to(pkg).as_posix() for p in pkg.rglob("*") if p.suffix in {".csv", ".parquet"}}
    assert described == on_disk
    for table in CODEBOOKS:  # the one codebook CSV holds every column of the table
        header = _csv_rows(pkg / "codebook" / f"{table}.csv")[0]
        assert header == pq.read_table(pkg / "codebook" / f"{table}.parquet").column_names
    assert "cues" in _csv_rows(pkg / "codebook" / "indicators.csv")[0]
    assert "aliases" in _csv_rows(pkg / "codebook" / "bodies.csv")[0]


def test_sources_are_the_articles(unpacked):
    _, pkg = unpacked
    sources = _package(pkg)["sources"]
    articles = pd.read_parquet(pkg / "data" / "articles.parquet")
    assert [s["path"] for s in sources] == sorted(articles["source_file"])
    assert all(s["title"] and s["path"] for s in sources)
    by_path = {s["path"]: s for s in sources}
    for row in articles.itertuples():
        assert by_path[row.source_file].get("url") == (row.url if isinstance(row.url, str) else None)
        if isinstance(row.title, str):
            assert by_path[row.source_file]["title"].startswith(row.title)
    source_file, publisher, url = PUBLISHED_AT
    assert by_path[source_file]["url"] == url and publisher in by_path[source_file]["title"]


def test_descriptions_say_what_the_code_does(unpacked):
    """The ids, sizes, hashes and spans the data dictionary describes, recomputed from the raw files."""
    _, pkg = unpacked
    raw = REPO / "data" / "raw"
    articles = pd.read_parquet(pkg / "data" / "articles.parquet")
    texts = {}
    for row in articles.itertuples():
        data = (raw / row.source_file).read_bytes()
        text = read_article(raw / row.source_file, raw).text
        texts[row.article_id] = text
        assert row.article_id == hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]  # of the normalized text
        assert row.content_sha256 == hashlib.sha256(data).hexdigest()  # of the raw bytes
        assert (row.n_bytes, row.n_chars) == (len(data), len(text))
    obs = pd.read_parquet(pkg / "data" / "observations.parquet")
    for row in obs[obs["obs_id"] != "ffffffffffffffff"].itertuples():
        assert texts[row.article_id][row.char_start : row.char_end] == row.evidence
        assert texts[row.article_id][row.number_start : row.number_end] == row.number_text
    fields = {
        (r["name"], f["name"]): f["description"] for r in _package(pkg)["resources"] for f in r["schema"]["fields"]
    }
    assert "normalized text" in fields[("articles", "article_id")]
    assert "raw file's bytes" in fields[("articles", "content_sha256")]
    assert "survives a correction of the article's text" in fields[("observations", "obs_id")]
    assert "relative to the raw folder" in fields[("observations", "source_file")]


def test_frictionless_catches_bad_data(unpacked, tmp_path):
    """The validation is real: an unknown indicator code breaks the foreign key (checksums updated)."""
    _, pkg = unpacked
    copy = tmp_path / "pkg"
    shutil.copytree(pkg, copy)
    path = copy / "data" / "observations.csv"
    rows = _csv_rows(path)
    rows[1][rows[0].index("indicator_code")] = "no.such_indicator"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    package = _package(copy)
    res = next(r for r in package["resources"] if r["name"] == "observations")
    res["bytes"], res["hash"] = path.stat().st_size, "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    (copy / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    report = validate(copy / "datapackage.json")
    assert not report.valid
    assert "foreign-key" in {e[0] for e in report.flatten(["type"])}


def test_frictionless_checks_parquet_types(unpacked, tmp_path):
    """A Parquet resource is read with its schema: a column declared with the wrong type is an error."""
    _, pkg = unpacked
    copy = tmp_path / "pkg"
    shutil.copytree(pkg, copy)
    package = _package(copy)
    res = next(r for r in package["resources"] if r["name"] == "observations-parquet")
    next(f for f in res["schema"]["fields"] if f["name"] == "char_start")["type"] = "date"
    (copy / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    report = validate(copy / "datapackage.json")
    assert not report.valid
    assert {("type-error", "char_start")} == {tuple(e) for e in report.flatten(["type", "fieldName"])}


def test_csv_and_parquet_agree(unpacked, root):
    _, pkg = unpacked
    manifest = json.loads((pkg / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == read_manifest("v0002", root)
    for res in _package(pkg)["resources"]:
        if res["format"] != "csv":
            continue
        name = res["name"]
        parquet = pkg / (res["path"].removesuffix(".csv") + ".parquet")
        rows = _csv_rows(pkg / res["path"])
        table = pq.read_table(parquet)
        assert rows[0] == table.column_names, name
        assert len(rows) - 1 == table.num_rows, name
        if name in manifest["tables"]:  # published tables are copied byte for byte
            entry = manifest["tables"][name]
            assert entry["rows"] == table.num_rows
            assert hashlib.sha256(parquet.read_bytes()).hexdigest() == entry["sha256"]
    header, *body = _csv_rows(pkg / "data" / "observations.csv")
    ends = [r[header.index("period_end")] for r in body if r[header.index("period_end")]]
    assert ends and all(len(e) == 10 and e[4] == "-" for e in ends)  # ISO dates


def test_citation(unpacked):
    """CITATION.cff: valid CFF 1.2.0 (the rules above), real metadata from pyproject.toml, no placeholder."""
    _, pkg = unpacked
    text = (pkg / "CITATION.cff").read_text(encoding="utf-8")
    cff = yaml.safe_load(text)
    jsonschema.validate(cff, CFF_SCHEMA)
    assert not [p for p in PLACEHOLDERS if p in text.lower()]
    assert "&id" not in text and "*id" not in text  # no YAML anchors
    manifest = json.loads((pkg / "manifest.json").read_text(encoding="utf-8"))
    assert cff["version"] == "v0002" and cff["date-released"] == manifest["created"][:10]
    assert cff["license"] == "CC-BY-4.0" and cff["authors"][0]["name"] == "dxdata contributors"
    code = cff["references"][0]
    built_by = manifest.get("code_version")  # "dxdata 0.1.0; codebook ..." (none in the hand-made v0002)
    assert code.get("version") == (built_by.split(";")[0].removeprefix("dxdata ") if built_by else None)
    assert code["type"] == "software" and code["license"] == "MIT"
    declared = release.project_metadata()
    if declared.get("url"):  # the addresses pyproject.toml declares, else none made up
        assert cff["url"] == declared["url"] and cff["repository-code"] == declared["repository"]
        assert code["repository-code"] == declared["repository"] and cff["authors"][0]["website"] == declared["url"]
    else:
        assert not {"url", "repository-code"} & set(cff) and "website" not in cff["authors"][0]


def test_citation_reads_the_declared_addresses(tmp_path):
    """[project.urls] labels as pyproject.toml writes them (any case and spacing) give url and repository-code."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "dxdata"\nlicense = "MIT"\n[project.urls]\n'
        '"Source Code" = "https://git.example.org/dxdata"\nHomepage = "https://dxdata.example.org"\n',
        encoding="utf-8",
    )
    project = release.project_metadata(pyproject)
    assert project == {
        "repository": "https://git.example.org/dxdata",
        "url": "https://dxdata.example.org",
        "license": "MIT",
    }
    cff = yaml.safe_load(release._citation("v0007", {"created": "2026-01-02T03:04:05Z"}, project))
    jsonschema.validate(cff, CFF_SCHEMA)
    assert (cff["url"], cff["repository-code"], cff["date-released"]) == (
        "https://dxdata.example.org",
        "https://git.example.org/dxdata",
        "2026-01-02",
    )
    pyproject.write_text('[project]\nname = "dxdata"\n[project.urls]\nRepository = "https://git.example.org/dx"\n')
    assert release.project_metadata(pyproject) == {
        "repository": "https://git.example.org/dx",
        "url": "https://git.example.org/dx",
    }
    bare = yaml.safe_load(release._citation("v0007", {}, {}))  # nothing declared: nothing made up
    jsonschema.validate(bare, CFF_SCHEMA)
    assert not {"url", "repository-code", "date-released"} & set(bare)


def test_documents(unpacked):
    _, pkg = unpacked
    licence = (pkg / "LICENSE-DATA.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in licence and "publishers" in licence
    changelog = (pkg / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## v0002" in changelog and "against v0001" in changelog
    assert "1 added, 1 removed, 1 changed" in changelog and "ffffffffffffffff" in changelog
    dictionary = (pkg / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    for res in _package(pkg)["resources"]:
        if res["format"] == "csv":
            assert f"## {res['name']}" in dictionary and f"`{res['path']}`" in dictionary
            for f in res["schema"]["fields"]:
                assert f"| `{f['name']}` |" in dictionary and f["description"].replace("|", "\\|") in dictionary
    with open(pkg / "codebook" / "indicators.csv", encoding="utf-8", newline="") as f:
        indicators = list(csv.DictReader(f))
    assert indicators and {"indicator_code", "name_vi", "name_en", "unit", "cues"} <= set(indicators[0])
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
