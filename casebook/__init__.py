"""Casebook: search and question answering over London's social prescribing case studies."""

__version__ = "0.1.0"
