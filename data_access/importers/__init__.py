"""Importers: every source goes through one validated, atomic, undoable path.

``reading`` turns files into rows, ``base`` holds row errors, reports and the Importer contract,
``pipeline`` validates and writes in one transaction with an import run, ``undo`` undoes a run,
``bundle`` loads a folder of interchange CSV files. See ``pipeline``'s docstring to add a source.
"""
