"""nnbook: the helper package of the course book *From a single neuron to deep learning on GPUs*.

Each module holds what the chapters reuse; each definition names the chapter that teaches it.
Importing the package does nothing else: no seeding, no plotting style, no prints.
"""

__version__ = "0.1.0"
