"""Ingest: crawl the source site into a snapshot, parse it into case studies, chunk them.

Nothing here knows about models or indexes.
"""
