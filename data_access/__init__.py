"""The operational database and everything that fills it (no streamlit here)."""
