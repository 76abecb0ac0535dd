"""Search support tables: synonyms and the denormalised search row."""

from __future__ import annotations

from django.db import models

from tongban.catalog.models.items import ItemImplementation, ItemVersion


class Synonym(models.Model):
    """Search abbreviations: every term sharing a ``canonical`` expands to the others
    (社保卡 ↔ 社会保障卡, 驾照 ↔ 驾驶证)."""

    term = models.CharField("词语", max_length=64, unique=True)
    canonical = models.CharField("标准词", max_length=64, db_index=True)

    class Meta:
        ordering = ["canonical", "term"]
        verbose_name = "同义词"
        verbose_name_plural = "同义词"

    def __str__(self) -> str:
        return f"{self.term} → {self.canonical}"


class SearchEntry(models.Model):
    """Denormalised search row for the version in force of one implementation.

    Rebuilt by tongban.catalog.search when a version is published or superseded.
    Text columns are normalised (lower-case, full-width folded) so that the same
    substring test gives the same answer on SQLite and PostgreSQL. The character index
    that narrows the candidates lives outside the model (migration 0002): FTS5
    tables on SQLite, generated ``grams``/``name_grams`` text[] columns with GIN indexes
    on PostgreSQL.
    """

    implementation = models.OneToOneField(
        ItemImplementation, on_delete=models.CASCADE, related_name="search_entry"
    )
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+"
    )
    catalog_code = models.CharField(max_length=12, db_index=True)
    task_code = models.CharField(max_length=31, blank=True)  # the last tie-break of ranking
    name = models.CharField(max_length=200)
    name_len = models.PositiveSmallIntegerField(default=0)  # shorter names rank first
    name_text = models.CharField(max_length=400)  # normalised name
    alias_text = models.CharField(max_length=600, blank=True)  # normalised aliases
    body_text = models.TextField(blank=True)  # summary, materials, department, conditions
    initials = models.CharField(max_length=600, blank=True)  # pinyin initials of name/aliases
    scope = models.CharField(max_length=32)
    modes = models.CharField(max_length=64, blank=True)  # comma-separated Mode values

    class Meta:
        verbose_name = "检索条目"
        verbose_name_plural = "检索条目"
