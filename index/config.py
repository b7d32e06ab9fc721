"""Settings for everything that shapes the index.

``qa.settings.Settings`` extends this class, so one object flows from the edge (CLI, UI,
API constructor) down through every stage. Values come from defaults, then ``QA_*``
environment variables, then explicit keyword arguments (the CLI passes its flags that way).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.formats.fields import FieldNames

CHUNKER_VERSION = "s1"
"""Bump when chunking logic changes, so old vectors live in a differently named collection."""


class IndexSettings(BaseSettings):
    """Where the corpus and index live and how text becomes vectors."""

    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore", frozen=True)

    corpus_dir: Path = Field(
        Path("seeds"), description="Folder of articles (.txt .md .html .htm .jsonl .csv)."
    )
    data_dir: Path = Field(Path(".qa"), description="Working dir: Chroma files, caches.")
    chroma_url: str | None = Field(None, description="http://host:port of a Chroma server.")
    embed_backend: str = Field("minilm", description="Embedder registry name.")
    embed_batch_size: int = Field(64, ge=1, le=4096)
    chunk_tokens: int = Field(200, ge=16, le=2048, description="cl100k tokens per chunk.")
    chunk_overlap: int = Field(40, ge=0, le=1024, description="Overlap tokens (whole sentences).")
    max_file_bytes: int = Field(
        2_000_000,
        ge=1,
        description="Larger .txt/.md files are refused, and so is any article whose text is "
        "larger (an export row, a web page's main text); 2 MB by default.",
    )
    max_page_bytes: int = Field(
        10_000_000,
        ge=1,
        description="Larger .html/.htm files are refused (10 MB: saved pages carry scripts and "
        "styles besides the article).",
    )
    max_export_bytes: int = Field(
        200_000_000,
        ge=1,
        description="Larger .jsonl/.csv exports are refused (200 MB: many articles per file).",
    )
    id_fields: str = Field("id", description="Export/front matter keys for the article id.")
    title_fields: str = Field("title", description="Keys for the title, first present wins.")
    text_fields: str = Field("text,body,content", description="Keys for the article text.")
    date_fields: str = Field(
        "published,date,publish_date", description="Keys for the publication date."
    )
    url_fields: str = Field("url", description="Keys for the link to the original.")
    source_fields: str = Field("source", description="Keys for the source (site, agency).")
    author_fields: str = Field("author", description="Keys for the author.")

    def field_names(self) -> FieldNames:
        """The export and front matter keys, each setting split at commas.

        >>> IndexSettings(text_fields="story, text").field_names().text
        ('story', 'text')
        """
        return FieldNames.parse(
            id=self.id_fields,
            title=self.title_fields,
            text=self.text_fields,
            published=self.date_fields,
            url=self.url_fields,
            source=self.source_fields,
            author=self.author_fields,
        )

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    def collection_name(self, model_id: str) -> str:
        """Name of the chunk collection: everything that changes the vectors is in it.

        >>> IndexSettings().collection_name("all-MiniLM-L6-v2")
        'chunks__all-minilm-l6-v2__t200__o40__s1'
        """
        model = "".join(c if c.isalnum() or c in "-_" else "-" for c in model_id.lower())
        name = f"chunks__{model}__t{self.chunk_tokens}__o{self.chunk_overlap}__{CHUNKER_VERSION}"
        return name[:63]


def set_offline_env() -> None:
    """Make every library we use stay offline; call before any model or tokenizer loads.

    Existing values are kept, so a user can still opt in to a hub on purpose.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    if "TIKTOKEN_CACHE_DIR" not in os.environ:
        import importlib.util

        spec = importlib.util.find_spec("llama_index.core")
        if spec and spec.submodule_search_locations:
            base = Path(next(iter(spec.submodule_search_locations)))
            os.environ["TIKTOKEN_CACHE_DIR"] = str(base / "_static" / "tiktoken_cache")
