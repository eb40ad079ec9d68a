"""Ingest: crawl the source site into a snapshot and parse it into case studies.

Nothing here knows about models or indexes (cutting case studies into passages is the index's:
`casebook.index.text.chunking`).
"""
