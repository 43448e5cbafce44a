"""What the demo generators share: the partnerships they write for, and deterministic file writing."""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Partnership:
    """A partnership of the programme, as the generators need it."""

    partnership_id: str
    partnership_name: str


def read_partnerships(reference_dir: Path) -> list[Partnership]:
    """The partnerships of `reference_dir/partnerships.csv`, in file order."""
    frame = pd.read_csv(reference_dir / "partnerships.csv", dtype=str)
    return [Partnership(row.partnership_id, row.partnership_name) for row in frame.itertuples()]


def fixed_xlsx_timestamps(content: bytes) -> bytes:
    """Rewrite a workbook with fixed zip timestamps and document dates, so regeneration is byte-identical."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2018-09-01T12:00:00Z", data)
            info = zipfile.ZipInfo(item.filename, date_time=(2018, 9, 1, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    return out.getvalue()


def write_atomically(path: Path, content: bytes) -> None:
    """Write `content` to `path` through a temporary file beside it, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)
