"""Synthetic catalog rows for growth benchmarks: whole copies of the bundled catalog, valid and distinct.

``Synthesiser().add_copies(n)`` clones every row of every catalog table n more times. Within one copy each
foreign key points at that copy's clone of the original target (organizations, models, chips, sources,
evaluations, prices, benchmark runs are all cloned), so relations keep the bundle's shape: a copied model has
its copied prices, scores and training runs, from copied providers. That keeps every rule the bundle obeys:

- unique fields get a per-copy suffix (slugs ``<slug>-syn<copy>``, source URLs ``...#synthetic-<copy>``);
- a price's offering (provider, API model id, tier; for cloud prices provider, instance, region, kind) has a
  cloned provider, so it is a new offering and its periods are the template's, which do not overlap;
- unique constraints over foreign keys (a score's model and evaluation, a result's run) hold likewise.

Names get `` (synthetic <copy>)`` so searches match the copies too, as they would match real new rows.
``add_prices(n)`` adds n price points as new offerings (``bench-extra-<i>``, 4 consecutive periods each).
The bundle has no benchmark runs; ``add_benchmark_run()`` records one from a synthetic report so the copies
have some. Everything goes in with ``bulk_create`` in batches; nothing is validated row by row (the
database's constraints and the price-overlap triggers still are).
"""

import copy
import datetime
import time
from decimal import Decimal

from django.db import transaction
from django.db.models.base import ModelState

BATCH_SIZE = 2000


def cloned_models():
    """Every catalog table a copy holds, targets before the rows that point at them."""
    from catalog import models as m

    return [
        m.Source,
        m.Organization,
        m.Hardware,
        m.FoundationModel,
        m.Evaluation,
        m.Concept,
        m.Application,
        m.TrainingRun,
        m.PricePoint,
        m.PriceCheck,
        m.CloudPrice,
        m.EvaluationScore,
        m.Discrepancy,
        m.BenchmarkRun,
        m.BenchmarkResult,
    ]


def suffixed(value, suffix, max_length, fallback):
    """``value + suffix`` within ``max_length``; a long value is cut and made unique with ``fallback``."""
    if max_length is None or len(value) + len(suffix) <= max_length:
        return value + suffix
    tail = f"-{fallback}{suffix}"
    return value[: max_length - len(tail)] + tail


class Synthesiser:
    """Reads the catalog's rows once (the templates), then adds copies of them."""

    def __init__(self, batch_size=BATCH_SIZE):
        self.batch_size = batch_size
        self.models = cloned_models()
        self.templates = {model: list(model._default_manager.order_by("pk")) for model in self.models}
        self.links = {}  # (model, m2m field name) -> [(source pk, target pk)]
        for model in self.models:
            for field in model._meta.many_to_many:
                through = getattr(model, field.name).through
                columns = (f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id")
                self.links[model, field.name] = list(through.objects.values_list(*columns))
        self.copies = 0
        self.extra_prices = 0

    def counts(self):
        return {model.__name__: len(rows) for model, rows in self.templates.items()}

    def add_copies(self, count, *, progress=None):
        for _ in range(count):
            self.copies += 1
            started = time.perf_counter()
            with transaction.atomic():
                self._add_copy(self.copies)
            if progress:
                progress(f"copy {self.copies} in {time.perf_counter() - started:.1f} s")

    def _add_copy(self, tag):
        clone_of = {}  # model -> {template pk: clone pk}
        for model in self.models:
            templates = self.templates[model]
            if not templates:
                clone_of[model] = {}
                continue
            clones, self_links = [], []
            for template in templates:
                clone, parent = self._clone(model, template, tag, clone_of)
                clones.append(clone)
                self_links.append(parent)
            model._default_manager.bulk_create(clones, batch_size=self.batch_size)
            clone_of[model] = {template.pk: clone.pk for template, clone in zip(templates, clones, strict=True)}
            self._relink_self(model, clones, self_links, clone_of[model])
            self._copy_links(model, clone_of)

    def _clone(self, model, template, tag, clone_of):
        """An unsaved copy of ``template`` for copy ``tag``, and (field, template target) of a self-reference."""
        clone = copy.copy(template)
        clone._state = ModelState()
        clone.pk = None
        self_link = None
        for field in model._meta.concrete_fields:
            if field.primary_key:
                continue
            value = getattr(template, field.attname)
            if field.is_relation:
                if value is None:
                    continue
                if field.related_model is model:  # parent, base model: set once this copy's rows have ids
                    setattr(clone, field.attname, None)
                    self_link = (field.attname, value)
                elif field.related_model in clone_of:
                    setattr(clone, field.attname, clone_of[field.related_model][value])
            elif field.unique and isinstance(value, str):
                suffix = f"#synthetic-{tag}" if field.name == "url" else f"-syn{tag}"
                setattr(clone, field.attname, suffixed(value, suffix, field.max_length, template.pk))
            elif field.name in ("name", "name_en") and value:
                setattr(clone, field.attname, suffixed(value, f" (synthetic {tag})", field.max_length, template.pk))
        return clone, self_link

    def _relink_self(self, model, clones, self_links, clone_ids):
        changed, fields = [], set()
        for clone, link in zip(clones, self_links, strict=True):
            if link:
                attname, target = link
                setattr(clone, attname, clone_ids[target])
                changed.append(clone)
                fields.add(attname)
        if changed:
            model._default_manager.bulk_update(changed, sorted(fields), batch_size=self.batch_size)

    def _copy_links(self, model, clone_of):
        for field in model._meta.many_to_many:
            through = getattr(model, field.name).through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            targets = clone_of.get(field.related_model)
            rows = [
                through(**{f"{source}_id": clone_of[model][left], f"{target}_id": targets[right] if targets else right})
                for left, right in self.links[model, field.name]
            ]
            through.objects.bulk_create(rows, batch_size=self.batch_size)

    def add_prices(self, count, *, periods=4):
        """``count`` more price points: new offerings of ``periods`` consecutive periods (the last one open), on
        the catalog's chat models, from the providers that already sell tokens."""
        from catalog.choices import Task
        from catalog.models import FoundationModel, Organization, PricePoint

        providers = Organization.objects.filter(token_prices__isnull=False).distinct()
        providers = list(providers.values_list("pk", flat=True))
        models = list(FoundationModel.objects.filter(task=Task.CHAT).values_list("pk", flat=True))
        if not providers or not models:
            raise RuntimeError("No provider or chat model to attach synthetic prices to.")
        start, step = datetime.date(2023, 1, 1), datetime.timedelta(days=120)
        rows = []
        first = self.extra_prices
        for index in range(first, first + count):
            offering, period = divmod(index, periods)
            begins = start + period * step
            price = Decimal(1 + (offering * 7 + period * 3) % 40) / Decimal(4)
            rows.append(
                PricePoint(
                    model_id=models[offering % len(models)],
                    provider_id=providers[offering % len(providers)],
                    api_model_id=f"bench-extra-{offering}",
                    effective_from=begins,
                    effective_to=None if period == periods - 1 else begins + step,
                    input_per_mtok=price,
                    output_per_mtok=price * 4,
                    notes="Synthetic price added by perf/synthetic.py to a throwaway database.",
                )
            )
        with transaction.atomic():
            PricePoint.objects.bulk_create(rows, batch_size=self.batch_size)
        self.extra_prices += count
        return count


def add_benchmark_run():
    """Record one run of the micro-model benchmark from a synthetic report (the bundle ships none); None when the
    test suite's report builder is not importable (it lives in tests/)."""
    try:
        from tests.benchmark_reports import benchmark_report
    except ImportError:
        return None
    from catalog.benchmarking.store import record_run

    return record_run(report=benchmark_report(), command="perf/synthetic.py")
