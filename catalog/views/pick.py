"""The picker's search: ``GET /pick/<kind>/?q=lla`` -> ``[{"value": slug, "label": name}]``, at most PICK_LIMIT.

Ranked as the site search ranks (``catalog.search``): names (or slugs) that start with the words first, then
names with a word that starts with them, then any other match. Bounded work whatever the table's size: one
query, LIMITed, served by indexes on PostgreSQL. The labels follow the page's language (a row's Korean name on /ko/).
"""

from django.db.models import Exists, OuterRef
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from catalog import search
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


def ranked(queryset, q):
    """Rows matching ``q`` in a name or the slug, best first: the site search's ranking (``catalog.search``)."""
    return search.ranked(queryset, q)


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
