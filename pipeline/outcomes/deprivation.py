"""The official English Indices of Deprivation local-authority summaries workbook (MHCLG).

One sheet per domain (IMD, Income, Employment, ...), one row per district, the domain named in each
column heading ("IMD - Rank of average score "; headings carry trailing spaces). Read into the same long
layout as `outcomes.read_iod_tidy`, so either form loads into one table: values as received (text),
`source_row` the Excel row, `sheet` the sheet it came from.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from pipeline.csv_layout import header_key
from pipeline.errors import InputFileError
from pipeline.safe_files import DEFAULT_LIMITS, ReadLimits, check_readable

# Domain names as the workbook heads its columns -> as the tidy published form names them.
DOMAINS = {
    "IMD": "Index of Multiple Deprivation",
    "Health Deprivation and Disability": "Health and Disability",
    "IDACI": "Income Deprivation Affecting Children",
    "IDAOPI": "Income Deprivation Affecting Older People",
}
MEASURES = {
    "averagerank": "average_rank",
    "rankofaveragerank": "rank_average_rank",
    "averagescore": "average_score",
    "rankofaveragescore": "rank_average_score",
    "proportionoflsoasinmostdeprived10nationally": "proportion_bottom_decile",
    "rankofproportionoflsoasinmostdeprived10nationally": "rank_proportion_bottom_decile",
}
COLUMNS = ["lad_code", "lad_name", "index_domain", *MEASURES.values(), "year", "sheet", "source_row"]


def read_iod_workbook(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> pd.DataFrame:
    """Every domain sheet of the summaries workbook as long rows (district x domain), once the file is checked
    against `limits` (`pipeline.safe_files`)."""
    from openpyxl import load_workbook

    check_readable(path, limits)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is not a workbook
        raise InputFileError(
            path, f"not a readable Excel workbook ({exc})", expected="the IoD local-authority summaries .xlsx"
        ) from exc
    records: list[dict[str, object]] = []
    try:
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = [str(cell).strip() if cell is not None else "" for cell in next(rows, ())]
            if not header or not header[0].lower().startswith("local authority district code"):
                continue  # the Notes sheet
            year = re.search(r"\((\d{4})\)", header[0])
            columns = {}
            for position, heading in enumerate(header[2:], start=2):
                domain, _, measure = heading.rpartition(" - ")
                if header_key(measure) in MEASURES:
                    columns[position] = (DOMAINS.get(domain.strip(), domain.strip()), MEASURES[header_key(measure)])
            if not columns:
                raise InputFileError(
                    path,
                    f"sheet {sheet.title!r} has no '<domain> - <measure>' columns",
                    row=1,
                    expected="IoD summary headings",
                )
            for number, row in enumerate(rows, start=2):
                if not row or row[0] in (None, ""):
                    continue
                by_domain: dict[str, dict[str, object]] = {}
                for position, (domain, measure) in columns.items():
                    value = row[position] if position < len(row) else None
                    by_domain.setdefault(domain, {})[measure] = None if value is None else str(value)
                for domain, values in by_domain.items():
                    records.append(
                        {
                            "lad_code": str(row[0]),
                            "lad_name": str(row[1]),
                            "index_domain": domain,
                            **values,
                            "year": year.group(1) if year else None,
                            "sheet": sheet.title,
                            "source_row": number,
                        }
                    )
    finally:
        workbook.close()
    if not records:
        raise InputFileError(path, "no district rows found", expected="the IoD local-authority summaries workbook")
    return pd.DataFrame.from_records(records).reindex(columns=COLUMNS)
