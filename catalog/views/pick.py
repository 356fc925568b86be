"""The picker's search: ``GET /pick/<kind>/?q=lla`` -> ``[{"value": slug, "label": name}]``, at most PICK_LIMIT.

Ranked: names (or slugs) that start with the words first, then names with a word that starts with them,
then any other match; alphabetical within a rank. Bounded work whatever the table's size: one query,
LIMITed. The labels follow the page's language (a row's Korean name on /ko/).
"""

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from catalog.models import CloudPrice, Evaluation, FoundationModel, Hardware, Organization, PricePoint
from catalog.widgets import row_label

PICK_LIMIT = 20
MAX_QUERY = 100  # characters; a longer q is a 400


def organizations_with(model):
    return Organization.objects.filter(Exists(model.objects.filter(provider=OuterRef("pk"))))


KINDS = {
    "models": lambda: FoundationModel.objects.all(),
    "sized-models": lambda: FoundationModel.objects.filter(parameters__gt=0),  # what the estimators can use
    "hardware": lambda: Hardware.objects.all(),
    "accelerators": lambda: Hardware.objects.accelerators(),
    "organizations": lambda: Organization.objects.all(),
    "evaluations": lambda: Evaluation.objects.all(),
    # Who charges for tokens, who rents chips by the hour, who designs chips.
    "providers": lambda: organizations_with(PricePoint),
    "cloud-providers": lambda: organizations_with(CloudPrice),
    "vendors": lambda: Organization.objects.filter(Exists(Hardware.objects.filter(vendor=OuterRef("pk")))),
}
NAME_FIELDS = ("name", "name_ko", "local_name")  # the fields every picked table has


def ranked(queryset, q):
    """Rows matching ``q`` in a name or the slug, best first (see the module docstring)."""
    names = [field for field in NAME_FIELDS if field in {f.name for f in queryset.model._meta.get_fields()}]
    slug_q = q.replace(" ", "-")
    starts = Q(slug__istartswith=slug_q)
    word_starts = Q()
    contains = Q(slug__icontains=slug_q)
    for field in names:
        starts |= Q(**{f"{field}__istartswith": q})
        for separator in (" ", "-", "(", "."):
            word_starts |= Q(**{f"{field}__icontains": separator + q})
        contains |= Q(**{f"{field}__icontains": q})
    rank = Case(
        When(starts, then=Value(0)), When(word_starts, then=Value(1)), default=Value(2), output_field=IntegerField()
    )
    return queryset.filter(contains).annotate(pick_rank=rank).order_by("pick_rank", "name", "pk")


@require_GET
def pick(request, kind):
    if kind not in KINDS:
        raise Http404
    q = " ".join(request.GET.get("q", "").split())
    if len(q) > MAX_QUERY:
        return JsonResponse({"error": f"q: at most {MAX_QUERY} characters."}, status=400)
    if "\x00" in q:  # PostgreSQL refuses NUL in a string: a 400 here, not a 500 from the database
        return JsonResponse({"error": "q: null characters are not allowed."}, status=400)
    rows = list(ranked(KINDS[kind](), q)[:PICK_LIMIT]) if q else []
    response = JsonResponse([{"value": row.slug, "label": row_label(row)} for row in rows], safe=False)
    response["Cache-Control"] = "private, max-age=60"
    return response
