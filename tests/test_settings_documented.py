"""Every setting is documented (description, README), and settings are the only way in."""

from pathlib import Path

import accord
from accord.config import Settings

README = Path(__file__).parent.parent / "README.md"


def test_every_setting_has_a_description():
    missing = [name for name, f in Settings.model_fields.items() if not f.description]
    assert missing == []


def test_every_setting_is_in_the_readme():
    text = README.read_text()
    missing = [n for n in Settings.model_fields if f"ACCORD_{n.upper()}" not in text]
    assert missing == []


def test_the_environment_is_read_only_through_the_settings():
    source = Path(accord.__file__).parent
    readers = [
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if "os.environ" in path.read_text() or "getenv(" in path.read_text()
    ]
    assert readers == []
