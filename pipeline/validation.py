"""Validate a staging frame against its pandera model, splitting it into valid rows and quarantined rows.

Row-level failures (a value that cannot be coerced, a value out of range, a duplicate key) send that row
to quarantine with every reason found, naming the column, the check and the offending value. Failures
of the table as a whole (a required column missing) raise, because no row of such a frame can be trusted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.errors
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.warehouse import sql_literal


class Lineage(pa.DataFrameModel):
    """Where a row came from: the columns every table read from a file carries."""

    source_file: Series[str] = pa.Field(description="File the row came from, relative to the raw drop zone")
    source_row: Series[int] = pa.Field(
        ge=1,
        description="Where the record is in the source file: the line it starts on (the response's position, for survey exports)",
        coerce=True,
    )


def with_model_types(frame: pd.DataFrame, model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """An empty frame with each of the model's columns cast to the model's type; any other frame unchanged.

    A table with no rows (a programme without inequality breakdowns, a template drop zone without survey
    waves) gives pandas nothing to infer types from, so its columns arrive as `object` and fail the model.
    """
    if not frame.empty:
        return frame
    columns = model.to_schema().columns
    return frame.astype({name: columns[name].dtype.type for name in frame.columns if name in columns})


def validate_mart(frame: pd.DataFrame, model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """`model.validate(frame)`, an empty frame first given the model's column types."""
    return model.validate(with_model_types(frame, model))


class SchemaValidationError(ValueError):
    """A whole table failed its schema (for example a required column is missing)."""


@dataclass(frozen=True)
class Validated:
    """The outcome of validating one frame: rows that passed (coerced) and rows set aside with reasons."""

    valid: pd.DataFrame
    quarantined: pd.DataFrame

    @classmethod
    def passing(cls, frame: pd.DataFrame) -> Validated:
        """A frame not yet rejected by anything, for checks that run before the schema."""
        return cls(frame.reset_index(drop=True), _empty_quarantine())


def _reason(column: str, check: str, value: object) -> str | None:
    value = value.item() if isinstance(value, np.generic) else value  # 1, not np.int64(1)
    if check.startswith("dtype("):
        return None  # always accompanies the coerce_dtype failure, which says it better
    if check.startswith("coerce_dtype("):
        return f"column {column!r}: {value!r} is not a valid {check[len('coerce_dtype(') : -1].strip(chr(39))}"
    return f"column {column!r}: {value!r} failed {check}"


def _reasons_by_row(failure_cases: pd.DataFrame) -> dict[int, list[str]]:
    reasons: dict[int, list[str]] = {}
    duplicate_keys: dict[int, list[str]] = {}  # a composite key fails once per column; say it once per row
    for case in failure_cases.itertuples(index=False):
        row = int(case.index)
        if case.check in ("multiple_fields_uniqueness", "field_uniqueness"):
            duplicate_keys.setdefault(row, []).append(f"{case.column}={case.failure_case!r}")
        elif reason := _reason(str(case.column), str(case.check), case.failure_case):
            reasons.setdefault(row, []).append(reason)
    for row, parts in duplicate_keys.items():
        reasons.setdefault(row, []).append(f"duplicate key {', '.join(parts)}")
    return reasons


def validate_frame(frame: pd.DataFrame, model: type[pa.DataFrameModel], max_passes: int = 3) -> Validated:
    """Validate `frame` lazily against `model`; return coerced valid rows and quarantined rows.

    Quarantined rows keep their lineage (`source_file`, `source_row` when the frame has them), the
    reasons joined by '; ' and the original record as JSON, so nothing good is lost and nothing bad
    passes silently. A value that cannot be coerced makes later checks on its column fail as a whole,
    so rows are set aside pass by pass until what is left validates or only table-level errors remain.
    """
    frame = _read_boolean_text(frame.reset_index(drop=True), model)
    schema = _schema_for(frame, model)
    remaining = frame
    reasons: dict[int, list[str]] = {}
    for _ in range(max_passes):
        try:
            valid = schema.validate(remaining, lazy=True)
            break
        except pandera.errors.SchemaErrors as errors:
            cases = errors.failure_cases
            row_level = cases[cases["index"].notna()]
            if row_level.empty:
                raise SchemaValidationError(_describe_table_errors(model, cases)) from errors
            for row, row_reasons in _reasons_by_row(row_level).items():
                reasons.setdefault(row, []).extend(row_reasons)
            remaining = remaining.drop(index=row_level["index"].astype(int).unique())
    else:
        valid = schema.validate(remaining, lazy=True)

    bad = frame.loc[sorted(reasons)]
    quarantined = quarantine_rows(bad, ["; ".join(reasons[i]) for i in bad.index])
    return Validated(valid.reset_index(drop=True), quarantined)


def _schema_for(frame: pd.DataFrame, model: type[pa.DataFrameModel]) -> pa.DataFrameSchema:
    """The model's schema, reading a nullable boolean column held as pandas' nullable `boolean` dtype (as
    DuckDB returns a BOOLEAN column with NULLs) as the nullable boolean the model declares."""
    schema = model.to_schema()
    held_as_boolean = {
        name: {"dtype": pd.BooleanDtype()}
        for name, column in schema.columns.items()
        if column.nullable
        and str(column.dtype) == "bool"
        and name in frame
        and isinstance(frame[name].dtype, pd.BooleanDtype)
    }
    return schema.update_columns(held_as_boolean) if held_as_boolean else schema


_BOOLEAN_TEXT = {"true": True, "yes": True, "y": True, "1": True, "false": False, "no": False, "n": False, "0": False}


def _read_boolean_text(frame: pd.DataFrame, model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """Read true/false, yes/no and 1/0 text in boolean columns (pandas would call any non-empty text True)."""
    frame = frame.copy()
    for name, column in model.to_schema().columns.items():
        if name in frame and str(column.dtype) in ("bool", "boolean") and frame[name].dtype == object:
            text = frame[name].map(lambda v: v.strip().lower() if isinstance(v, str) else v)
            frame[name] = text.map(lambda v: _BOOLEAN_TEXT.get(v, v) if isinstance(v, str) else v)
    return frame


def _describe_table_errors(model: type[pa.DataFrameModel], cases: pd.DataFrame) -> str:
    problems = "; ".join(f"{row.check} on {row.column}: {row.failure_case}" for row in cases.itertuples(index=False))
    return f"{model.__name__} rejected the whole table: {problems}"


def _empty_quarantine() -> pd.DataFrame:
    return quarantine_rows(pd.DataFrame(), [])


def quarantine_rows(frame: pd.DataFrame, reasons: list[str]) -> pd.DataFrame:
    """Quarantine records of `frame`, one reason each, keeping their lineage and the record as JSON."""
    records = frame.reset_index(drop=True)
    missing = pd.Series([None] * len(records), dtype="object")
    return pd.DataFrame(
        {
            "source_file": (records["source_file"] if "source_file" in records else missing).astype("string"),
            "source_row": pd.to_numeric(records["source_row"] if "source_row" in records else missing).astype("Int64"),
            "reason": pd.Series(list(reasons), dtype="string"),
            "record": pd.Series(
                [json.dumps(r, default=str) for r in records.to_dict(orient="records")], dtype="string"
            ),
        }
    )


def _concat_quarantine(*parts: pd.DataFrame) -> pd.DataFrame:
    kept = [part for part in parts if not part.empty]
    return pd.concat(kept, ignore_index=True) if kept else _empty_quarantine()


def reject_where(result: Validated, mask: pd.Series, reasons: list[str]) -> Validated:
    """Move the valid rows where `mask` holds to quarantine, one reason each (for checks across tables)."""
    frame = result.valid
    rejected = quarantine_rows(frame[mask], reasons)
    return Validated(frame[~mask].reset_index(drop=True), _concat_quarantine(result.quarantined, rejected))


def reject_unknown(
    result: Validated, column: str, known: set[str], reason: str, applies: pd.Series | None = None
) -> Validated:
    """Quarantine valid rows whose `column` is not among `known`; `reason` is formatted with the `value`, and
    the column is named before it, as validation names it.

    `applies` limits the check to some rows (for example only scored items need a scale).
    """
    unknown = ~result.valid[column].isin(known)
    if applies is not None:
        unknown &= applies
    reasons = [f"column {column!r}: " + reason.format(value=value) for value in result.valid.loc[unknown, column]]
    return reject_where(result, unknown, reasons)


def revalidate(result: Validated, model: type[pa.DataFrameModel]) -> Validated:
    """Validate the rows that passed earlier checks against `model`, keeping the earlier quarantine."""
    columns = [c for c in model.to_schema().columns if c in result.valid.columns]
    again = validate_frame(result.valid[columns], model)
    return Validated(again.valid, _concat_quarantine(result.quarantined, again.quarantined))


# --- Large tables: SQL finds the rows a model could reject, pandera judges only those -------------------


def _sql_literal(value: object) -> str:
    """A check's bound (from a model in this repository, never from a file) as a SQL literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return sql_literal(str(value))


def _check_condition(column: str, name: str, statistics: dict) -> str | None:
    """SQL that holds where a value passes a pandera built-in check, or None for a check with no SQL form."""
    v = statistics
    comparisons = {
        "greater_than_or_equal_to": lambda: f"{column} >= {_sql_literal(v['min_value'])}",
        "greater_than": lambda: f"{column} > {_sql_literal(v['min_value'])}",
        "less_than_or_equal_to": lambda: f"{column} <= {_sql_literal(v['max_value'])}",
        "less_than": lambda: f"{column} < {_sql_literal(v['max_value'])}",
        "equal_to": lambda: f"{column} = {_sql_literal(v['value'])}",
        "not_equal_to": lambda: f"{column} <> {_sql_literal(v['value'])}",
        "in_range": lambda: (
            f"{column} {'>=' if v['include_min'] else '>'} {_sql_literal(v['min_value'])} AND "
            f"{column} {'<=' if v['include_max'] else '<'} {_sql_literal(v['max_value'])}"
        ),
        "isin": lambda: f"{column} IN ({', '.join(_sql_literal(x) for x in v['allowed_values'])})",
        "notin": lambda: f"{column} NOT IN ({', '.join(_sql_literal(x) for x in v['forbidden_values'])})",
        "str_startswith": lambda: f"starts_with({column}, {_sql_literal(v['string'])})",
        "str_endswith": lambda: f"ends_with({column}, {_sql_literal(v['string'])})",
        # pandas' str.match anchors at the start (Python's re.match); str.contains searches anywhere.
        "str_matches": lambda: f"regexp_matches({column}, {_sql_literal('^(?:' + v['pattern'] + ')')})",
        "str_contains": lambda: f"regexp_matches({column}, {_sql_literal(v['pattern'])})",
        "str_length": lambda: " AND ".join(
            [f"length({column}) = {v['exact_value']}"] * (v.get("exact_value") is not None)
            + [f"length({column}) >= {v['min_value']}"] * (v.get("min_value") is not None)
            + [f"length({column}) <= {v['max_value']}"] * (v.get("max_value") is not None)
            or ["true"]
        ),
    }
    return comparisons[name]() if name in comparisons else None


def suspect_rows_sql(model: type[pa.DataFrameModel], quote=lambda name: '"' + name.replace('"', '""') + '"') -> str:
    """A SQL condition that holds for every row `model` could reject on the row's own values.

    That is a required value that is NULL (or NaN, in a float column), or a value failing one of the
    column's built-in checks (pandera skips NULLs in checks, and so does this). The condition may also hold
    for rows the model accepts (SQL's regular expressions are RE2, stricter than Python's for Unicode
    classes and line ends), never the other way round, and it is never NULL: a row where it is false
    passes every column check. Rows sharing a unique key are not covered (see `unique_keys`). A model with
    a dataframe-wide check, or a column check with no SQL form, raises ValueError rather than be half
    checked: validate such a table with `validate_frame`.
    """
    schema = model.to_schema()
    if schema.checks:
        raise ValueError(f"{model.__name__} has dataframe-wide checks, which have no SQL form")
    conditions = []
    for name, column in schema.columns.items():
        sql = quote(name)
        missing = f"{sql} IS NULL" + (f" OR isnan({sql})" if str(column.dtype).startswith("float") else "")
        if not column.nullable:
            conditions.append(missing)
        for check in column.checks:
            passes = _check_condition(sql, check.name, check.statistics)
            if passes is None or not check.ignore_na:
                raise ValueError(f"{model.__name__}.{name}: check {check.name} has no SQL form")
            conditions.append(f"({sql} IS NOT NULL AND NOT coalesce({passes}, false))")
    return f"coalesce({' OR '.join(f'({c})' for c in conditions) or 'false'}, true)"


def unique_keys(model: type[pa.DataFrameModel]) -> list[list[str]]:
    """The column sets `model` requires to be unique: the schema's `unique` and each `unique=True` field."""
    schema = model.to_schema()
    keys = [[schema.unique] if isinstance(schema.unique, str) else list(schema.unique)] if schema.unique else []
    return keys + [[name] for name, column in schema.columns.items() if column.unique]
