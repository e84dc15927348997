"""Documents in: every file format read into text, with provenance back to the source.

``runner.convert_document()`` picks a converter by content (``registry``), runs it in a
worker process with limits, and returns a ``base.Document``; ``provenance`` maps the
normalised text back to pages, paragraphs, table cells and lines.
"""
