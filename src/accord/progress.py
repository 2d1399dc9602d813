"""The progress callback long jobs accept: ``progress(label, done, total)``.

Called as work advances (after each batch or table); the CLI draws it as bars, or as one
plain line per label when its output is not a terminal.
"""

from collections.abc import Callable

Progress = Callable[[str, int, int], None]
