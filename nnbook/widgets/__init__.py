"""Interactive widgets of the book, one module each, in three layers:
``compute_*`` (pure, validated), ``plot_*(result, ax=None) -> Axes`` and ``*_widget()``
(builds the ipywidgets controls and calls the two others)."""
