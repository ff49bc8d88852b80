"""Speed measurements kept apart from the tests (``make bench``); they print, never assert."""
