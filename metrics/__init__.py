"""Every indicator of the dashboard, computed in the database (no streamlit here)."""
