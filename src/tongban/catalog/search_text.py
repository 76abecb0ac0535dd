"""Pure text functions of catalogue search: n-grams, tokens, query plans, synonyms.

Search matches a query as a substring of normalised text (tongban.core.text.normalise).
Each database keeps an index of the entries' characters: SQLite an FTS5 table with one
token per character and positions (a phrase query is then an exact substring test),
PostgreSQL GIN indexes on every substring of 1 to GRAM_MAX characters. The index
narrows the candidates; where it cannot prove a match alone, the exact substring test
(``instr``/``strpos``) decides. So SQLite and PostgreSQL return the same rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# A query expands to at most this many terms (the original plus synonym variants).
MAX_TERMS = 8
# PostgreSQL indexes every substring of up to this many characters (migration 0002).
GRAM_MAX = 3


def indexable(ch: str) -> bool:
    """Characters whose grams are indexed: ASCII lower-case letters and digits, and CJK
    ideographs. Every FTS5 ``unicode61`` tokenizer treats them as token characters, so a
    gram made of them is always one token; anything else (punctuation, symbols, other
    scripts) is checked by the exact substring test instead."""
    return (
        "a" <= ch <= "z"
        or "0" <= ch <= "9"
        # CJK Unified Ideographs of Unicode 1.1 and Extension A (Unicode 3.0): every
        # SQLite build knows them as letters. Later additions are left to the exact test.
        or "\u4e00" <= ch <= "\u9fa5"
        or "\u3400" <= ch <= "\u4db5"
    )


def is_cjk(ch: str) -> bool:
    return indexable(ch) and not ch.isascii()


def initials_apply(term: str) -> bool:
    """Pinyin initials are matched only for queries made of ASCII letters (e.g. shbzk)."""
    return term.isascii() and term.isalpha()


# Stands for any run of characters that are not indexed (and for the gaps between
# fields and list items), so a phrase cannot match across them. Two characters long,
# it never equals a query token (one character each).
BREAK_TOKEN = "00"


def fts_tokens(texts: Iterable[str]) -> str:
    """The FTS5 document of ``texts``: one token per indexable character, BREAK_TOKEN
    between runs. 社会保障卡 申领 → "社 会 保 障 卡 00 申 领"."""
    out: list[str] = []
    for text in texts:
        for ch in text:
            if indexable(ch):
                out.append(ch)
            elif out and out[-1] != BREAK_TOKEN:
                out.append(BREAK_TOKEN)
        if out and out[-1] != BREAK_TOKEN:
            out.append(BREAK_TOKEN)
    return " ".join(out)


@dataclass(frozen=True)
class TermPlan:
    """How one normalised term is looked up.

    ``runs``: its maximal runs of indexable characters (a phrase each on SQLite).
    ``grams``: substrings of at most GRAM_MAX characters every matching entry holds
    (PostgreSQL); empty when the term has no indexable character (test every entry).
    ``grams_exact``: holding the grams already proves the match (a term of at most
    GRAM_MAX CJK characters or letters), so PostgreSQL can skip the substring test.
    """

    term: str
    runs: tuple[str, ...]
    grams: tuple[str, ...]
    grams_exact: bool

    @property
    def phrase_exact(self) -> bool:
        """An FTS5 phrase of the term's characters is an exact substring test."""
        return self.runs == (self.term,)


def term_plan(term: str) -> TermPlan:
    runs: list[str] = []
    run = ""
    for ch in term:
        if indexable(ch):
            run += ch
        elif run:
            runs.append(run)
            run = ""
    if run:
        runs.append(run)
    if len(term) <= GRAM_MAX and runs == [term]:
        # Initials hold letters and digits: a CJK or all-letter term can only match
        # where the rules allow; a term with a digit could match inside initials.
        exact = all(is_cjk(c) for c in term) or initials_apply(term)
        return TermPlan(term, tuple(runs), (term,), exact)
    grams = [r[i : i + GRAM_MAX] for r in runs for i in range(max(1, len(r) - GRAM_MAX + 1))]
    return TermPlan(term, tuple(runs), tuple(dict.fromkeys(grams)), False)


def expand_query(query: str, groups: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The query and its synonym variants, the query first, at most MAX_TERMS.

    ``groups`` maps every normalised term and canonical word to all words of its group.
    Reading left to right, the longest word of any group found in the query is replaced
    by each word of its group: 社保卡补办 → 社会保障卡补办, 医保卡补办."""
    if not query or not groups:
        return [query] if query else []
    longest = max(len(k) for k in groups)
    parts: list[tuple[str, ...]] = []
    plain = ""
    i = 0
    while i < len(query):
        for n in range(min(longest, len(query) - i), 0, -1):
            word = query[i : i + n]
            if word in groups:
                if plain:
                    parts.append((plain,))
                    plain = ""
                parts.append((word, *(w for w in groups[word] if w != word)))
                i += n
                break
        else:
            plain += query[i]
            i += 1
    if plain:
        parts.append((plain,))
    terms: list[str] = []
    for combo in itertools.product(*parts):
        term = "".join(combo)
        if term not in terms:
            terms.append(term)
        if len(terms) >= MAX_TERMS:
            break
    return terms


def synonym_groups(pairs: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """(term, canonical) rows → {word: every word of its group}.

    Words linked through any row form one group (a word that is the canonical of one
    row and the term of another joins both). Each group is ordered shortest word first,
    then by code point, so both databases expand a query alike."""
    parent: dict[str, str] = {}

    def root(w: str) -> str:
        parent.setdefault(w, w)
        while parent[w] != w:
            parent[w] = parent[parent[w]]
            w = parent[w]
        return w

    for term, canonical in pairs:
        if not term or not canonical:  # an empty word would match everything
            continue
        a, b = root(term), root(canonical)
        if a != b:
            parent[max(a, b)] = min(a, b)
    members: dict[str, list[str]] = {}
    for w in list(parent):
        members.setdefault(root(w), []).append(w)
    groups: dict[str, tuple[str, ...]] = {}
    for words in members.values():
        ordered = tuple(sorted(words, key=lambda w: (len(w), w)))
        for w in ordered:
            groups[w] = ordered
    return groups


# Lengths of the region-code prefixes tongban.regions.codes.prefix can return.
REGION_PREFIX_LENGTHS = (2, 4, 6, 9, 12)


def meta_tokens(region_id: str, department_id: int, scope: str, modes: Iterable[str]) -> list[str]:
    """Index tokens for the filters an entry can be selected by (region and every region
    containing it, department, scope, modes): letters and digits only, so FTS5 keeps each
    whole; each at least three characters, so none equals a 1- or 2-character gram."""
    tokens = [f"r{region_id[:n]}" for n in REGION_PREFIX_LENGTHS if n <= len(region_id)]
    tokens.append(f"dep{department_id}")
    tokens.append("s" + scope.replace("_", ""))
    tokens += ["m" + m.replace("_", "") for m in modes if m]
    return tokens


def filter_tokens(
    region_prefix: str | None, department_id: int | None, scope: str | None, mode: str | None
) -> list[str]:
    """The meta tokens an entry must hold to pass these filters."""
    tokens = []
    if region_prefix:
        tokens.append(f"r{region_prefix}")
    if department_id is not None:
        tokens.append(f"dep{department_id}")
    if scope:
        tokens.append("s" + scope.replace("_", ""))
    if mode:
        tokens.append("m" + mode.replace("_", ""))
    return tokens
