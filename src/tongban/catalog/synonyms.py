"""Search synonyms (社保卡 ↔ 社会保障卡, 驾照 ↔ 驾驶证): the shipped defaults and their loader.

The defaults live in data/synonyms.tsv (``term<TAB>canonical``); an administrator may add
more rows in the admin. Words are stored normalised, as search compares them.
"""

from __future__ import annotations

from importlib import resources

from django.db import transaction

from tongban.catalog.models import Synonym
from tongban.core.text import normalise


def default_synonyms() -> list[tuple[str, str]]:
    """(term, canonical) pairs of data/synonyms.tsv, normalised, in file order."""
    text = resources.files("tongban.catalog").joinpath("data/synonyms.tsv").read_text("utf-8")
    pairs: list[tuple[str, str]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 2 or not cols[0].strip() or not cols[1].strip():
            raise ValueError(f"synonyms.tsv line {lineno}: expected term<TAB>canonical")
        term, canonical = normalise(cols[0]), normalise(cols[1])
        if term != canonical:
            pairs.append((term, canonical))
    return pairs


def synonyms_load_defaults() -> int:
    """Create or correct the shipped synonyms. Idempotent; returns how many rows changed.

    Rows an administrator added for other terms are left alone."""
    changed = 0
    with transaction.atomic():
        existing = dict(Synonym.objects.values_list("term", "canonical"))
        for term, canonical in default_synonyms():
            if existing.get(term) == canonical:
                continue
            Synonym.objects.update_or_create(term=term, defaults={"canonical": canonical})
            changed += 1
    return changed
