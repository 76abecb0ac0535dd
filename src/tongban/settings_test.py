"""Settings for the test suite: the normal settings with TONGBAN_ENV=test.

pytest-django imports the settings before any conftest runs, so the environment must be
set here, before tongban.config is first imported.
"""

import os

os.environ.setdefault("TONGBAN_ENV", "test")

from tongban.settings import *  # noqa: F403
