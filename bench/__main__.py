"""``python -m bench`` (``make bench``): the demo scales that fit in a few minutes."""

from bench.demo_scales import main

if __name__ == "__main__":
    main(["--scales", "creuse", "large"])
