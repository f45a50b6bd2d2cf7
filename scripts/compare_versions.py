"""Are two published versions the same data, whatever code built them?

    python scripts/compare_versions.py OLD_ROOT NEW_ROOT [--old-version v0001] [--new-version latest]

For refactors: every table's Parquet files must have the same sha256, part by part, and the content hash
must be the same once the new version's chunk keys are replaced by the old one's (a chunk key carries
the code fingerprint, so moving code changes it while the data stays the same; docs/architecture.md).
Exit 0 when the data is the same, 1 when it differs (each difference is printed).
"""

from __future__ import annotations

import argparse
import hashlib
import sys

from dxdata.publish.store import read_manifest


def _part_name(file: str) -> str:
    return file.rsplit("/", 1)[-1][11:]  # "part-00001-<key16>.parquet" without its index, as the store hashes it


def compare(old: dict, new: dict) -> list[str]:
    """The differences between two manifests' data (empty: the same data)."""
    problems, keys = [], {}
    if sorted(old["tables"]) != sorted(new["tables"]):
        return [f"tables differ: {sorted(old['tables'])} vs {sorted(new['tables'])}"]
    for name in sorted(old["tables"]):
        a, b = old["tables"][name], new["tables"][name]
        if "parts" not in a:
            if a["sha256"] != b["sha256"]:
                problems.append(f"{name}: file differs")
            continue
        if [(p["sha256"], p["rows"]) for p in a["parts"]] != [(p["sha256"], p["rows"]) for p in b["parts"]]:
            problems.append(f"{name}: parts differ")
        keys.update(
            {_part_name(q["file"]): _part_name(p["file"]) for p, q in zip(a["parts"], b["parts"], strict=False)}
        )
    hashes = {}
    for name, entry in new["tables"].items():
        if "parts" not in entry:
            hashes[name] = entry["sha256"]
            continue
        h = hashlib.sha256()
        for p in entry["parts"]:
            h.update(f"{keys.get(_part_name(p['file']), _part_name(p['file']))}\0{p['sha256']}\n".encode())
        hashes[name] = h.hexdigest()
    h = hashlib.sha256()
    for name in sorted(hashes):
        h.update(f"{name}\0{hashes[name]}\n".encode())
    if h.hexdigest() != old["content_hash"]:
        problems.append("content hash differs even with the old chunk keys")
    return problems


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("old_root")
    p.add_argument("new_root")
    p.add_argument("--old-version", default="latest")
    p.add_argument("--new-version", default="latest")
    args = p.parse_args(argv)
    old, new = read_manifest(args.old_version, args.old_root), read_manifest(args.new_version, args.new_root)
    problems = compare(old, new)
    for line in problems:
        print(line)
    print(
        f"{old['version']} of {args.old_root} and {new['version']} of {args.new_root}: "
        + ("the same data" if not problems else f"{len(problems)} differences")
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
