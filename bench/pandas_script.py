"""The pandas contestant: the survey path as an analyst would script it with pandas and pandera.

For each wave's Qualtrics export: read_csv (dropping the question-text and ImportId header rows), melt
the item columns to long form, map each answer (label or code) to its score on the item's scale
(reverse-coded items reversed, don't know empty, off-scale answers and partnerships outside the programme
left out), validate the long table with a pandera schema, then group to construct means per wave x
partnership (the mean of respondents' construct scores, with n and SD) and response counts per wave x
partnership x stakeholder group, validated too. One wave at a time, read in blocks of respondents: melting
a national wave whole would not fit in memory.

    python bench/pandas_script.py DATA_DIR OUT_DIR
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

CHUNK_ROWS = 200_000  # respondents read at a time


def import_ids(path: Path) -> dict[str, str]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = csv.reader(handle)
        tags, _, ids = next(rows), next(rows), next(rows)
    return {tag: json.loads(cell)["ImportId"] for tag, cell in zip(tags, ids, strict=True)}


def main(data_dir: Path, out_dir: Path) -> dict[str, object]:
    out_dir.mkdir(parents=True, exist_ok=True)
    reference = data_dir / "reference"
    instrument = pd.read_csv(reference / "survey_instrument.csv", dtype=str)
    items = instrument[(instrument["role"] == "item") & (instrument["tool"] == "qualtrics")].copy()
    items["reverse"] = items["reverse_coded"] == "true"
    scales = pd.read_csv(reference / "likert_scales.csv", dtype={"label": str, "code": str})
    scored = scales.dropna(subset=["score"])
    answer_scores = pd.concat(
        [
            scored.assign(answer=scored["label"].str.lower())[["scale_id", "answer", "score"]],
            scored.assign(answer=scored["code"])[["scale_id", "answer", "score"]],
        ]
    ).drop_duplicates()
    reverse_sum = scored.groupby("scale_id")["score"].agg(lambda s: s.min() + s.max()).rename("reverse_sum")
    groups = pd.read_csv(reference / "stakeholder_groups.csv", dtype=str)
    group_of = {**dict(zip(groups["label"].str.lower(), groups["stakeholder_group"], strict=True))}
    group_of.update(dict(zip(groups["code"], groups["stakeholder_group"], strict=True)))
    partnerships = set(pd.read_csv(reference / "partnerships.csv", dtype=str)["partnership_id"])

    long_schema = pa.DataFrameSchema(
        {
            "respondent": pa.Column(str),
            "partnership_id": pa.Column(str, pa.Check.isin(sorted(partnerships))),
            "item_code": pa.Column(str, pa.Check.isin(sorted(items["item_code"]))),
            "construct": pa.Column(str),
            "score": pa.Column(float, pa.Check.in_range(1, 5)),
        }
    )
    means_schema = pa.DataFrameSchema(
        {
            "respondents": pa.Column(int, pa.Check.ge(1)),
            "mean": pa.Column(float, pa.Check.in_range(1, 5)),
            "sd": pa.Column(float, pa.Check.ge(0), nullable=True),
        }
    )
    counts_schema = pa.DataFrameSchema(
        {"respondents": pa.Column(int, pa.Check.ge(1)), "completed": pa.Column(int, pa.Check.ge(0))}
    )

    means, counts, scored_answers = [], [], 0
    waves = sorted((data_dir / "surveys").glob("*.csv"))
    for path in waves:
        tag_of = {import_id: tag for tag, import_id in import_ids(path).items()}
        item_columns = {tag_of[source_id]: source_id for source_id in items["source_id"] if source_id in tag_of}
        respondent_parts, count_parts = [], []
        # A national wave melted whole is tens of GB: read it a block of respondents at a time (a respondent's
        # answers are one row, so their construct scores are complete within a block).
        for frame in pd.read_csv(path, skiprows=[1, 2], dtype=str, encoding="utf-8-sig", chunksize=CHUNK_ROWS):
            frame = frame.rename(
                columns={
                    tag_of["externalDataReference"]: "respondent",
                    tag_of["partnership_id"]: "partnership_id",
                    tag_of["QID3"]: "group_answer",
                    tag_of["finished"]: "finished_answer",
                }
            )
            frame = frame[frame["partnership_id"].isin(partnerships)]
            long = frame.melt(
                id_vars=["respondent", "partnership_id"],
                value_vars=list(item_columns),
                var_name="column",
                value_name="answer",
            ).dropna(subset=["answer"])
            long["source_id"] = long["column"].map(item_columns)
            long = long.merge(items[["source_id", "item_code", "construct", "scale_id", "reverse"]], on="source_id")
            long["answer"] = long["answer"].str.strip().str.lower()
            long = long.merge(answer_scores, on=["scale_id", "answer"])
            long = long.merge(reverse_sum, left_on="scale_id", right_index=True)
            long["score"] = np.where(long["reverse"], long["reverse_sum"] - long["score"], long["score"])
            long = long_schema.validate(long[["respondent", "partnership_id", "item_code", "construct", "score"]])
            scored_answers += len(long)
            respondent_parts.append(
                long.groupby(["respondent", "partnership_id", "construct"], as_index=False)["score"].mean()
            )
            frame["stakeholder_group"] = (
                frame["group_answer"].str.strip().str.lower().map(group_of).fillna("not stated")
            )
            frame["finished"] = frame["finished_answer"].str.strip().str.lower().isin(["true", "1"])
            count_parts.append(
                frame.groupby(["partnership_id", "stakeholder_group"], as_index=False).agg(
                    respondents=("respondent", "size"), completed=("finished", "sum")
                )
            )
            del frame, long

        respondent = pd.concat(respondent_parts, ignore_index=True)
        wave_means = respondent.groupby(["partnership_id", "construct"], as_index=False)["score"].agg(
            respondents="size", mean="mean", sd="std"
        )
        means.append(means_schema.validate(wave_means).assign(wave=path.stem))
        wave_counts = (
            pd.concat(count_parts, ignore_index=True)
            .groupby(["partnership_id", "stakeholder_group"], as_index=False)[["respondents", "completed"]]
            .sum()
        )
        counts.append(counts_schema.validate(wave_counts).assign(wave=path.stem))
        del respondent, respondent_parts, count_parts

    construct_means = pd.concat(means, ignore_index=True)[
        ["wave", "partnership_id", "construct", "respondents", "mean", "sd"]
    ]
    construct_means.sort_values(["wave", "partnership_id", "construct"]).to_parquet(
        out_dir / "construct_means.parquet", index=False
    )
    response_counts = pd.concat(counts, ignore_index=True)
    return {
        "waves": len(waves),
        "respondents": int(response_counts["respondents"].sum()),
        "scored_answers": scored_answers,
        "construct_means": len(construct_means),
        "response_counts": len(response_counts),
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]))))
