"""The code's layout keeps its rules: one room per source, no import loops, the dependency rule, settings
read in one place, SQL in `.sql` files."""

from __future__ import annotations

import ast
import re

from pipeline.settings import PROJECT_ROOT

PACKAGES = ("pipeline", "assets")
SOURCES = ("reference", "surveys", "codings", "outcomes", "mapping", "comparison")


def modules() -> dict[str, ast.Module]:
    found = {}
    for package in PACKAGES:
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts).removesuffix(".__init__")
            found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def imports() -> dict[str, set[str]]:
    """Each project module and the project modules it imports (a package's submodule counts as itself)."""
    trees = modules()
    graph: dict[str, set[str]] = {name: set() for name in trees}
    for name, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES:
                targets = [f"{node.module}.{alias.name}" for alias in node.names]
                graph[name] |= {t for t in targets if t in trees} or {node.module}
            elif isinstance(node, ast.Import):
                graph[name] |= {alias.name for alias in node.names if alias.name.split(".")[0] in PACKAGES}
    return {name: {t for t in targets if t in trees and t != name} for name, targets in graph.items()}


def test_no_module_imports_itself_through_others():
    graph = imports()
    loops = []

    def visit(module: str, path: list[str]) -> None:
        for target in graph[module]:
            if target in path:
                loops.append(" -> ".join(path[path.index(target) :] + [target]))
            elif len(path) < 30:
                visit(target, [*path, target])

    for module in graph:
        visit(module, [module])
    assert loops == []


def test_assets_import_pipeline_and_only_the_code_location_imports_assets():
    graph = imports()
    importing_assets = {
        m for m, targets in graph.items() if m.startswith("pipeline") and any(t.startswith("assets") for t in targets)
    }
    assert importing_assets <= {"pipeline.definitions", "pipeline.cli"}
    methods = {m: t for m, t in graph.items() if m.startswith("pipeline.methods")}
    assert {m: t for m, t in methods.items() if any(not x.startswith("pipeline.methods") for x in t)} == {}


def test_each_source_has_its_own_room_and_assets_module():
    for source in SOURCES:
        assert (PROJECT_ROOT / "pipeline" / source / "schemas.py").exists() or source == "comparison"
        assert (PROJECT_ROOT / "assets" / f"{source}.py").exists()


def test_only_the_settings_module_reads_the_environment():
    readers = []
    for name, tree in modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and name != "pipeline.settings":
                if not (
                    name == "pipeline.cli" and isinstance(node.ctx, ast.Load) and _is_assignment_target(tree, node)
                ):
                    readers.append(name)
    assert sorted(set(readers)) == []


def _is_assignment_target(tree: ast.Module, attribute: ast.Attribute) -> bool:
    """`os.environ[...] = ...`: the command line tells Dagster where its instance is; it reads nothing."""
    return any(
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Subscript) and t.value is attribute for t in node.targets)
        for node in ast.walk(tree)
    )


def test_sql_lives_in_sql_files_and_no_query_reads_a_python_variable_by_name():
    offenders = []
    for package in PACKAGES:
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.name}: {m}" for m in re.findall(r"^([A-Z_]+_SQL) = ", text, re.MULTILINE)]
            offenders += [f"{path.name}: noqa F841" for _ in re.findall(r"noqa: F841", text)]
    assert offenders == []
    for sql in (PROJECT_ROOT / "pipeline").rglob("sql/*.sql"):
        assert sql.read_text(encoding="utf-8").strip(), f"{sql} is empty"


# A tag, not a placeholder such as `quarantine.<table>` in a message.
HTML_TAG = re.compile(
    r"(?<![./\w])</?(html|head|body|title|meta|style|script|nav|h[1-6]|p|a|img|figure|div|span|table|tr|td|th|br)\b",
    re.I,
)
MARKUP_CALLS = {"Markup", "md", "html", "fmt_markdown", "fmt_units", "unescape"}  # text read as markup


def test_pages_are_templates_and_data_never_becomes_markup():
    """No HTML in Python strings (f-strings included): pages are autoescaped Jinja2 templates in
    pipeline/reports/templates/. Only the one helper passes markup through: great-tables' own table, whose
    text great-tables escapes; nothing hands text to great-tables as Markdown, HTML or units."""
    tags, calls = [], []
    for name, tree in modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and HTML_TAG.search(node.value):
                tags.append(f"{name}: {node.value[:60]!r}")
            if isinstance(node, ast.Call):
                called = ast.unparse(node.func).removeprefix("dg.")
                if called.rsplit(".", 1)[-1] in MARKUP_CALLS and called != "MetadataValue.md":  # Dagster's UI
                    calls.append(f"{name}: {called}()")
            if isinstance(node, ast.keyword) and node.arg == "autoescape":
                assert isinstance(node.value, ast.Constant) and node.value.value is True, name
    assert tags == []
    assert calls == ["pipeline.reports.evaluation_report: Markup()"]
    from pipeline.reports.evaluation_report import PAGES

    assert PAGES.autoescape is True
    templates = PROJECT_ROOT / "pipeline" / "reports" / "templates"
    assert {p.name for p in templates.glob("*.html")} >= {"base.html", "evaluation_report.html", "case_study.html"}
    for template in templates.glob("*.html"):
        assert "|safe" not in template.read_text().replace(" ", ""), template  # nothing bypasses autoescaping
