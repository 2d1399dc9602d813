"""Every setting is documented: in its description and in the README's settings table."""

from pathlib import Path

from accord.config import Settings

README = Path(__file__).parent.parent / "README.md"


def test_every_setting_has_a_description():
    missing = [name for name, f in Settings.model_fields.items() if not f.description]
    assert missing == []


def test_every_setting_is_in_the_readme():
    text = README.read_text()
    missing = [n for n in Settings.model_fields if f"ACCORD_{n.upper()}" not in text]
    assert missing == []
