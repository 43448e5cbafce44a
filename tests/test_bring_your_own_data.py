"""The bring-your-own-data guide stays true: its column tables are the ones the models generate, it walks
through every reference file and folder of a template drop zone, and the README links to it."""

from __future__ import annotations

from pipeline.reference.template import FOLDERS, GENERATED_BLOCK, TEMPLATE_MODELS, fill_generated
from pipeline.settings import PROJECT_ROOT

GUIDE = PROJECT_ROOT / "docs" / "bring_your_own_data.md"


def test_the_guides_column_tables_are_generated_from_the_models():
    text = GUIDE.read_text(encoding="utf-8")
    assert text == fill_generated(text), "run: python -m pipeline.reference.template docs/bring_your_own_data.md"


def test_the_guide_covers_every_reference_file_folder_and_step():
    text = GUIDE.read_text(encoding="utf-8")
    assert sorted(match.group(2) for match in GENERATED_BLOCK.finditer(text)) == sorted(TEMPLATE_MODELS)
    for folder in FOLDERS:
        assert f"`{folder}/`" in text, folder
    for step in ("pipeline.cli init", "pipeline.cli check", "check-surveys", "pipeline.cli refresh", "settings.toml"):
        assert step in text, step
    for setting in ("coding_case_variable", "coding_source_rule", "max_quarantine_share"):
        assert setting in text, setting


def test_a_generated_block_is_rewritten_from_the_model():
    stale = "<!-- generated: columns of reference/partnerships.csv -->\nold text\n<!-- end generated -->"
    fresh = fill_generated(stale)
    assert "old text" not in fresh and "| `partnership_id` | yes |" in fresh
    assert fill_generated(fresh) == fresh


def test_the_readme_links_to_the_guide():
    assert "(docs/bring_your_own_data.md)" in (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
