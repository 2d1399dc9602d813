"""Settings every test shares.

CI runs the property and fuzz tests with a fixed seed sequence (HYPOTHESIS_PROFILE=ci): the
same broad set of cases every run, so a landing is never decided by a lucky draw; locally
they explore new cases each run.

Passwords are hashed at a test-only cost (ACCORD_INSECURE_FAST_PASSWORD_HASHING) because the
suite creates hundreds of users; the servers and commands it starts inherit it. The tests of
the production cost ask for it explicitly.
"""

import os

from hypothesis import settings

os.environ.setdefault("ACCORD_INSECURE_FAST_PASSWORD_HASHING", "1")

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
