"""The indexing pipeline: files -> Article -> Chunk -> vectors in Chroma.

Stages, one module each: ``ingest`` (read files), ``formats`` (saved pages, front matter,
JSONL/CSV exports; dates by one order of trust), ``clean`` (boilerplate and reader
comments), ``dates`` (published date from the text), ``catalog`` (curated metadata),
``chunk`` (token-bounded, sentence-aligned windows), ``embed`` (embedding backends),
``store`` (Chroma), ``build`` (incremental sync of a folder into the store).

This package never imports ``qa``.
"""
