"""Index: embed passages, build and load the dense + lexical index, and answer queries."""
