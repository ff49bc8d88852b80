"""``python -m bench`` (``make bench``): demo scales that fit in a few minutes, then metric speed.

Apart from the test suite on purpose: speed is measured and printed, never asserted.
"""

from bench import demo_scales, metrics_speed

if __name__ == "__main__":
    demo_scales.main(["--scales", "creuse", "large"])
    metrics_speed.main(["--scale", "large"])
