"""Minimal valid rows for tests that need a few objects of their own (not the bundled data)."""

import datetime
from decimal import Decimal

from catalog.models import Evaluation, EvaluationScore, FoundationModel, Hardware, Organization, PricePoint, Source


def make_source(url="https://example.org/datasheet"):
    return Source.objects.get_or_create(url=url, defaults={"title": "A datasheet"})[0]


def make_org(slug="acme", **fields):
    fields = {"name": slug.title(), "country": "KR", **fields}
    org = Organization.objects.create(slug=slug, **fields)
    org.sources.add(make_source())
    return org


def make_model(slug="acme-lm", org=None, **fields):
    model = FoundationModel.objects.create(slug=slug, **{"name": slug, "access": "api", **fields})
    model.organizations.add(org or make_org(f"{slug}-lab"))
    model.sources.add(make_source())
    return model


def make_hardware(slug="acme-npu", vendor=None, **fields):
    fields = {"name": slug, "kind": "npu", **fields}
    chip = Hardware.objects.create(slug=slug, vendor=vendor or make_org(f"{slug}-co"), **fields)
    chip.sources.add(make_source())
    return chip


def make_price(model, provider, start, end=None, *, api_model_id="acme-lm-1", tier="standard", input_price="1.00"):
    return PricePoint.objects.create(
        model=model,
        provider=provider,
        api_model_id=api_model_id,
        context_tier=tier,
        input_per_mtok=Decimal(input_price),
        output_per_mtok=Decimal("4.00"),
        effective_from=datetime.date.fromisoformat(start),
        effective_to=datetime.date.fromisoformat(end) if end else None,
    )


def make_evaluation(slug="mmlu", **fields):
    fields = {"name": slug.upper(), "measures": "Knowledge.", "scale": "percent", "scale_max": Decimal(100), **fields}
    evaluation = Evaluation.objects.create(slug=slug, url="https://example.org/eval", **fields)
    evaluation.sources.add(make_source())
    return evaluation


def make_score(model, evaluation, score, *, variant="as-released", setting="5-shot", evaluator="Acme", **fields):
    row = EvaluationScore.objects.create(
        model=model,
        evaluation=evaluation,
        score=Decimal(str(score)),
        variant=variant,
        setting=setting,
        evaluator=evaluator,
        measured_on=fields.pop("measured_on", datetime.date(2024, 1, 1)),
        measured_by=fields.pop("measured_by", "developer"),
        **fields,
    )
    row.sources.add(make_source())
    return row


def make_falling_prices(rng, models, provider, *, start, lowest=0, count=400):
    """``count`` prices in few shared periods (as a snapshot has), falling over time so a cheapest line has
    many steps: the input of the tests that compare a pruned sweep with the full one."""
    for index in range(count):
        offset = rng.randrange(0, 2000, 90)
        begins = start + datetime.timedelta(days=offset)
        ends = begins + datetime.timedelta(days=rng.choice([90, 180, 360])) if rng.random() < 0.7 else None
        falling = (2000 - offset) // 20
        PricePoint.objects.create(
            model=rng.choice(models),
            provider=provider,
            api_model_id=f"id-{index}",
            input_per_mtok=Decimal(rng.randrange(lowest, 60) + falling) / 4,
            output_per_mtok=Decimal(rng.randrange(lowest, 90) + falling) / 3,
            effective_from=begins,
            effective_to=ends,
        )
