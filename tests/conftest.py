"""Settings every test shares.

CI runs the property and fuzz tests with a fixed seed sequence (HYPOTHESIS_PROFILE=ci): the
same broad set of cases every run, so a landing is never decided by a lucky draw; locally
they explore new cases each run.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
