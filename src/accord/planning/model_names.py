"""The forecasting models a run may choose from, by the name statsforecast gives them.

Listed here (not in ``forecast.py``) so that parameters can be validated without importing
the forecasting library.
"""

from __future__ import annotations

REGULAR = ("AutoETS", "Theta", "AutoTheta", "AutoARIMA", "SeasonalNaive", "Naive")
SPARSE = ("CrostonOptimized", "CrostonSBA", "ADIDA", "IMAPA", "TSB")
KNOWN_MODELS = frozenset(REGULAR + SPARSE)
# Models whose prediction intervals the library computes; the others get intervals from
# their back-test errors.
NATIVE_INTERVALS = frozenset(REGULAR)
BASELINE = "SeasonalNaive"
