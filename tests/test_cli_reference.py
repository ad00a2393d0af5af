"""The CLI reference in docs/ is generated from the parser; this keeps them in step."""
from pathlib import Path

from generator.cli_reference import render_reference

ROOT = Path(__file__).resolve().parent.parent


def test_docs_cli_reference_matches_the_help_of_every_command():
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == render_reference(), (
        "docs/cli.md is out of date: run '.venv/bin/python -m generator.cli_reference > docs/cli.md'")


def test_every_command_of_the_contract_is_documented():
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in ("init", "import-cases", "build", "check", "serve", "transcribe",
                    "subtitles import", "subtitles export", "annotate"):
        assert f"## `pufa {command}`" in text
