"""What a refresh reports, the same whichever way it ran: the rejects warning, the summary in Markdown (the
Prefect artifact) and the artifact's key."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dxdata.orchestrate.refresh import RefreshSummary


def rejects_note(summary: RefreshSummary) -> str | None:
    """One line saying what a refresh rejected, with the counts and the reasons (None: nothing rejected).

    A run that rejects files still succeeds (the others are published); this line, logged as a warning,
    is how the run says that some input did not make it.
    """
    if not summary.files_rejected and not summary.rows_rejected:
        return None
    reasons = ", ".join(f"{reason} {n}" for reason, n in summary.reject_reasons.items()) or "none given"
    return (
        f"rejects: {summary.files_rejected} of {summary.files_seen} files and {summary.rows_rejected} rows rejected "
        f"(by reason: {reasons}); the rejects table of {summary.version} lists each one with its reason"
    )


def summary_artifact_key(out_dir: Path | str) -> str:
    """The Prefect artifact key of the refreshes of `out_dir`: ``refresh-<folder name>-<hash of its path>``.

    One key per output folder, so that each dataset keeps its own history of summaries in the UI; the
    hash of the resolved path tells apart two folders of the same name. Keys may hold lowercase letters,
    digits and dashes only: the name is folded to ASCII ("dữ liệu" gives "du-lieu").
    """
    resolved = Path(out_dir).resolve()
    ascii_name = unicodedata.normalize("NFKD", resolved.name.replace("đ", "d").replace("Đ", "D"))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.encode("ascii", "ignore").decode().lower())[:40].strip("-")
    digest = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:8]
    return f"refresh-{slug or 'root'}-{digest}"


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: tuple[str, str], rows: list[tuple[str, object]], align: str = "---:") -> list[str]:
    lines = [f"| {header[0]} | {header[1]} |", f"|---|{align}|"]
    return lines + [f"| {_cell(k)} | {_cell(v)} |" for k, v in rows]


def summary_markdown(
    summary: RefreshSummary,
    *,
    raw_dir: Path | str,
    out_dir: Path | str,
    seconds: Mapping[str, float],
    counts: Mapping[str, int] | None = None,
) -> str:
    """The refresh summary as Markdown (the flow's artifact): the folders, the version, the counts, the
    rejects by reason and the seconds per stage, each in a table of its own so no column mixes kinds."""
    out, raw = Path(out_dir).resolve(), Path(raw_dir).resolve()
    state = "new" if summary.changed else "no change"
    note = rejects_note(summary)
    lines = [
        f"# dxdata refresh of `{_cell(out)}`: {summary.version} ({state})",
        "",
        f"**Rejects**: {note.removeprefix('rejects: ')}." if note else "No file or row was rejected.",
        "",
        *_table(
            ("what", "value"),
            [
                ("output folder", f"`{out}`"),
                ("raw folder", f"`{raw}`"),
                ("version", f"{summary.version} ({state})"),
            ],
            align="---",
        ),
        "",
        "## Counts",
        "",
        *_table(
            ("what", "count"),
            [
                ("files seen", summary.files_seen),
                ("articles read", summary.articles_read),
                ("files rejected", summary.files_rejected),
                ("rows published (observations)", summary.observations),
                ("rows rejected", summary.rows_rejected),
                ("numbers left out (mentions)", summary.mentions),
                *(counts or {}).items(),
            ],
        ),
        "",
        "## Rejects by reason",
        "",
        *(_table(("reason", "rejects"), list(summary.reject_reasons.items())) if summary.reject_reasons else ["none"]),
        "",
        "## Seconds per stage",
        "",
        *_table(("stage", "seconds"), [(stage, f"{s:.1f}") for stage, s in seconds.items()]),
        "",
    ]
    return "\n".join(lines)
