"""Progress displays: shown to a person in JupyterLab, never stored in a notebook's outputs."""

import os

ENV_VAR = "NNBOOK_PROGRESS"


def progress_enabled():
    """True unless the environment variable NNBOOK_PROGRESS is "0".

    The output re-executor and the tests set it to "0", so progress bars never
    reach the stored outputs.
    """
    return os.environ.get(ENV_VAR, "1") != "0"
