"""The chat page: a thin Gradio adapter over ``qa.Assistant``.

>>> from qa import Assistant, Settings                      # doctest: +SKIP
>>> build_app(Assistant(Settings())).launch()               # doctest: +SKIP

``serve(settings)`` is what ``qa chat`` calls: it builds the Assistant (and the index when
missing), prints the address and serves on ``settings.host:settings.port`` (127.0.0.1:7860
unless QA_HOST/QA_PORT say otherwise). No answering logic lives here: every question goes to
``Assistant.stream`` and every article to ``Assistant.add_article``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import gradio as gr

from index.config import set_offline_env
from index.errors import UserError
from qa.settings import Settings
from qa.types import Answer
from ui.corpus import HEADERS, corpus_rows, corpus_summary, example_questions, read_upload
from ui.render import CSS, esc, render_answer, render_error, render_partial, render_pending

if TYPE_CHECKING:
    from qa.assistant import Assistant

log = logging.getLogger(__name__)

CONCURRENCY = 16
"""Questions answered at once (the Assistant is thread-safe); more wait in the queue."""
QUEUE_SIZE = 256
GENERIC_ERROR = "Something went wrong while answering; the details are in the server log."

SYSTEM_FONTS = ["ui-sans-serif", "system-ui", "Segoe UI", "Roboto", "Helvetica Neue", "sans-serif"]
THEME = gr.themes.Soft(
    font=SYSTEM_FONTS, font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"]
)
"""System fonts only: the page must not fetch web fonts (it works offline)."""

Message = dict[str, str]
Turns = list[tuple[str, str]]


def _friendly(error: Exception) -> str:
    """The message a user sees: their mistake verbatim, anything else generic (and logged)."""
    if isinstance(error, UserError | ValueError):
        return str(error)
    log.exception("unexpected error in the chat page", exc_info=error)
    return GENERIC_ERROR


def _options(
    since: str | None, until: str | None, mode: str, top_k: float, comments: bool
) -> dict[str, Any]:
    return {
        "since": (since or "").strip() or None,
        "until": (until or "").strip() or None,
        "mode": mode or None,
        "top_k": int(top_k),
        "allow_comments": bool(comments),
    }


def build_app(assistant: Assistant, examples: Sequence[str] | None = None) -> gr.Blocks:
    """The page: an Ask tab (chat, sources, options, examples) and an Articles tab."""
    if examples is None:
        examples = example_questions(assistant.snapshot())
    examples = list(examples)
    settings = assistant.settings

    def respond(
        message: str,
        chat: list[Message] | None,
        turns: Turns | None,
        since: str,
        until: str,
        mode: str,
        top_k: float,
        comments: bool,
    ) -> Iterator[tuple[str, list[Message], list[Message], Turns]]:
        """Stream one answer into the chat; the conversation lives in server-side state."""
        chat = list(chat or [])
        turns = list(turns or [])
        question = (message or "").strip()
        if not question:
            gr.Warning("Type a question about the articles first.")
            yield message, chat, chat, turns
            return
        chat.append({"role": "user", "content": esc(question)})
        chat.append({"role": "assistant", "content": render_pending()})
        yield "", chat, chat, turns
        try:
            opts = _options(since, until, mode, top_k, comments)
            answer: Answer | None = None
            for item in assistant.stream(question, history=turns, **opts):
                if isinstance(item, Answer):
                    answer = item
                else:
                    chat[-1] = {"role": "assistant", "content": render_partial(item)}
                    yield "", chat, chat, turns
            if answer is None:
                raise RuntimeError("the assistant's stream ended without an Answer")
            html = render_answer(answer, assistant.snapshot().articles)
            chat[-1] = {"role": "assistant", "content": html}
            turns.append((question, answer.text))
        except Exception as e:
            text = _friendly(e)
            gr.Warning(text)
            chat[-1] = {"role": "assistant", "content": render_error(text)}
        yield "", chat, chat, turns

    def check_mode(mode: str) -> str:
        if mode != "generative":
            return mode
        try:
            assistant.generator  # noqa: B018 - builds (loads) the generator once
        except Exception as e:
            gr.Warning(f"Generative answers are unavailable: {_friendly(e)}")
            return "extractive"
        return mode

    def refresh() -> tuple[list[list[str | int]], str]:
        try:
            snap = assistant.snapshot()
        except Exception as e:
            gr.Warning(_friendly(e))
            return [], "The index could not be opened."
        return corpus_rows(snap), corpus_summary(snap)

    def add(
        upload: str | None,
        title: str,
        published: str,
        pasted: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio's injection idiom
    ) -> tuple[Any, ...]:
        unchanged = (gr.skip(),) * 6
        try:
            if upload:
                text, filename = read_upload(upload, settings.max_file_bytes)
            elif (pasted or "").strip():
                text, filename = pasted, None
            else:
                gr.Warning("Choose a .txt or .md file, or paste the article's text.")
                return unchanged
            progress(0.2, desc="Saving and indexing the article…")
            article_id, _report = assistant.add_article(
                text,
                title=(title or "").strip() or None,
                published=(published or "").strip() or None,
                filename=filename,
            )
            progress(0.9, desc="Refreshing the article list…")
            snap = assistant.snapshot()
        except Exception as e:
            gr.Warning(_friendly(e))
            return unchanged
        article = snap.articles.get(article_id)
        name = article.title if article else article_id
        gr.Info(f"Added “{name}”: you can ask about it now.")
        return corpus_rows(snap), corpus_summary(snap), None, "", "", ""

    with gr.Blocks(title="News QA", analytics_enabled=False) as app:
        turns = gr.State([])  # [(question, answer text), ...] for follow-ups
        messages = gr.State([])  # the chat as shown; kept here so browsers don't resend it
        with gr.Column(elem_classes="qa-header"):
            gr.Markdown(
                "# News QA\n"
                "Answers come only from the articles, each with dated sources; "
                "when the articles don't say, the page says so."
            )
            summary = gr.Markdown(elem_classes="qa-summary")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"), gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        label="Conversation",
                        show_label=False,
                        height=640,
                        sanitize_html=True,
                        render_markdown=True,
                        line_breaks=False,
                        feedback_options=None,
                        buttons=["copy"],
                        placeholder=(
                            "Ask about the articles. Each answer lists its sources; "
                            "click one to read the whole article."
                        ),
                        elem_id="qa-chat",
                    )
                    with gr.Row(equal_height=True):
                        question = gr.Textbox(
                            label="Question",
                            placeholder="Ask a question about the articles…",
                            show_label=False,
                            lines=1,
                            max_lines=4,
                            scale=8,
                            autofocus=True,
                            elem_id="qa-question",
                        )
                        send = gr.Button("Ask", variant="primary", scale=1, min_width=80)
                        clear = gr.Button(
                            "Clear", variant="secondary", scale=1, min_width=80, elem_id="qa-clear"
                        )
                    example_buttons = []
                    if examples:
                        with gr.Row(elem_classes="qa-examples"):
                            gr.HTML('<span class="qa-try">Try:</span>')
                            example_buttons = [
                                gr.Button(q, size="sm", variant="secondary") for q in examples
                            ]
                with gr.Column(scale=1, min_width=240):
                    gr.Markdown("### Options")
                    since = gr.Textbox(
                        label="From date",
                        placeholder="YYYY, YYYY-MM or YYYY-MM-DD",
                    )
                    until = gr.Textbox(
                        label="To date",
                        placeholder="YYYY, YYYY-MM or YYYY-MM-DD",
                    )
                    mode = gr.Radio(
                        choices=[
                            ("Extractive: quotes the articles", "extractive"),
                            ("Generative: local model, slower", "generative"),
                        ],
                        value=settings.mode,
                        label="Answer mode",
                    )
                    top_k = gr.Slider(
                        1, 20, value=settings.top_k, step=1, label="Number of sources"
                    )
                    comments = gr.Checkbox(
                        value=settings.allow_comments,
                        label="Search reader comments too (shown as opinion)",
                    )
            with gr.Tab("Articles", id="articles") as articles_tab:
                table = gr.Dataframe(
                    elem_id="qa-articles",
                    headers=HEADERS,
                    datatype=["str", "str", "number", "number", "str"],
                    interactive=False,
                    wrap=True,
                    label="Indexed articles",
                    column_widths=["46%", "14%", "10%", "12%", "18%"],
                )
                gr.Markdown(
                    "### Add an article\n"
                    f"Upload a .txt or .md file (UTF-8, at most {settings.max_file_bytes:,} "
                    "bytes) or paste the text. Title and date are optional: without them they "
                    "are read from the text. It can be asked about as soon as it is added."
                )
                with gr.Row():
                    upload = gr.File(
                        label="Article file (.txt or .md)",
                        file_types=[".txt", ".md"],
                        type="filepath",
                        elem_id="qa-upload",
                    )
                    with gr.Column():
                        new_title = gr.Textbox(label="Title (optional)")
                        new_date = gr.Textbox(
                            label="Published (optional)", placeholder="YYYY-MM-DD"
                        )
                pasted = gr.Textbox(label="…or paste the article text", lines=6)
                add_btn = gr.Button("Add article", variant="primary", elem_id="qa-add")

        ask_inputs = [question, messages, turns, since, until, mode, top_k, comments]
        ask_outputs = [question, chatbot, messages, turns]
        question.submit(respond, ask_inputs, ask_outputs, api_name="chat")

        def ask_json(
            question: str,
            since: str = "",
            until: str = "",
            mode: str = "extractive",
            top_k: int = 5,
            comments: bool = False,
        ) -> dict[str, Any]:
            """One question in, the answer as ``qa ask --json`` prints it (an ``error`` key
            instead when the question or an option is wrong)."""
            text = (question or "").strip()
            if not text:
                return {"error": "Type a question about the articles first."}
            try:
                answer = assistant.ask(text, **_options(since, until, mode, top_k, comments))
            except Exception as e:
                return {"error": _friendly(e)}
            return answer.to_json()

        gr.api(ask_json, api_name="ask")
        send.click(respond, ask_inputs, ask_outputs, api_visibility="private")
        for button, text in zip(example_buttons, examples, strict=True):
            button.click(
                lambda t=text: t, None, question, api_visibility="private", queue=False
            ).then(respond, ask_inputs, ask_outputs, api_visibility="private")
        reset = [chatbot, messages, turns]
        clear.click(lambda: ([], [], []), None, reset, api_visibility="private")
        chatbot.clear(lambda: ([], []), None, [messages, turns], api_visibility="private")
        mode.change(check_mode, mode, mode, api_visibility="private")

        corpus_outputs = [table, summary]
        app.load(refresh, None, corpus_outputs, api_visibility="private")
        articles_tab.select(refresh, None, corpus_outputs, api_visibility="private")
        add_btn.click(
            add,
            [upload, new_title, new_date, pasted],
            [table, summary, upload, new_title, new_date, pasted],
            api_name="add_article",
        )
    return app


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``"user:password"`` (QA_AUTH) as Gradio's auth pair; None when unset.

    >>> parse_auth("ana:s3cret:x"), parse_auth(None)
    (('ana', 's3cret:x'), None)
    """
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise UserError("QA_AUTH must look like user:password (both parts non-empty).")
    return user, password


def launch(
    app: gr.Blocks, settings: Settings, *, share: bool = False, prevent_thread_lock: bool = False
) -> str:
    """Serve ``app`` on ``settings.host:settings.port``; returns the local address.

    Only the address in settings is bound (127.0.0.1 by default); a public share link only
    when ``share`` is asked for. Uploads above ``settings.max_file_bytes`` are refused by
    the server. No user path is ever added to ``allowed_paths``.
    """
    app.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    _, local_url, _ = app.launch(
        server_name=settings.host,
        server_port=settings.port,
        share=share,
        auth=parse_auth(settings.auth),
        max_file_size=settings.max_file_bytes,
        prevent_thread_lock=prevent_thread_lock,
        quiet=True,
        show_error=False,
        footer_links=["api", "settings"],
        mcp_server=False,
        ssr_mode=False,
        pwa=False,
        css=CSS,
        theme=THEME,
    )
    return str(local_url)


def serve(settings: Settings, share: bool = False) -> None:
    """``qa chat``: build the Assistant and the index if missing, print the address, serve."""
    set_offline_env()
    parse_auth(settings.auth)  # a malformed user:password is refused before the index opens
    from qa.assistant import Assistant

    assistant = Assistant(settings)
    snap = assistant.snapshot()  # opens the index, building it from corpus_dir when missing
    log.info("serving %d articles from %s", len(snap.articles), settings.corpus_dir)
    app = build_app(assistant)
    address = f"http://{settings.host}:{settings.port}"
    print(f"News QA chat page: {address}  (Ctrl+C to stop)", flush=True)
    launch(app, settings, share=share)
