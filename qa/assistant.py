"""The public API: ``Assistant().ask(question) -> Answer``.

>>> from qa import Assistant                                    # doctest: +SKIP
>>> bot = Assistant()                                           # doctest: +SKIP
>>> bot.ask("Who met Elías Jaua in Guatemala?").citations[0].title  # doctest: +SKIP

One Assistant serves many threads: models load once, lazily; the index snapshot is immutable
and swapped atomically when the index changes, so every answer sees one consistent corpus.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.config import set_offline_env
from qa.bridge import Bridge, find_bridge, find_clause_bridge, with_bridge
from qa.components import Components
from qa.compose import Composed, Holds, Policy, compose
from qa.conversation import Turn, resolve_followup
from qa.evidence import (
    TYPED_READ,
    TYPED_TYPES,
    Evidence,
    SentenceVectors,
    Weights,
    missing_entities,
    place_stems,
    score_evidence,
    typed_cue,
)
from qa.focus import FOCUS_READ, focus, frame_found, merge, names_all, naming_chunks
from qa.interval import anchor_date, answer_interval, parse_anchor, parse_interval
from qa.namecheck import name_verdict
from qa.question import QuestionInfo, analyze, content_words, fold, stem
from qa.ranking import reorder
from qa.retrieve import Filters, HybridRetriever, bm25_search
from qa.roles import PLACE_LABELS, Role, role_scores
from qa.settings import Mode, Settings
from qa.snapshot import Snapshot, read_snapshot
from qa.timeref import human_date, sort_key
from qa.truecase import truecase, uncased
from qa.types import Answer, Hit, ShortAnswer

if TYPE_CHECKING:
    from index.build import SyncReport
    from index.embed import Embedder
    from index.store import ChunkStore
    from qa.answertype import AnswerTyper
    from qa.combine import Combiner
    from qa.entities import Entity, EntityTagger
    from qa.generate import Generator
    from qa.ranking import Decision
    from qa.rerank import Reranker
    from qa.short import Candidate
    from qa.timeframe import TenseReader

log = logging.getLogger(__name__)


class Assistant(Components):
    """Grounded question answering over the indexed articles.

    Pass fakes or alternative backends explicitly (``embedder=``, ``store=``, ``generator=``);
    otherwise they are built from ``settings`` on first use.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        store: ChunkStore | None = None,
        generator: Generator | None = None,
        build_if_missing: bool = True,
        weights: Weights | None = None,
        reranker: Reranker | None = None,
        combiner: Combiner | None = None,
        typer: AnswerTyper | None = None,
        tagger: EntityTagger | None = None,
        tenses: TenseReader | None = None,
    ) -> None:
        set_offline_env()
        super().__init__(settings or Settings(), reranker=reranker, combiner=combiner,
                         typer=typer, tagger=tagger, tenses=tenses)  # fmt: skip
        self._embedder = embedder
        self._store = store
        self._generator = generator
        self.build_if_missing = build_if_missing
        self.weights = weights or Weights()
        self._snapshot: Snapshot | None = None
        self._write_lock = threading.Lock()
        self._qcache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._vectors: SentenceVectors | None = None

    # -- the index's components, built lazily (the answering models: qa/components.py) ------
    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                from index.embed import get_embedder

                self._embedder = get_embedder(self.settings)
            return self._embedder

    @property
    def store(self) -> ChunkStore:
        with self._lock:
            if self._store is None:
                from index.store import open_store

                self._store = open_store(self.settings, self.embedder, create=self.build_if_missing)
                if self.build_if_missing and self._store.count() == 0:
                    self._sync(self.settings.corpus_dir)
            return self._store

    @property
    def generator(self) -> Generator:
        with self._lock:
            if self._generator is None:
                from qa.generate import get_generator

                self._generator = get_generator(self.settings)
            return self._generator

    def snapshot(self) -> Snapshot:
        """The current immutable view of the index (rebuilt only when the index changed)."""
        store = self.store
        generation = store.generation(max_age=self.settings.index_check_seconds)
        snap = self._snapshot
        if snap is not None and snap.generation == generation:
            return snap
        with self._lock:
            if self._snapshot is None or self._snapshot.generation != generation:
                t0 = time.perf_counter()
                exact = store.count() <= self.settings.exact_search_max_chunks
                self._snapshot = read_snapshot(store, exact)
                log.info("loaded index snapshot in %.0f ms", (time.perf_counter() - t0) * 1000)
            return self._snapshot

    # -- indexing ----------------------------------------------------------------------------
    def _sync(self, folder: Path) -> SyncReport:
        from index.build import sync

        with self._write_lock:
            assert self._store is not None
            return sync(folder, self.settings, self.embedder, self._store, progress=False)

    def index(self, folder: str | Path | None = None) -> SyncReport:
        """Bring the index in line with ``folder`` (default: the corpus dir); incremental."""
        self.store  # noqa: B018 - opens (and first-builds) the store
        return self._sync(Path(folder) if folder else self.settings.corpus_dir)

    def add_article(
        self,
        text: str,
        *,
        title: str | None = None,
        published: str | None = None,
        filename: str | None = None,
    ) -> tuple[str, SyncReport]:
        """Save an article into the corpus folder and index it; returns (article id, report).

        ``filename`` is reduced to a safe base name inside the corpus folder (no paths).
        """
        from qa.upload import save_article

        path = save_article(
            self.settings.corpus_dir,
            text,
            title=title,
            published=published,
            filename=filename,
            max_bytes=self.settings.max_file_bytes,
        )
        report = self.index()
        return path.stem, report

    # -- answering ---------------------------------------------------------------------------
    def _embed_query(self, text: str) -> np.ndarray:
        return self._embed_cached([text])[0]

    def _embed_cached(self, texts: Sequence[str]) -> np.ndarray:
        """The embedder's vectors of short texts (questions, titles), the new ones in one
        call, kept in a bounded cache (the same titles recur across questions)."""
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        with self._lock:
            found = {t: self._qcache[t] for t in texts if t in self._qcache}
            for t in found:
                self._qcache.move_to_end(t)
        todo = list(dict.fromkeys(t for t in texts if t not in found))
        if todo:
            found.update(zip(todo, self.embedder.embed(todo), strict=True))
            with self._lock:
                self._qcache.update((t, found[t]) for t in todo)
                while len(self._qcache) > 4096:
                    self._qcache.popitem(last=False)
        return np.stack([found[t] for t in texts])

    def _sentence_vectors(self) -> SentenceVectors:
        with self._lock:
            if self._vectors is None:
                self._vectors = SentenceVectors(self.embedder)
            return self._vectors

    def _clean_question(self, question: str) -> tuple[str, list[str]]:
        if not isinstance(question, str) or not any(c.isalnum() for c in question):
            # "", "   ", "?!": nothing to search for
            raise ValueError("The question is empty: type a question about the articles.")
        text = " ".join(question.split())
        notes: list[str] = []
        limit = self.settings.max_question_chars
        if len(text) > limit:
            log.warning("question truncated from %d to %d characters", len(text), limit)
            notes.append(f"question truncated to {limit} characters")
            text = text[:limit]
        return text, notes

    def ask(
        self,
        question: str,
        *,
        since: str | None = None,
        until: str | None = None,
        articles: Sequence[str] | None = None,
        allow_comments: bool | None = None,
        mode: Mode | None = None,
        top_k: int | None = None,
        history: Sequence[Turn] = (),
        on_text: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer from the articles only, with citations; abstain when they don't say.

        ``since``/``until`` are ISO dates ("2019", "2019-08", "2019-08-21"), inclusive;
        ``articles`` restricts to article ids; ``allow_comments`` lets reader comments be
        searched (they are always labelled as opinion, never stated as fact).
        ``on_text`` (generative mode) is called with the generated text as it grows.
        """
        timings: dict[str, float] = {}
        t_all = time.perf_counter()
        text, notes = self._clean_question(question)
        resolved = resolve_followup(history, text) if history else text
        mode = mode or self.settings.mode
        top_k = top_k if top_k is not None else self.settings.top_k
        if not 1 <= top_k <= 20:
            raise ValueError("top_k must be between 1 and 20.")
        comments = self.settings.allow_comments if allow_comments is None else allow_comments
        filters = Filters.build(since, until, articles, comments)

        snap = self.snapshot()
        _known_articles(snap, filters)
        if uncased(resolved):  # "who is delcy rodriguez?": capitals as the articles write them
            resolved = self._truecased(snap, resolved, filters)
        t = time.perf_counter()
        parse = self.tenses.read(resolved)  # cached: the search's own time frame reads it
        timings["frame"] = _ms(t)
        if parse.name_check is not None and parse.tense == "present" and mode != "generative":
            # "Is Joe Biden still president?": who holds it now, and is that the one named?
            check = parse.name_check
            who = self.ask(check.who, since=since, until=until, articles=articles,
                           allow_comments=comments, mode=mode, top_k=top_k)  # fmt: skip
            verdict = name_verdict(check, who)
            if verdict is not None:
                return replace(verdict, question=text, resolved_question=resolved,
                               notes=(*notes, *verdict.notes))  # fmt: skip
        found = self._find(snap, resolved, filters, comments, timings, asked=True)
        q = found.q

        t = time.perf_counter()
        decision = self._decide(found, resolved, timings) if self.learned else None
        searched = _searching_ms(timings)
        policy = Policy(
            threshold=self.combiner.floor if self.learned else self.settings.abstain_threshold,
            max_sentences=min(self.settings.max_answer_sentences, top_k),
        )
        composed, evidence, computed = self._compose(
            snap, found, resolved, filters, policy, timings, decision
        )
        # composing may search again (bridges, interval parts): that time counts as search
        timings["compose"] = _ms(t) - (_searching_ms(timings) - searched)
        if mode == "generative" and not composed.abstained and not computed:
            from qa.generate import generate_answer

            t = time.perf_counter()
            composed = generate_answer(
                self.generator,
                snap,
                q,
                evidence,
                composed,
                self.settings,
                self.embedder,
                on_text=on_text,
            )
            timings["generate"] = (time.perf_counter() - t) * 1000
        short = None
        if mode != "generative" and self.settings.short_answers and not computed:
            t = time.perf_counter()
            short = self._short(snap, found, composed, resolved, timings)
            timings["short"] = _ms(t)
        shown = composed.text
        if short is not None:
            shown = f"{short.lead}\n\n{shown}"
        timings["total"] = (time.perf_counter() - t_all) * 1000
        return Answer(
            text=shown,
            citations=composed.citations,
            abstained=composed.abstained,
            related=composed.related[:top_k],
            timings_ms=timings,
            question=text,
            resolved_question=resolved,
            mode=mode,
            notes=(*notes, *composed.notes),
            short=short,
            confidence=None if decision is None else decision.confidence,
        )

    def _truecased(self, snap: Snapshot, question: str, filters: Filters) -> str:
        """The question with its words cased as the best BM25 passages for it write them
        (:mod:`qa.truecase`)."""
        terms = [stem(w) for w in content_words(question)]
        found = bm25_search(snap, terms, TRUECASE_READ, filters.mask(snap, ("body",)))
        return truecase(question, [snap.chunks[snap.by_id[cid]].text for cid, _ in found])

    def _types(self, question: str) -> dict[str, float]:
        return self.typer.predict(self._embed_query(question), question)

    def _names_asked(self, question: str) -> Callable[[Sequence[str]], list[bool]] | None:
        """Whether a sentence names a thing of the kind the question asks for: one of
        spaCy's entities, not in the question, of a label the learned answer type gives
        at least ``NAMED_MIN`` (None when the answer is likely no entity at all, or the
        typer was fit on another embedder's vectors)."""
        kinds = self._kinds_named(question)
        if kinds is None:
            return None
        return lambda texts: [p >= NAMED_MIN for p, _ in kinds(texts)]

    def _asked_types(self, question: str) -> tuple[np.ndarray, dict[str, float]] | None:
        """The question's vector and the learned answer type's label probabilities; None
        when the answer is likely no entity at all, or the typer was fit on another
        embedder's vectors."""
        qvec = self._embed_query(question)
        if not self.typer.fits(qvec):
            return None
        types = self.typer.predict(qvec, question)
        return None if types.get("OTHER", 0.0) >= 0.5 else (qvec, types)

    def _holds_role(self, question: str, past: bool = False) -> Holds | None:
        """For each sentence, how close the title beside one of its entities of the asked
        kind (a label the answer type gives at least ``NAMED_MIN``, not named by the
        question) is to the question (:mod:`qa.roles`); None as for :meth:`_asked_types`,
        when ``role_titles`` is off, and when the question's main clause is not in the
        present tense (the past tense for a ``past`` period)."""
        parse = self.tenses.read(question)
        if not self.settings.role_titles or parse.tense != ("past" if past else "present"):
            return None
        asked_types = self._asked_types(question)
        if asked_types is None:
            return None
        qvec, types = asked_types
        asked = fold(question)

        def wanted(e: Entity) -> bool:
            return types.get(e.label, 0.0) >= NAMED_MIN and fold(e.text) not in asked

        person = types.get("PERSON", 0.0) >= NAMED_MIN

        def mislabelled(e: Entity) -> str | None:  # a person's name NER read as a firm or place
            named = person and e.label in ("ORG", "GPE") and fold(e.text) not in asked
            return "PERSON" if named else None

        places = any(e.label in PLACE_LABELS for e in self.tagger.tag([question])[0])

        asked_office = self._embed_cached([parse.office])[0] if parse.office else None

        def holds(texts: Sequence[str]) -> list[tuple[Role, ...]]:
            entities = self.tagger.tag(texts)
            return role_scores(qvec, texts, entities, wanted, self._embed_cached, self.titles,
                               places, asked_office, mislabelled)  # fmt: skip

        return holds

    def _defines_person(self, q: QuestionInfo, office: str | None) -> bool:
        """Whether a who-question asks who a person it names is ("Who is Delcy Rodriguez?"):
        the capitalised noun "who" is equated with (``office``, from spaCy's parse:
        :func:`qa.roles.asked_office`) ends a name the question gives that spaCy's NER reads
        as a PERSON in the question or in a plain sentence ("Delcy Rodriguez said.": in the
        bare question the tagger misses her; "Maduro" it reads as a person only there).
        Such a question asks for a description: no new name need answer it, no role's
        holder leads it, and no name is its short answer."""
        if q.qtype != "who":
            return False
        head = office.split()[-1] if office else ""
        names = [n for n in q.entities if head[:1].isupper() and head in n.split()]
        if not names:
            return False
        read = self.tagger.tag([q.text, f"{names[0]} said."])
        return any(e.label == "PERSON" and head in e.text.split() for ents in read for e in ents)

    def _kinds_named(
        self, question: str
    ) -> Callable[[Sequence[str]], list[tuple[float, bool]]] | None:
        """For each sentence, the learned answer type's probability of the best label among
        its spaCy entities the question does not name (0 when none), and whether that is the
        most likely answer type of all, "no entity" included (None as for
        :meth:`_asked_types`)."""
        asked_types = self._asked_types(question)
        if asked_types is None:
            return None
        types = asked_types[1]
        top = max(types.values())  # "OTHER" included: no entity may be the likeliest answer
        asked = fold(question)

        def kinds(texts: Sequence[str]) -> list[tuple[float, bool]]:
            out = []
            for found in self.tagger.tag(texts):
                new = [types.get(e.label, 0.0) for e in found if fold(e.text) not in asked]
                p = max(new, default=0.0)
                out.append((p, p > 0.0 and p >= top))
            return out

        return kinds

    def _decide(self, found: Found, question: str, timings: dict[str, float]) -> Decision:
        """The calibrated decision to answer (:func:`qa.ranking.decide`)."""
        from qa.ranking import decide, question_context

        t = time.perf_counter()
        top = [e.sentence.text for e in found.evidence[:DECIDE_SENTENCES] if e.score > 0]
        entities = self.tagger.tag(top)
        context = question_context(found.hits, found.absent)
        decision = decide(found.evidence, entities, question, self._types(question),
                          self.combiner, context, self.settings.answer_threshold)  # fmt: skip
        timings["decide"] = _ms(t)
        return decision

    def _short(
        self,
        snap: Snapshot,
        found: Found,
        composed: Composed,
        question: str,
        timings: dict[str, float],
    ) -> ShortAnswer | None:
        """The short answer: a typed entity of a cited sentence (:mod:`qa.short`)."""
        from qa.short import pick_short

        if composed.holder is not None:
            # the time frame's lead names the role's holder: the name its title is beside
            h = composed.holder
            return ShortAnswer(h.text, h.n, h.start, h.end, h.label)
        inputs = self._short_inputs(found, composed, question)
        if inputs is None:
            return None
        return pick_short(inputs.candidates, inputs.types, inputs.support, inputs.floor,
                          self.short_model, question)  # fmt: skip

    def _short_inputs(self, found: Found, composed: Composed, question: str) -> ShortInputs | None:
        """What the short answer is chosen from, or None when there can be none."""
        from qa.short import candidates, offered, wants_chunks

        cites = [c for c in composed.citations if c.kind == "body"]
        if composed.abstained or not cites or composed.layout == "conflict":
            return None  # articles of different dates disagree: no one short answer
        if found.q.qtype in NO_SHORT:  # "is the embassy open?" is not answered by a name
            return None
        if not self.typer.fits(self._embed_query(question)):
            return None  # the answer typer was fit on another embedder's vectors
        if found.q.frame != "any":  # the time frame chose the lead: the answer is its
            cites = cites[:1]
        types = self._types(question)
        chunker = self.chunker if wants_chunks(types) else None  # loaded only when needed
        ents = offered([c.quote for c in cites], types, self.tagger, chunker)
        cands = candidates(
            question, [(c.n, c.start, c.quote, e) for c, e in zip(cites, ents, strict=True)]
        )
        support = [
            (e.sentence.article_id, fold(e.sentence.text), e.score)
            for e in found.evidence[: self.combiner.candidates if self.learned else SHORT_SUPPORT]
            if e.score > 0
        ]
        floor = self.combiner.short_min if self.learned else self.settings.short_min
        return ShortInputs(cands, types, support, floor)

    def _compose(
        self,
        snap: Snapshot,
        found: Found,
        question: str,
        filters: Filters,
        policy: Policy,
        timings: dict[str, float],
        decision: Decision | None = None,
    ) -> tuple[Composed, list[Evidence], bool]:
        """The answer from what was found: the plain composition, or the time between two
        events, or the question asked again about the person or thing it describes.
        Returns (answer, the evidence it used, whether it was computed from dates)."""
        q = found.q
        decided = None if decision is None else decision.answer
        names = None if q.qtype == "describe" else self._names_asked(question)
        # who holds a role now (present tense) or held it in a period (past tense); not
        # yes/no ("Has Washington since appointed ...?"), nor a past main clause with a later
        # "now" ("Which leader did Trump say in 2019 ..., and was he later ...?")
        role = q.frame != "any" and q.qtype not in ("yesno", "describe")
        holds = self._holds_role(question, q.frame == "past") if role else None
        composed = compose(snap, q, found.evidence, found.hits, policy, found.comment_evidence,
                           found.absent, decided, names, holds)  # fmt: skip
        present = holds is not None and q.frame == "present"
        # the lead's earlier holders, from the articles older than it; a later report of its
        # holder, from the newer ones, leads instead ("As of" its date)
        earlier = self._earlier(snap, q, composed, question, filters, timings) if present else []
        newer = self._newer(snap, composed, question, filters, timings) if present else []
        if newer:
            seen = {e.sentence for e in found.evidence}
            more = [e for e in newer if e.sentence not in seen]
            found = replace(
                found, evidence=sorted([*found.evidence, *more], key=lambda e: -e.score)
            )
        if earlier or newer:
            composed = compose(snap, q, found.evidence, found.hits, policy,
                               found.comment_evidence, found.absent, decided, names, holds,
                               earlier)  # fmt: skip
        if found.absent:
            return composed, found.evidence, False
        bridges: list[Bridge] = []  # descriptions resolved on the way ("his successor")
        interval = parse_interval(question)
        if interval is not None:  # "how long after X did Y": two dated sentences, subtracted
            computed = answer_interval(
                snap,
                interval,
                lambda part: self._bridged(snap, part, filters, policy, bridges, timings).evidence,
                policy,
            )
            if computed is None:
                return composed, found.evidence, False
            return with_bridge(snap, computed, bridges), found.evidence, True
        anchor = parse_anchor(question)
        if anchor is not None:  # "... after Maduro's capture?": only later reports can say
            later = self._after(snap, question, anchor, filters, policy, timings)
            if later is not None:
                found, note = later
                composed = compose(snap, q, found.evidence, found.hits, policy,
                                   found.comment_evidence, found.absent, names=names,
                                   holds=holds)  # fmt: skip
                composed = replace(composed, notes=(*composed.notes, note))
        if q.qtype == "who":  # who-questions ask for the name of the role: nothing to bridge
            return composed, found.evidence, False
        again = self._bridged(snap, question, filters, policy, bridges, timings, found)
        if not bridges:
            return composed, found.evidence, False
        bridged = compose(snap, again.q, again.evidence, again.hits, policy,
                          again.comment_evidence, again.absent)  # fmt: skip
        if bridged.abstained:
            return composed, found.evidence, False
        return with_bridge(snap, bridged, bridges), again.evidence, False

    def _newer(
        self,
        snap: Snapshot,
        composed: Composed,
        question: str,
        filters: Filters,
        timings: dict[str, float],
    ) -> list[Evidence]:
        """The question searched again among the articles newer than a present-time answer's
        lead that name the lead's holder: a later report of the same holder ("British Prime
        Minister Keir Starmer called ..." of November under an August lead) that this
        phrasing's search did not read. A newer article naming someone else under the title
        is the first search's to find; this one only dates the answer later. Empty for other
        answers and an undated lead."""
        held = _held_lead(composed)
        if held is None:
            return []
        lead, name = held
        newer = frozenset(
            a
            for a in filters.article_ids or snap.articles
            if snap.article_sort.get(a, 0) > lead and name in snap.folded(a, "body")
        )
        if not newer:
            return []
        within = replace(filters, article_ids=newer)
        return self._find(snap, question, within, filters.allow_comments, timings).evidence

    def _earlier(
        self,
        snap: Snapshot,
        q: QuestionInfo,
        composed: Composed,
        question: str,
        filters: Filters,
        timings: dict[str, float],
    ) -> list[Evidence]:
        """The question searched again among the articles older than a present-time answer's
        lead, when the lead names the holder of the role asked about: the earlier holders
        under it. Of the articles naming what the question names ("Canada"), when it names
        something; while every article a search reads names the lead's holder, once more
        among the articles older than those (up to ``_EARLIER_SEARCHES`` searches): many
        older reports of the same holder may use the question's words more than the
        reports of the one before. Empty for other answers and an undated lead."""
        held = _held_lead(composed)
        if held is None:
            return []
        lead, name = held
        folded = snap.folded
        if q.entities:
            places = place_stems(self.tagger.tag([question])[0])
            about = frozenset(
                a for a in filters.article_ids or snap.articles if names_all(snap, q, a, places)
            )
            if not about:
                return []
            filters = replace(filters, article_ids=about)
        evidence: list[Evidence] = []
        until = lead - 1
        for _ in range(_EARLIER_SEARCHES):
            older = replace(filters, until=min(filters.until or until, until))
            evidence = self._find(snap, question, older, filters.allow_comments, timings).evidence
            read = {e.sentence.article_id for e in evidence}
            if not read or any(name not in folded(a, "body") for a in read):
                break
            until = min(snap.article_sort.get(a, 0) for a in read) - 1
        return evidence

    def _after(
        self,
        snap: Snapshot,
        question: str,
        anchor: str,
        filters: Filters,
        policy: Policy,
        timings: dict[str, float],
    ) -> tuple[Found, str] | None:
        """The question searched again among the articles published from the ``anchor``
        event on (undated ones cannot be placed after it), without the sentence reporting
        the event itself, and a note saying so; None when the event has no date."""
        event = self._find(snap, anchor, filters, filters.allow_comments, timings)
        dated = anchor_date(snap, event.evidence, policy.threshold)
        if dated is None:
            return None
        when, itself = dated  # the sentence reporting the event itself is no answer either
        later = replace(filters, since=max(filters.since or 0, sort_key(when)))
        found = self._find(snap, question, later, filters.allow_comments, timings)
        kept = [e for e in found.evidence if e.sentence != itself]
        note = f"only articles from {human_date(when)} on can report what followed “{anchor}”"
        return replace(found, evidence=kept), note

    def _find(
        self,
        snap: Snapshot,
        text: str,
        filters: Filters,
        comments: bool,
        timings: dict[str, float] | None = None,
        rescored: bool = True,
        asked: bool = False,
    ) -> Found:
        """Search and evidence scoring for one question (or one part of a question);
        ``rescored=False`` stops after the first stage (what the combiner is fit on);
        ``asked``: the question itself, not a part of it or a bridge's rewording (the
        default pipeline's ranker re-orders only its evidence)."""
        timings = {} if timings is None else timings
        t = time.perf_counter()
        parse = self.tenses.read(text)
        q = analyze(text, snap.correct, parse.tense, snap.now, parse.subordinate)
        if self._defines_person(q, parse.office):  # "Who is Delcy Rodriguez?": a description
            q = replace(q, qtype="describe", alternatives=())
        timings["frame"] = timings.get("frame", 0.0) + _ms(t)
        typed = not self.learned
        if not typed:  # the learned combiner was fit before figures and quotes counted as names
            q = replace(q, figures=(), quoted=())
        # "Japanese" counts for Japan (the learned combiner was fit without it, as below)
        places = place_stems(self.tagger.tag([text])[0]) if q.entities and typed else frozenset()
        absent = missing_entities(q, snap.folded_text, places)
        t = time.perf_counter()
        qvec = self._embed_query(text)
        timings["embed_query"] = timings.get("embed_query", 0.0) + _ms(t)

        t = time.perf_counter()
        retriever = self._retriever()
        kinds = ("body", "comment") if comments else ("body",)
        hits = retriever.search(snap, q.search_terms, qvec, filters, kinds)
        focused_on = focus(snap, q, filters, places)
        read = hits[: self.settings.read_chunks]
        if focused_on is not None:
            focused = retriever.search(snap, q.search_terms, qvec, focused_on, kinds)
            hits = merge(hits, focused)
            # the answerer reads the top chunks, and the time frame's best ones in any case
            read = hits[: self.settings.read_chunks]
            inside = {h.chunk_id for h in read}
            read += [h for h in focused[:FOCUS_READ] if h.chunk_id not in inside]
            read += naming_chunks(q, focused, {h.chunk_id for h in read}, places)
        if q.frame in ("present", "past"):  # the articles of the time frame search finds
            read += frame_found(snap, q, hits, {h.chunk_id for h in read}, places)
        has_comments = not snap.chunk_is_body.all()
        comment_hits = (
            retriever.search(snap, q.search_terms, qvec, filters, ("comment",))
            if has_comments and not comments
            else []
        )
        timings["search"] = timings.get("search", 0.0) + _ms(t)

        t = time.perf_counter()
        vectors = self._sentence_vectors()
        evidence = score_evidence(snap, q, qvec, read, vectors, self.weights, len(read),
                                  places=places)  # fmt: skip
        comment_ev = score_evidence(snap, q, qvec, comment_hits[:3], vectors, self.weights,
                                    places=places)  # fmt: skip
        if q.qtype in TYPED_TYPES and evidence and typed:
            # "which company ...": spaCy's entities and the learned answer type give the cue
            kinds_named = self._kinds_named(text)
            if kinds_named is not None:
                top = kinds_named([e.sentence.text for e in evidence[:TYPED_READ]])
                evidence = typed_cue(evidence, [p >= NAMED_MIN for p, _ in top],
                                     [best for _, best in top], self.weights)  # fmt: skip
        timings["evidence"] = timings.get("evidence", 0.0) + _ms(t)
        if asked and typed and q.qtype in RERANK_TYPES and self.settings.rerank_top:
            # the trained ranker picks which quotable sentence leads (qa/ranking.py)
            t = time.perf_counter()
            evidence = reorder(text, evidence, self.reranker, self.settings.abstain_threshold,
                               self.settings.rerank_top)  # fmt: skip
            timings["rerank"] = timings.get("rerank", 0.0) + _ms(t)
        if self.learned and rescored:
            from qa.ranking import rescore

            t = time.perf_counter()
            evidence = rescore(text, evidence, self.reranker, self.combiner)
            comment_ev = rescore(text, comment_ev, self.reranker, self.combiner)
            timings["rerank"] = timings.get("rerank", 0.0) + _ms(t)
        return Found(q, absent, hits, evidence, comment_ev)

    def _bridged(
        self,
        snap: Snapshot,
        text: str,
        filters: Filters,
        policy: Policy,
        bridges: list[Bridge],
        timings: dict[str, float],
        found: Found | None = None,
    ) -> Found:
        """``_find`` for ``text``, or for ``text`` with its "his successor" replaced by the
        name an article gives for it (the bridge is added to ``bridges``)."""
        comments = filters.allow_comments
        found = found or self._find(snap, text, filters, comments, timings)
        if found.q.qtype == "who":
            return found
        floor = policy.threshold * policy.bridge_ratio
        bridge = find_bridge(text, found.evidence, floor) or find_clause_bridge(
            text, found.evidence, policy.threshold
        )
        if bridge is None:
            return found
        bridges.append(bridge)
        return self._find(snap, bridge.question, filters, comments, timings)

    def _retriever(self) -> HybridRetriever:
        s = self.settings
        return HybridRetriever(
            store=self.store,
            dense_k=s.dense_k,
            bm25_k=s.bm25_k,
            rrf_k=s.rrf_k,
            dedupe_threshold=s.dedupe_threshold,
        )

    def chat(self, history: Sequence[Turn], question: str, **options: Any) -> Answer:
        """Answer a follow-up: ``history`` is [(question, answer_text), ...], oldest first."""
        return self.ask(question, history=history, **options)

    def stream(
        self, question: str, history: Sequence[Turn] = (), **options: Any
    ) -> Iterator[str | Answer]:
        """Yield the answer text as it grows, then the final ``Answer`` (which replaces it)."""
        mode = options.get("mode") or self.settings.mode
        if mode == "generative":
            from qa.generate import stream_answer

            yield from stream_answer(self, question, history, options)
            return
        answer = self.ask(question, history=history, **options)
        words = answer.text.split(" ")
        for i in range(4, len(words), 4):
            yield " ".join(words[:i])
        yield answer

    def close(self) -> None:
        """Drop the snapshot and sentence vectors (models stay cached by their modules)."""
        self._snapshot = None
        self._vectors = None


@dataclass(frozen=True)
class ShortInputs:
    """What a short answer is chosen from (:func:`qa.short.pick_short`)."""

    candidates: list[Candidate]
    types: dict[str, float]
    support: list[tuple[str, str, float]]  # (article id, folded sentence, evidence score)
    floor: float


@dataclass(frozen=True)
class Found:
    """What search and evidence scoring found for one question."""

    q: QuestionInfo
    absent: tuple[str, ...]  # entities the question names that no article mentions
    hits: list[Hit]
    evidence: list[Evidence]
    comment_evidence: list[Evidence]


TRUECASE_READ = 30
"""How many of the best BM25 passages show how a question typed without capitals writes its
words (:meth:`Assistant._truecased`)."""

NAMED_MIN = 0.15
"""An entity label counts as the kind asked for from this answer-type probability."""

RERANK_TYPES: frozenset[str] = TYPED_TYPES | {"where", "how_many"}
"""The questions whose lead the trained ranker picks (README, "The default pipeline's use of
the ranker"): which/what, where and how many; who and when lose seed answers with it."""

DECIDE_SENTENCES = 3
"""The top sentences whose entities the decision reads (spaCy runs on these only)."""

NO_SHORT = frozenset({"yesno", "why", "how", "describe"})
"""Question types whose answer is a clause, not an entity: no short answer."""

SHORT_SUPPORT = 24
"""weights: the top sentences whose mentions support a short answer (string matches only)."""


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def _searching_ms(timings: dict[str, float]) -> float:
    return sum(
        timings.get(k, 0.0) for k in ("frame", "embed_query", "search", "evidence", "rerank")
    )


def _known_articles(snap: Snapshot, filters: Filters) -> None:
    """Refuse article ids the index lacks (a mistyped id would restrict the search to
    nothing, and the answer would read as if the articles did not say), naming the
    closest ids it has."""
    from difflib import get_close_matches

    unknown = sorted((filters.article_ids or frozenset()) - snap.articles.keys())
    if not unknown:
        return
    near = get_close_matches(unknown[0], list(snap.articles), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(near)}?" if near else ""
    raise ValueError(
        f"No article with id {', '.join(unknown)} in the index (an id is the article's file "
        f"name without its extension).{hint}"
    )


_EARLIER_SEARCHES = 3  # searches of ever older articles for a present-time lead's timeline


def _held_lead(composed: Composed) -> tuple[int, str] | None:
    """(the lead's date key, its holder's folded name) of an answer led by a dated holder of
    the role asked about, else None: what the searches for earlier and later reports start
    from."""
    if composed.holder is None or composed.abstained or not composed.citations:
        return None
    lead = sort_key(composed.citations[0].published)
    return (lead, fold(composed.holder.text)) if lead else None


def with_settings(assistant: Assistant, **changes: Any) -> Assistant:
    """A new Assistant sharing ``assistant``'s loaded components, with some settings changed."""
    settings = assistant.settings.model_copy(update=changes)
    clone = Assistant(
        settings,
        embedder=assistant._embedder,
        store=assistant._store,
        generator=assistant._generator,
        build_if_missing=assistant.build_if_missing,
        weights=assistant.weights,
        reranker=assistant._reranker,
        combiner=assistant._combiner,
        typer=assistant._typer,
        tagger=assistant._tagger,
        tenses=assistant._tenses,
    )
    clone._vectors = assistant._vectors
    clone._chunker = assistant._chunker
    clone._titles = assistant._titles
    return clone


__all__ = ["Assistant", "with_settings"]
