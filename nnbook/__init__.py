"""nnbook: the helper package of the course book *From a single neuron to deep learning on GPUs*.

Each module holds what the chapters reuse; each definition names the chapter that teaches it.
Importing the package does nothing else: no seeding, no plotting style, no prints.
"""

# The course's release; pyproject.toml, _config.yml and CHANGELOG.md agree (tests/test_release.py).
__version__ = "0.4.0"
