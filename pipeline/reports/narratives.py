"""The evaluators' narratives: one Markdown file per partnership in the drop zone's `narratives/` folder, shown
on its case-study page (`pipeline.reports.evaluation_report.narrative_markup` turns one into page markup)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

# A narrative is Markdown the evaluators write: read as CommonMark with raw HTML off (it shows as text),
# images off (a page loads nothing from elsewhere) and links only to schemes markdown-it-py deems safe.
NARRATIVE_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")
NARRATIVE_MAX_BYTES = 200_000


@dataclass(frozen=True)
class Narratives:
    """The evaluators' narratives from the drop zone's `narratives/` folder, by partnership, and the files
    that could not be used (with why)."""

    texts: dict[str, str]
    refused: dict[str, str]


def read_narratives(folder: Path | None, partnerships: list[str]) -> Narratives:
    """`<partnership_id>.md` (or `.txt`) per partnership, UTF-8 Markdown. A file naming no partnership, too
    big, or not UTF-8 is refused with its reason; a partnership without a file has no narrative."""
    texts: dict[str, str] = {}
    refused: dict[str, str] = {}
    if folder is None or not folder.is_dir():
        return Narratives(texts, refused)
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name.lower() == "readme.md" or not path.is_file():
            continue
        if path.suffix.lower() not in (".md", ".txt"):
            refused[path.name] = "not a .md or .txt file"
        elif path.stem not in partnerships:
            refused[path.name] = "names no partnership in partnerships.csv (expected <partnership_id>.md)"
        elif path.stem in texts:
            refused[path.name] = f"a second narrative for {path.stem}"
        elif path.stat().st_size > NARRATIVE_MAX_BYTES:
            refused[path.name] = f"larger than {NARRATIVE_MAX_BYTES} bytes"
        else:
            try:
                texts[path.stem] = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError as error:
                refused[path.name] = f"not UTF-8 text (byte {error.start})"
    return Narratives(texts, refused)
