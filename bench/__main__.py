"""``python -m bench`` (``make bench``): every speed figure, one run per scale and engine.

Apart from the test suite on purpose: speed is measured and printed, never asserted. See
``bench/scales.py`` for what is measured and ``bench/RESULTS.md`` for the last figures.
"""

from bench import scales

if __name__ == "__main__":
    scales.main()
