"""Build `src/dxdata/data/gazetteer.csv`, the gazetteer of Vietnam's administrative units.

The CSV is generated once and committed; the pipeline reads only the CSV (`dxdata.extract.regions`).
The two source packages are build-time tools and must never be imported at run time:

* `vietnamadminunits` -- the 63 provinces and 696 districts as they stood before the
  1 July 2025 merger (GSO codes, official names, former names of merged districts) and the
  34 provinces after it, with which old provinces each one absorbed;
* `pycountry` -- ISO 3166-2:VN, used to check the project's reference list of province codes.

How to run (from the repository root)::

    .venv/bin/pip install -e ".[gazetteer]"                # both are pinned in requirements.lock too
    .venv/bin/python scripts/build_gazetteer.py            # writes src/dxdata/data/gazetteer.csv
    .venv/bin/python scripts/build_gazetteer.py --check    # exits 1 if the committed file differs

Columns
-------
level             province | district | stop  (a stop row is a phrase that must never be read as a
                  place although it contains one, e.g. "Thái Bình Dương", the Pacific Ocean)
region_code       ISO 3166-2:VN code of the pre-2025 province (a district carries its province's code)
gso_code          GSO code of the unit (2 digits for a province, 3 for a district), pre-2025
name              official name without the unit word ("Kon Tum", "Buôn Ma Thuột", "1" for Quận 1)
full_name         official name with the unit word ("Tỉnh Kon Tum", "Thành phố Buôn Ma Thuột")
unit_type         tỉnh | thành phố (centrally run city) | quận | huyện | thị xã | thành phố thuộc tỉnh
                  | thành phố thuộc thành phố (Thủ Đức, the one city inside a centrally run city)
region_code_2025  code of the province the unit lies in since 1 July 2025 (rule below)
gso_code_2025     GSO code of that post-2025 province
name_2025         name of that post-2025 province
name_ascii        `name` without diacritics ("Da Nang")
aliases           pipe-separated extra spellings. For a province each alias is a surface form;
                  one that starts with a unit word ("Thành phố Huế", "TP.HCM") also stands for that
                  word's abbreviations ("TP. Huế", "TP Huế", ...). For a district, aliases are former
                  names with their unit word ("Quận 2", "Huyện Kỳ Sơn"), lower priority than current names.

The 2025 code rule
------------------
The 2025 merger joined whole provinces: each of the 34 new provinces is one or more old provinces,
and every new province carries the name of one of them (the retained province; Huế is the old
Thừa Thiên Huế). ISO has no codes for the new provinces yet, so `region_code_2025` is the
pre-2025 ISO code of the retained province: new Tuyên Quang (Tuyên Quang + Hà Giang) -> VN-07,
new Lào Cai (Lào Cai + Yên Bái) -> VN-02, new Ninh Bình (Ninh Bình + Hà Nam + Nam Định) -> VN-18,
Huế -> VN-26. The 11 provinces left unmerged keep their own code. (`gso_code_2025` is the new
province's own GSO code, which follows its seat, e.g. new Lào Cai is 15, Yên Bái's old code.)

Conflicts: the project's list `schemas/regions_iso.csv` wins over both packages for codes and names
(pycountry spells "Kiến Giang" and "Thừa Thiên-Huế"; vietnamadminunits names the province "Huế").
The output is sorted (provinces by code, districts by province code and GSO code, stop phrases by
text), so a rebuild from the same package versions is byte-identical.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ISO_CSV = ROOT / "schemas" / "regions_iso.csv"
OUT_CSV = ROOT / "src" / "dxdata" / "data" / "gazetteer.csv"

COLUMNS = [
    "level",
    "region_code",
    "gso_code",
    "name",
    "full_name",
    "unit_type",
    "region_code_2025",
    "gso_code_2025",
    "name_2025",
    "name_ascii",
    "aliases",
]

# ISO province whose package key is not its folded ISO name.
PACKAGE_KEY_OVERRIDES = {"VN-26": "thanhphohue"}  # Thừa Thiên Huế, a centrally run city "Huế" since 2025

# Extra spellings of province names seen in the press (tone placement is unified by the matcher,
# the old-style forms are listed anyway for the reader). Surfaces starting with a unit word or its
# abbreviation ("TP.HCM") are expanded to all the abbreviations of that word by `dxdata.extract.regions`.
PROVINCE_ALIASES: dict[str, list[str]] = {
    "VN-SG": [
        "TP.HCM",
        "TPHCM",
        "TP HCM",
        "TP. HCM",
        "Tp.HCM",
        "Tp. Hồ Chí Minh",
        "Thành phố Hồ Chí Minh",
        "Thành phố HCM",
        "Sài Gòn",
        "HCM City",
        "HCMC",
        "Ho Chi Minh City",
    ],
    "VN-26": ["Huế", "Thừa Thiên - Huế", "Thừa Thiên-Huế", "Thành phố Huế"],
    "VN-28": ["KonTum", "Kontum"],
    "VN-33": ["Đắc Lắc", "Đăk Lăk", "Đắk Lăk", "Dak Lak", "Daklak", "DakLak"],
    "VN-72": ["Đăk Nông", "Đắc Nông", "Dak Nong"],
    "VN-43": [
        "Bà Rịa-Vũng Tàu",
        "Bà Rịa – Vũng Tàu",
        "Bà Rịa Vũng Tàu",
        "BR-VT",
        "BRVT",
        "Vũng Tàu",
        "Bà Rịa",
    ],
    "VN-14": ["Hoà Bình"],
    "VN-21": ["Thanh Hoá"],
    "VN-34": ["Khánh Hoà"],
    "VN-53": ["Bắc Cạn"],
    "VN-HN": ["Thủ đô", "Thủ đô Hà Nội", "Hanoi"],
    "VN-HP": ["Haiphong"],
    "VN-DN": ["Danang"],
    "VN-CT": [],
}

# Phrases that contain a province name but are not about it. Matched like names (case and word
# boundaries), they win over any shorter or overlapping name and report nothing.
STOP_PHRASES = [
    "Thái Bình Dương",  # the Pacific (also hides "Bình Dương")
    "Hà Nam Ninh",  # the 1976-1991 province, not Hà Nam
    "Điện Biên Phủ",  # the battle and a street name; "thành phố Điện Biên Phủ" still matches
    "Đồng Tháp Mười",  # the plain across Long An, Đồng Tháp and Tiền Giang
    "Hồ Chí Minh",  # bare: the President, his thought, schools and roads named after him
    "Ho Chi Minh",
    "Sài Gòn Giải Phóng",  # the newspaper
    "Việt Nam Định",  # "VIỆT NAM ĐỊNH HƯỚNG ..." in all-caps headlines
]

# Former names of districts (merged or renamed), keyed by the package's ASCII alias key.
# Aliases that only record a change of unit type (thị xã -> thành phố) are not listed: the matcher
# accepts any unit word before a current district name.
FORMER_DISTRICT_NAMES = {
    "huyenthongnong": "Huyện Thông Nông",
    "huyenphuchoa": "Huyện Phục Hòa",
    "huyenquanguyen": "Huyện Quảng Uyên",
    "huyenkyson": "Huyện Kỳ Sơn",
    "huyenhoanhbo": "Huyện Hoành Bồ",
    "huyenyendung": "Huyện Yên Dũng",
    "huyenmyloc": "Huyện Mỹ Lộc",
    "thanhphoninhbinh": "Thành phố Ninh Bình",
    "huyenhoalu": "Huyện Hoa Lư",
    "huyendongson": "Huyện Đông Sơn",
    "huyentinhgia": "Huyện Tĩnh Gia",
    "thixacualo": "Thị xã Cửa Lò",
    "huyennamdong": "Huyện Nam Đông",
    "huyennongson": "Huyện Nông Sơn",
    "huyentaytra": "Huyện Tây Trà",
    "huyencattien": "Huyện Cát Tiên",
    "huyendateh": "Huyện Đạ Tẻh",
    "huyendatdo": "Huyện Đất Đỏ",
    "huyenlongdien": "Huyện Long Điền",
    "huyentanthanh": "Huyện Tân Thành",
    "quan2": "Quận 2",
    "quan9": "Quận 9",
}
# Package aliases that are neither a type change nor a former name listed above (short or English
# keys of names already listed, spelling variants without diacritics).
IGNORED_ALIAS_PREFIXES = ("q", "district", "tx", "tp")

UNIT_TYPES = {"Huyện": "huyện", "Quận": "quận", "Thị xã": "thị xã", "Thành phố": "thành phố thuộc tỉnh"}
TYPE_KEYS = ("thanhpho", "thixa", "huyen", "quan")


def ascii_name(text: str) -> str:
    """Drop diacritics, keep case: "Đắk Lắk" -> "Dak Lak"."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def key(text: str) -> str:
    """The package's key: lower-case ASCII letters and digits only ("Bà Rịa - Vũng Tàu" -> "bariavungtau")."""
    return "".join(c for c in ascii_name(text).lower() if c.isalnum())


def read_iso() -> list[dict[str, str]]:
    with ISO_CSV.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["level"] != "country"]
    if len(rows) != 63:
        raise SystemExit(f"{ISO_CSV}: expected 63 provinces, found {len(rows)}")
    return rows


def check_pycountry(iso_rows: list[dict[str, str]]) -> None:
    import pycountry

    subs = {s.code: s.name for s in pycountry.subdivisions.get(country_code="VN")}
    ours = {r["region_code"]: r["name_vi"] for r in iso_rows}
    if set(subs) != set(ours):
        raise SystemExit(f"ISO codes differ from pycountry: {sorted(set(subs) ^ set(ours))}")
    for code in sorted(ours):
        if key(subs[code]) != key(ours[code]):
            print(f"note: pycountry names {code} {subs[code]!r}; keeping {ours[code]!r}", file=sys.stderr)


def load_package() -> tuple[list[dict], list[dict], dict[str, list[str]], dict[str, dict]]:
    from vietnamadminunits.database import query

    old_provinces = query(
        "SELECT DISTINCT province, provinceShort, provinceCode, provinceKey, provinceShortKey "
        "FROM admin_units_legacy ORDER BY provinceCode"
    )
    districts = query(
        "SELECT DISTINCT provinceCode, district, districtType, districtCode, districtAlias "
        "FROM admin_units_legacy ORDER BY districtCode"
    )
    new_provinces = {
        r["provinceKey"]: r
        for r in query("SELECT DISTINCT province, provinceShort, provinceCode, provinceKey FROM admin_units")
    }
    import vietnamadminunits

    conv = Path(vietnamadminunits.__file__).parent / "data" / "converter_2025.json"
    merged = json.loads(conv.read_text(encoding="utf-8"))["DICT_PROVINCE"]  # new key -> old keys
    return old_provinces, districts, merged, new_provinces


def build_rows() -> list[dict[str, str]]:
    iso_rows = read_iso()
    check_pycountry(iso_rows)
    old_provinces, districts, merged, new_provinces = load_package()

    by_short_key = {p["provinceShortKey"]: p for p in old_provinces}
    by_key = {p["provinceKey"]: p for p in old_provinces}
    if len(by_key) != 63:
        raise SystemExit(f"package has {len(by_key)} old provinces, expected 63")

    # ISO row -> package province
    iso_of_pkg: dict[str, dict[str, str]] = {}
    for r in iso_rows:
        pkg_key = PACKAGE_KEY_OVERRIDES.get(r["region_code"])
        pkg = by_key[pkg_key] if pkg_key else by_short_key.get(key(r["name_vi"]))
        if pkg is None:
            raise SystemExit(f"no package province for {r['region_code']} {r['name_vi']}")
        if pkg["provinceKey"] in iso_of_pkg:
            raise SystemExit(f"two ISO rows for package province {pkg['province']}")
        iso_of_pkg[pkg["provinceKey"]] = r

    # old province key -> (new province key), and new key -> ISO code of the retained province
    new_of_old: dict[str, str] = {}
    for new_key, old_keys in merged.items():
        if new_key not in old_keys or new_key not in iso_of_pkg or new_key not in new_provinces:
            raise SystemExit(f"new province {new_key} does not keep an old province's name")
        for old in old_keys:
            if old in new_of_old:
                raise SystemExit(f"old province {old} in two new provinces")
            new_of_old[old] = new_key
    if set(new_of_old) != set(by_key) or len(merged) != 34:
        raise SystemExit("the 2025 merger table does not cover the 63 provinces with 34 new ones")

    def after_2025(pkg_key: str) -> tuple[str, str, str]:
        new_key = new_of_old[pkg_key]
        retained = iso_of_pkg[new_key]
        new = new_provinces[new_key]
        return retained["region_code"], new["provinceCode"], new["provinceShort"]

    rows: list[dict[str, str]] = []
    code_of_gso: dict[str, str] = {}
    for pkg_key, iso in iso_of_pkg.items():
        pkg = by_key[pkg_key]
        code_of_gso[pkg["provinceCode"]] = iso["region_code"]
        unit_type = "thành phố" if iso["level"] == "municipality" else "tỉnh"
        rc25, gso25, name25 = after_2025(pkg_key)
        rows.append(
            {
                "level": "province",
                "region_code": iso["region_code"],
                "gso_code": pkg["provinceCode"],
                "name": iso["name_vi"],
                "full_name": f"{'Thành phố' if unit_type == 'thành phố' else 'Tỉnh'} {iso['name_vi']}",
                "unit_type": unit_type,
                "region_code_2025": rc25,
                "gso_code_2025": gso25,
                "name_2025": name25,
                "name_ascii": ascii_name(iso["name_vi"]),
                "aliases": "|".join(PROVINCE_ALIASES.get(iso["region_code"], [])),
            }
        )
    unknown_alias_codes = set(PROVINCE_ALIASES) - {r["region_code"] for r in rows}
    if unknown_alias_codes:
        raise SystemExit(f"aliases for unknown codes {sorted(unknown_alias_codes)}")

    used_former: set[str] = set()
    city_in_city = "thành phố thuộc thành phố"
    province_row = {r["region_code"]: r for r in rows}
    for d in districts:
        dtype = d["districtType"]
        full = d["district"]
        if dtype not in UNIT_TYPES or not full.lower().startswith(dtype.lower() + " "):
            raise SystemExit(f"unexpected district {full!r} ({dtype!r})")
        name = full[len(dtype) + 1 :].strip()
        full = f"{dtype} {name}"  # the package spells one "Thành Phố"
        region_code = code_of_gso[d["provinceCode"]]
        prov = province_row[region_code]
        aliases = []
        for alias in json.loads(d["districtAlias"] or "[]"):
            if alias in FORMER_DISTRICT_NAMES:
                aliases.append(FORMER_DISTRICT_NAMES[alias])
                used_former.add(alias)
                continue
            stripped = next((alias[len(t) :] for t in TYPE_KEYS if alias.startswith(t)), None)
            if stripped == key(name) or alias.startswith(IGNORED_ALIAS_PREFIXES) or stripped is None:
                continue  # a change of unit type, or a short/English key of a listed former name
            raise SystemExit(f"{full}: package alias {alias!r} has no Vietnamese spelling here")
        rows.append(
            {
                "level": "district",
                "region_code": region_code,
                "gso_code": d["districtCode"],
                "name": name,
                "full_name": full,
                "unit_type": city_in_city
                if dtype == "Thành phố" and prov["unit_type"] == "thành phố"
                else UNIT_TYPES[dtype],
                "region_code_2025": prov["region_code_2025"],
                "gso_code_2025": prov["gso_code_2025"],
                "name_2025": prov["name_2025"],
                "name_ascii": ascii_name(name),
                "aliases": "|".join(sorted(aliases)),
            }
        )
    stale = set(FORMER_DISTRICT_NAMES) - used_former
    if stale:
        raise SystemExit(f"former names not in the package any more: {sorted(stale)}")

    for phrase in STOP_PHRASES:
        rows.append({c: "" for c in COLUMNS} | {"level": "stop", "name": phrase})

    order = {"province": 0, "district": 1, "stop": 2}
    rows.sort(key=lambda r: (order[r["level"]], r["region_code"], r["gso_code"], r["name"]))

    provinces = [r for r in rows if r["level"] == "province"]
    n_districts = sum(r["level"] == "district" for r in rows)
    if len(provinces) != 63 or len({r["region_code_2025"] for r in provinces}) != 34 or n_districts < 690:
        raise SystemExit("unexpected counts")
    return rows


def render(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file, write nothing")
    parser.add_argument("--out", type=Path, default=OUT_CSV)
    args = parser.parse_args(argv)
    text = render(build_rows())
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'differs from a fresh build'}")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    levels = [line.split(",", 1)[0] for line in text.splitlines()[1:]]
    counts = ", ".join(f"{lv} {levels.count(lv)}" for lv in ("province", "district", "stop"))
    print(f"wrote {args.out}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
