"""Statements in: read a text, Markdown or saved web page, find its heading, date and
body, split the body into sentences and propose the pledges in it.

Everything here only reads and proposes; `tracker.services.import_statement` writes.
"""
