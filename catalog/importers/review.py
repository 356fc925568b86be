"""The curator's queue: offerings a price map listed that no catalog model could be matched to.

A curator settles each one: link it to an existing model (its price becomes a price point, so the next
import of the map matches the id by that price), create the model it names and link it, or ignore it with
a reason. Each step is one transaction, refuses what the catalog's own rules refuse (a period that
overlaps another, an offering whose provider the catalog lacks), and is logged in the admin's history by
the admin page that calls it.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.choices import Confidence
from catalog.importers.litellm import SOURCE_URL, billed_id, fits
from catalog.models import FoundationModel, PricePoint, Source, UnmatchedOffering

Status = UnmatchedOffering.Status


def check_unreviewed(offering):
    if offering.status != Status.OPEN:
        raise ValidationError(f"{offering} was reviewed already ({offering.get_status_display().lower()}).")


def check_open(offering, model):
    """What linking ``offering`` to ``model`` needs: an open offering with prices, a provider, a model of its task."""
    check_unreviewed(offering)
    if not fits(model.task, offering.mode):
        raise ValidationError(
            f"{offering}: a {offering.mode} price cannot be a price of {model}, a {model.get_task_display().lower()} "
            "model (prices are compared within one task)."
        )
    if offering.provider is None:
        raise ValidationError(
            f"{offering}: the catalog has no organization for the provider {offering.provider_name!r}; add it first."
        )
    if offering.input_per_mtok is None or offering.output_per_mtok is None:
        raise ValidationError(f"{offering}: it has no input and output price to record.")


@transaction.atomic
def link_offering(offering, model, *, note=""):
    """Make the offering a price point of ``model``, dated as the map dated it. Returns the price point."""
    offering = UnmatchedOffering.objects.select_for_update().get(pk=offering.pk)
    check_open(offering, model)
    price = PricePoint(
        model=model,
        provider=offering.provider,
        api_model_id=billed_id(offering.api_model_id),
        context_tier=offering.context_tier,
        currency="USD",
        input_per_mtok=offering.input_per_mtok,
        output_per_mtok=offering.output_per_mtok,
        cached_input_per_mtok=offering.cached_input_per_mtok,
        effective_from=offering.effective_from,
        confidence=Confidence.REPORTED,
        notes=(
            f"List price as {offering.provider_name}'s entry '{offering.api_model_id}' in a price map gave it on "
            f"{offering.effective_from}; linked to this model by a curator. {note}"
        ).strip(),
    )
    price.full_clean()  # the overlap rule, the bounds
    price.save()
    source = Source.objects.filter(url=SOURCE_URL).first()
    if source is not None:
        price.sources.add(source)
    offering.status, offering.price, offering.review_note = Status.LINKED, price, note[:300]
    offering.save(update_fields=["status", "price", "review_note"])
    return price


@transaction.atomic
def create_model_and_link(offering, *, slug, name, organizations, access, task, note=""):
    """Create the model the offering names (what the offering shows, nothing more) and link the offering."""
    model = FoundationModel(
        slug=slug,
        name=name,
        access=access,
        task=task,
        confidence=Confidence.REPORTED,
        notes=(
            f"Created by a curator from {offering.provider_name}'s priced offering '{offering.api_model_id}' "
            f"({offering.effective_from}): only its existence and price are known here. {note}"
        ).strip(),
    )
    model.full_clean()
    model.save()
    model.organizations.set(organizations)
    source = Source.objects.filter(url=SOURCE_URL).first()
    if source is not None:
        model.sources.add(source)
    return model, link_offering(offering, model, note=note)


@transaction.atomic
def ignore_offering(offering, *, reason):
    """Leave the offering out for good (a fine-tune, a router alias...): the reason is required."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why the offering is ignored.")
    offering = UnmatchedOffering.objects.select_for_update().get(pk=offering.pk)
    check_unreviewed(offering)
    offering.status, offering.review_note = Status.IGNORED, reason[:300]
    offering.save(update_fields=["status", "review_note"])
    return offering
