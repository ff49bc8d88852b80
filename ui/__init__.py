"""Streamlit glue shared by the pages: context (settings, engine), scope bar, formatting."""
