"""Derived search indexes (dense in Chroma, lexical BM25), rebuildable from the corpus."""
