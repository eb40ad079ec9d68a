"""Hybrid search over a loaded index, and the similar-projects calls (retrieval/projects.py)."""

from __future__ import annotations

import string
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from casebook.errors import IndexMismatchError, NotFound
from casebook.index import layout
from casebook.index.encoders import AnyE5, AnyEmbedder, e5_encoder, query_embedder
from casebook.index.manifest import IndexManifest
from casebook.index.retrieval import cascade
from casebook.index.retrieval import signals as views
from casebook.index.retrieval.calibrate import calibrated, query_features
from casebook.index.retrieval.language import is_english
from casebook.index.retrieval.projects import SimilarProjects
from casebook.index.retrieval.queries import (
    match_choice,
    validate_k,
    validate_mode,
    validate_query,
)
from casebook.index.retrieval.spelling import SpellCorrector
from casebook.index.retrieval.tuned import (
    FOREIGN_CALIBRATION,
    LEXICAL_CALIBRATION,
    Tuned,
    load_tuned,
)
from casebook.index.store import REBUILD, StoredIndex, load_index
from casebook.index.text.acronyms import expand_acronyms
from casebook.index.text.compounds import as_the_corpus_writes, compounds
from casebook.index.text.terms import words
from casebook.index.text.word_meaning import (
    CaseWords,
    ThemeMeanings,
    case_words,
    theme_meanings,
)
from casebook.records import CaseResult, CaseRows, CaseStudy, PassageHit, Scored
from casebook.settings import Settings
from casebook.themes import themes

PASSAGES_PER_RESULT = 3


def _known_words(embedder: AnyEmbedder) -> set[str]:
    """Whole words of the model's tokenizer vocabulary: a dictionary the corrector must respect."""
    vocab = embedder.vocabulary()
    return {w for w in vocab if w.isalpha() and w.islower() and len(w) >= 4}


def case_rows(stored: StoredIndex) -> CaseRows:
    """Which case study each of the build's passages belongs to, by row."""
    row_of = {c.id: i for i, c in enumerate(stored.cases)}
    return CaseRows.of(list(row_of), np.array([row_of[p.case_id] for p in stored.passages]))


@dataclass(frozen=True)
class Plan:
    """How one query is scored: the views that run, decided before they do."""

    query: str  # as asked: e5 reads a question not in English so
    text: str  # normalised (Searcher.normalise): what BM25 and MiniLM read
    mode: str  # hybrid, dense or bm25
    english: bool
    full: bool  # every view, whatever the cascade would skip
    settled: bool  # BM25 alone serves it: the cascade's lexical stage


class Searcher:
    """Answers queries over one index build. Construct with `Searcher.open(settings)`.

    Its public surface: `score` (every passage's views and calibrated score, as a `Scored` that
    carries what answering and evaluation read: the query vectors, the views, the case rows),
    `group`, `search`, `similar`, the browsing calls, and `rows`, `stored`, `tuned`."""

    def __init__(self, settings: Settings, stored: StoredIndex, embedder: AnyEmbedder,
                 e5: AnyE5 | None = None, tuned: Tuned | None = None) -> None:
        self.settings = settings
        self.e5 = e5 if stored.e5_passage_vectors is not None else None
        self.tuned = tuned or load_tuned(settings.tuned_file)
        self.stored = stored
        self.embedder = embedder
        self.cases: dict[str, CaseStudy] = {c.id: c for c in stored.cases}
        self.rows = case_rows(stored)
        self.case_order = list(self.rows.case_order)
        self._case_size = np.bincount(self.rows.passage_case, minlength=self.rows.cases)
        self._passage_row = {p.id: i for i, p in enumerate(stored.passages)}
        self.case_vectors = views.centroids(stored.passage_vectors, self.rows.passage_case,
                                            self.rows.cases)
        corpus_words = [w for p in stored.passages for w in words(p.embed_text)]
        self.corrector = SpellCorrector(corpus_words, _known_words(embedder))
        # every case study's text in case_order: the corpus answering's word statistics are
        # cached by (built once, so each question does not rebuild and rehash it)
        self.case_texts = tuple(c.text for c in stored.cases)
        self.corpus_text = " ".join(self.case_texts)
        self.compounds = compounds(expand_acronyms(t) for t in self.case_texts)
        self.gazetteer = stored.gazetteer
        self._boroughs = sorted({b for c in stored.cases for b in c.boroughs})
        self.e5_case_vectors = (
            views.centroids(stored.e5_passage_vectors, self.rows.passage_case, self.rows.cases)
            if stored.e5_passage_vectors is not None else None)

    @classmethod
    def open(cls, settings: Settings, embedder: AnyEmbedder | None = None, *,
             build: Path | None = None) -> Searcher:
        """Load the current index (or the build folder `build`) and the model it was built with
        (once per process)."""
        if embedder is None:
            # Open the encoder while the index files are checked: each takes a few hundred ms.
            folder = build if build is not None else layout.current_build(settings.index_dir)
            embedder = query_embedder(settings, folder, IndexManifest.read(folder).encoder_runtime)
            with ThreadPoolExecutor(1) as pool:
                loading = pool.submit(embedder.load)
                stored = load_index(settings, build=build)
                loading.result()
            if stored.path != folder:  # a rebuild swapped CURRENT meanwhile: use its encoder
                embedder = query_embedder(settings, stored.path, stored.manifest.encoder_runtime)
        else:
            stored = load_index(settings, build=build)
        embedder.load()
        e5 = (e5_encoder(settings, stored.path).load()
              if stored.e5_passage_vectors is not None else None)
        if embedder.dimension != stored.manifest.dimension:
            raise IndexMismatchError(
                f"Model {settings.model!r} makes {embedder.dimension}-dimensional vectors; the "
                f"index holds {stored.manifest.dimension}-dimensional ones.", hint=REBUILD)
        return cls(settings, stored, embedder, e5)

    # -- queries -------------------------------------------------------------------------

    def normalise(self, query: str) -> str:
        """Acronyms spelled out, then typos corrected against the corpus's words."""
        return self.corrector.correct(as_the_corpus_writes(expand_acronyms(query),
                                                           self.compounds))

    def score(self, query: str, mode: str = "hybrid", *, full: bool = False,
              settle: bool = True) -> Scored:
        """Every passage's calibrated score for `query`: the views, fused by the tuned convex
        weights, then calibrated to P(relevant). Hybrid search runs the cascade (BM25 alone
        when it is sure, if `settle`; e5 only when the cheap views are unsure or the question
        is not English, see retrieval/cascade.py); `full` runs every view whatever the cheap
        views say (answering and evaluation need them all)."""
        text = self.normalise(query)
        lexical = self.stored.lexical.scores(text)
        english = is_english(query, text)
        # BM25 sure of an English question: the cascade's lexical stage serves it alone
        settled = (mode == "hybrid" and settle and not full and cascade.lexical_suffices(
            lexical, english, self.tuned.served_lexical_margin, self.rows.passage_case,
            self.rows.cases))
        plan = Plan(query, text, mode, english, full, settled)
        # MiniLM reads English only; where neither the ranking nor the score of a question
        # in another language would use it, skip it (its word pieces run twice as long)
        skip = (mode == "hybrid" and not english and not full and self.e5 is not None
                and not self.tuned.foreign_reads_minilm)
        vector, dense = (None, None) if skip or settled else self._minilm(text)
        raw = self._cheap_views(plan, lexical, vector, dense)
        run_e5, cheap = self._needs_e5(plan, raw)
        e5_vector = None
        if run_e5:
            e5_vector, e5_views = self._e5_views(plan)
            raw.update(e5_views)
        fused, model = self._fusion(plan, raw, cheap, e5_ran=e5_vector is not None)
        features = query_features(raw, english, self.rows.passage_case, self.rows.cases,
                                  self._query_evidence(text, vector, e5_vector))
        final = calibrated(fused, features, self.tuned.calibration[model],
                           self.tuned.scope.get(model))
        return Scored(vector, dense, lexical, final, raw, features, fused, e5_vector, english,
                      normalised=text, rows=self.rows)

    def _minilm(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The query's MiniLM vector and every passage's cosine to it (passages beyond the
        candidate depth rank just below the last one retrieved)."""
        vector = self.embedder.encode_one(text)
        n = len(self.stored.passages)
        top_scores, rows = self.stored.dense.search(vector[None, :],
                                                    min(self.settings.candidate_depth, n))
        valid = rows[0] >= 0
        dense = np.full(n, float(top_scores[0][valid].min()) - 1e-6 if valid.any() else -1.0)
        dense[rows[0][valid]] = top_scores[0][valid]
        return vector, dense

    def _cheap_views(self, plan: Plan, lexical: np.ndarray, vector: np.ndarray | None,
                     dense: np.ndarray | None) -> dict[str, np.ndarray]:
        """BM25 and the borough view, and MiniLM's two where it ran."""
        raw: dict[str, np.ndarray] = {"bm25": lexical.astype(np.float64)}
        if vector is not None and dense is not None:
            raw["minilm_passage"] = dense.astype(np.float64)
            raw["minilm_case"] = ((self.case_vectors @ vector)[self.rows.passage_case]
                                  .astype(np.float64))
        raw["borough"] = self._borough_view(plan.query)
        return raw

    def _borough_view(self, query: str) -> np.ndarray:
        """Per passage: 1 where its case study is from a London borough the query names.

        Neither BM25 nor the models weigh a borough's name much against the topic words, yet
        "in Newham" is usually the point of the question.
        """
        # people type "camden" in lower case; the gazetteer wants proper nouns
        named = set(self.gazetteer.find(string.capwords(query))) & set(self._boroughs)
        case_match = np.array([bool(named & set(self.cases[cid].boroughs))
                               for cid in self.case_order])
        return case_match[self.rows.passage_case].astype(np.float64)

    def _needs_e5(self, plan: Plan, raw: dict[str, np.ndarray]) -> tuple[bool, np.ndarray | None]:
        """Whether e5 runs (hybrid mode only, and there when the cascade asks for it or `full`
        is set), and the cheap views' fusion where deciding it took one."""
        if plan.mode != "hybrid" or plan.settled or self.e5 is None or self.e5_case_vectors is None:
            return False, None
        if plan.full or not plan.english:
            return True, None
        cheap = cascade.cheap_fusion(raw, self.tuned)
        return cascade.needs_e5(cheap, plan.english, self.tuned.cascade_margin,
                                self.rows.passage_case, self.rows.cases), cheap

    def _e5_views(self, plan: Plan) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """e5's query vector, and its passage and whole-case views."""
        assert self.e5 is not None and self.e5_case_vectors is not None
        assert self.stored.e5_passage_vectors is not None
        # e5 reads the question as asked when it is not English: the spelling corrector
        # knows only the corpus's English words
        vector = self.e5.query(plan.text if plan.english else plan.query)
        passage_view, case_view = views.dense_views(
            vector, self.stored.e5_passage_vectors, self.e5_case_vectors, self.rows.passage_case)
        return vector, {"e5_passage": passage_view.astype(np.float64),
                        "e5_case": case_view.astype(np.float64)}

    def _fusion(self, plan: Plan, raw: dict[str, np.ndarray], cheap: np.ndarray | None, *,
                e5_ran: bool) -> tuple[np.ndarray, str]:
        """The fused score per passage, and the name of the calibration that maps it."""
        if plan.mode != "hybrid":
            view = "minilm_passage" if plan.mode == "dense" else "bm25"
            return views.normalised({view: raw[view]})[view], plan.mode
        if plan.settled:
            return cascade.lexical_fusion(raw, self.tuned), LEXICAL_CALIBRATION
        if not e5_ran:
            fused = cheap if cheap is not None else cascade.cheap_fusion(raw, self.tuned)
            return fused, "hybrid_cheap"
        weights = self.tuned.weights if plan.english else self.tuned.weights_foreign
        foreign = not plan.english and FOREIGN_CALIBRATION in self.tuned.calibration
        return (views.convex(views.normalised(raw), weights),
                FOREIGN_CALIBRATION if foreign else "hybrid")

    def _query_evidence(self, text: str, vector: np.ndarray | None,
                        e5_vector: np.ndarray | None) -> dict[str, float]:
        """What the scope calibration reads besides the views' tops (calibrate.EVIDENCE), from
        the query vectors search computed anyway: each a dot product over the corpus's
        sentences or one vector, no model run."""
        out = {"known_share": self.stored.lexical.known_share(text)}
        sentences, e5_sentences = self.stored.sentence_vectors, self.stored.e5_sentence_vectors
        if vector is not None and len(sentences):
            out["sentence_minilm_top"] = float(np.max(sentences @ vector))
        if e5_vector is not None:
            if e5_sentences is not None and len(e5_sentences):
                out["sentence_e5_top"] = float(np.max(e5_sentences @ e5_vector))
            if self.tuned.field_e5 is not None:
                out["field_e5"] = self.tuned.field_e5.logit(e5_vector)
        return out

    def _allowed_cases(self, section: str | None, borough: str | None,
                       theme: str | None = None) -> set[int] | None:
        if section is None and borough is None and theme is None:
            return None
        allowed = set(range(self.rows.cases))
        if section:
            name = match_choice(section, (c.section for c in self.cases.values()), "section")
            allowed &= {i for i, cid in enumerate(self.case_order) if self.cases[cid].section == name}
        if borough:
            name = self.gazetteer.canonical(borough) or match_choice(borough, self.boroughs(), "borough")
            allowed &= {i for i, cid in enumerate(self.case_order)
                        if name in self.cases[cid].boroughs}
        if theme:
            name = match_choice(theme, self.themes(), "theme")
            allowed &= {i for i, cid in enumerate(self.case_order)
                        if name in self.cases[cid].themes}
        return allowed

    def group(self, final: np.ndarray, k: int, allowed: set[int] | None = None,
               exclude: str | None = None) -> list[CaseResult]:
        """One result per case study: its best passage's score, and its best passages."""
        order = np.argsort(-final, kind="stable")
        best: dict[int, list[int]] = {}
        # The k case studies returned are the first k met, rows being best first; a later one
        # is never returned, so it is not collected. The scan ends once those k can gain no
        # passage: `incomplete` counts the ones that still may (a count: scanning `best` for
        # it each row was quadratic, and never ended while a short case study was among them).
        incomplete = 0
        for row in order:
            case_row = int(self.rows.passage_case[row])
            if allowed is not None and case_row not in allowed:
                continue
            if exclude is not None and self.case_order[case_row] == exclude:
                continue
            hits = best.get(case_row)
            if hits is None:
                if len(best) >= k:
                    continue  # ranked below k others already (the order is best first)
                hits = best[case_row] = []
                incomplete += 1
            if len(hits) < PASSAGES_PER_RESULT:
                hits.append(int(row))
                if len(hits) == min(PASSAGES_PER_RESULT, int(self._case_size[case_row])):
                    incomplete -= 1
            if len(best) >= k and not incomplete:
                break
        ranked = sorted(best.items(), key=lambda item: -final[item[1][0]])[:k]
        return [
            CaseResult(
                case_study=self.cases[self.case_order[case_row]],
                score=float(final[rows[0]]),
                passages=tuple(PassageHit(self.stored.passages[r], float(final[r])) for r in rows),
            )
            for case_row, rows in ranked
        ]

    def search(self, query: str, k: int = 10, *, section: str | None = None,
               borough: str | None = None, mode: str = "hybrid",
               theme: str | None = None) -> list[CaseResult]:
        """Case studies best first, each with the passages that matched best."""
        return self.search_scored(query, k, section=section, borough=borough, mode=mode,
                                  theme=theme)[0]

    def search_scored(self, query: str, k: int = 10, *, section: str | None = None,
                      borough: str | None = None, mode: str = "hybrid",
                      theme: str | None = None) -> tuple[list[CaseResult], Scored]:
        """search, with the per-passage views behind it (for `explain`)."""
        query = validate_query(query, self.settings.max_query_chars)
        validate_k(k, self.settings.max_k)
        validate_mode(mode)
        allowed = self._allowed_cases(section, borough, theme)
        # BM25's lead over every case study says nothing about its lead among those a filter
        # keeps: a filtered search reads MiniLM
        scored = self.score(query, mode, settle=allowed is None)
        return self.group(scored.final, k, allowed), scored

    def explain(self, scored: Scored, passage_id: str) -> dict[str, float]:
        """The raw views and the fused score of one passage, and the query-level features the
        calibration read: what a person tuning the weights needs to see."""
        row = self._passage_row[passage_id]
        out = {name: float(values[row]) for name, values in scored.signals.items()}
        if scored.fused is not None:
            out["fused"] = float(scored.fused[row])
        out.update({f"query_{name}": value for name, value in scored.features.items()})
        return out

    @cached_property
    def case_words(self) -> CaseWords:
        """The vectors of the case studies' own words (text/word_meaning.py), in case_texts'
        order, built on first use: what a list reads a topic's unsaid words by."""
        return case_words(self.case_texts, self.embedder.encode)

    @cached_property
    def theme_meanings(self) -> ThemeMeanings:
        """The vectors of the themes' labels and definitions (text/word_meaning.py), built on
        first use: what a list reads a topic by where no case study says it outright."""
        return theme_meanings(themes(), self.embedder.encode)

    @cached_property
    def projects(self) -> SimilarProjects:
        """Case-to-case likeness for this build (see retrieval/projects.py), built on first use."""
        return SimilarProjects(self.stored, self.embedder, self.rows, self.case_vectors)

    def similar(self, case_id: str, k: int = 5) -> list[CaseResult]:
        """Case studies most like `case_id`, never itself; `score` is P(a programme lead calls
        it similar), calibrated on the dev groups of eval/similar.jsonl."""
        validate_k(k, self.settings.max_k)
        row = self.rows.row_of.get(case_id)
        if row is None:
            raise NotFound(f"No case study has the id {case_id!r}.",
                           hint="List the ids with GET /v1/case-studies or `casebook search`.")
        model = self.tuned.calibration["similar"]
        case_scores = self.projects.scores(model)[row]
        results = self.group(self.projects.passage_scores(row, model), k, exclude=case_id)
        return [CaseResult(r.case_study, float(case_scores[self.rows.row_of[r.case_study.id]]),
                           r.passages) for r in results]

    def similar_text(self, text: str, k: int = 5) -> list[CaseResult]:
        """Case studies that resemble a free-text description of a project."""
        return self.similar_text_noticed(text, k)[0]

    def similar_text_noticed(self, text: str, k: int = 5) -> tuple[list[CaseResult], str | None]:
        """similar_text, and a notice when the text is unlike every case study: none of its
        sentences comes as close to a passage as each case study comes to another."""
        text = validate_query(text, self.settings.max_query_chars, what="description")
        validate_k(k, self.settings.max_k)
        results = self.group(self.score(text).final, k)
        if results and self.projects.unlike_every_case(text):
            return results, ("This description is unlike every case study here: these are only "
                             "the least unlike it.")
        return results, None

    # -- browsing ------------------------------------------------------------------------

    def get(self, case_id: str) -> CaseStudy:
        try:
            return self.cases[case_id]
        except KeyError:
            raise NotFound(f"No case study has the id {case_id!r}.",
                           hint="List the ids with GET /v1/case-studies.") from None

    def case_studies(self) -> list[CaseStudy]:
        return [self.cases[cid] for cid in self.case_order]

    def sections(self) -> list[str]:
        return list(dict.fromkeys(self.cases[cid].section for cid in self.case_order))

    def boroughs(self) -> list[str]:
        return list(self._boroughs)

    def topics(self) -> list[str]:
        """The labels of the themes the case studies carry, the most carried first ("long-term
        conditions", "mental health"): what they cover, as a sentence names it."""
        carried = Counter(t for cid in self.case_order for t in self.cases[cid].themes)
        ranked = sorted((t for t in themes().themes if carried[t.id]),
                        key=lambda t: -carried[t.id])  # stable: the catalogue's order on ties
        return [t.label[0].lower() + t.label[1:] for t in ranked]

    def themes(self) -> list[str]:
        """Every theme id a case study may carry (casebook/data/themes.json), in its order."""
        return list(themes().ids)

