"""Chart and comparison pages: a GET form for the controls, a figure from ``catalog.charts``, a caption.

Each page names the glossary concept behind it and links to the rows it plots (list page and API).
"""

from types import SimpleNamespace
from urllib.parse import urlencode

from django.db.models import Count, F, Prefetch, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import charts, compare_charts, filters, forms, price_charts, thinning
from catalog.cache import figures as figure_cache
from catalog.choices import Currency, Task
from catalog.comparisons import comparable_hardware, compare_hardware
from catalog.models import Concept, FoundationModel, Hardware, PricePoint, TrainingRun
from catalog.views.figures import figure_context

DEFAULT_ROOFLINE_VENDORS = 4
# Distinct rooflines by default: four vendors, peaks from 0.26 to 1.3 PFLOP/s, bandwidths from 1.5 to 5.3 TB/s.
DEFAULT_ROOFLINE_CHIPS = ["nvidia-h100-sxm", "amd-mi300x", "google-tpu-v5p", "furiosa-rngd"]
# A well-known dense open-weights model people self-host.
DEFAULT_ROOFLINE_MODEL = "llama-3-70b"
DEFAULT_PRICE_MODELS = 4
VENDOR_CHART_CHIPS = 60
# The default price chart answers "how did GPT-4-class prices fall?": frontier chat models from 2023 on.
DEFAULT_CHAT_PRICE_MODELS = ["gpt-4", "gpt-4-turbo", "gpt-4o", "claude-3-5-sonnet", "llama-3-70b"]


def chart_page(
    request,
    template,
    *,
    title,
    description,
    concept_slugs,
    figures,
    captions=None,
    tables=None,
    form=None,
    rows_url="",
    api_url="",
    **extra,
):
    """Render a chart page. ``figures`` maps an element id to a plotly figure; ``description`` is the page's
    meta description: the question the chart answers, in a sentence or two. ``captions`` gives each figure its own
    caption (else the title names it) and ``tables`` the rows it draws (else ``rows_url``): see figure_context."""
    concepts = {concept.slug: concept for concept in Concept.objects.filter(slug__in=concept_slugs)}
    context = {
        "title": title,
        "description": description,
        "concepts": [concepts[slug] for slug in concept_slugs if slug in concepts],
        "figures": figure_context(figures, captions, tables),
        "form": form,
        "rows_url": rows_url,
        "api_url": api_url,
        **extra,
    }
    return render(request, template, context, status=400 if form is not None and form.errors else 200)


def valid_or_initial(form_class, request):
    """The bound form when the query is valid, else the bound form (for its errors) and the initial values."""
    form = form_class(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data
    defaults = {name: field.initial for name, field in form_class.base_fields.items()}
    return form if form.is_bound else form_class(), defaults


def moores_law_figure():
    """The Moore's-law figure (as JSON data) and fits: fitted on every chip, drawn from a sample
    (``catalog.thinning``); built once per write (the home page draws it too)."""

    def build():
        chips = Hardware.objects.exclude(transistors=None).exclude(release_date=None)
        rows = list(chips.values_list("pk", "release_date", "transistors", "kind"))
        keep = thinning.thinned((pk, date, count) for pk, date, count, _kind in rows)
        sample = thinning.narrowed(chips, keep, len(rows)).select_related("vendor").order_by("release_date")
        figure, fits = charts.moores_law(sample, fit_rows=[row[1:] for row in rows])
        return charts.figure_json(figure), fits, {"shown": len(keep), "holding": len(rows)}

    return figure_cache.cached("moores-law", (), build)


def moores_law(request):
    figure, fits, sampled = moores_law_figure()
    return chart_page(
        request,
        "catalog/charts/moores_law.html",
        title=_("Moore's law: transistors per chip"),
        description=_(
            "Is Moore's law still holding? Transistors per chip by release date for CPUs and AI accelerators, "
            "by vendor, with the fitted doubling times."
        ),
        concept_slugs=["moores-law", "transistor", "process-node"],
        figures={"moores-law": figure},
        captions={"moores-law": _("Transistors per chip, CPUs and AI accelerators")},
        fits=fits,
        sampled=sampled,
        rows_url=reverse("catalog:hardware-list") + "?ordering=release_date",
        api_url=reverse("api:hardware-list") + "?ordering=release_date&format=csv",
    )


def vendor_comparison(request):
    form, values = valid_or_initial(forms.VendorChartForm, request)
    metric = values.get("metric") or "bf16_flops"
    holding = Hardware.objects.accelerators().filter(**{f"{metric}__gt": 0})
    # The highest VENDOR_CHART_CHIPS: a readable chart and a bounded page whatever the catalog's size.
    chips = holding.select_related("vendor").order_by(F(metric).desc(), "name")[:VENDOR_CHART_CHIPS]
    total = holding.count()
    return chart_page(
        request,
        "catalog/charts/vendors.html",
        title=_("Vendors compared, chip by chip"),
        description=_(
            "How do NVIDIA, AMD, Google, the cloud vendors' own chips and the Korean NPUs compare? Peak throughput, "
            "memory and bandwidth, chip by chip."
        ),
        concept_slugs=["flops", "hbm", "npu", "tpu"],
        figures={"vendors": charts.vendor_comparison(chips, metric)},
        captions={
            "vendors": _("%(metric)s of each chip, coloured by vendor") % {"metric": charts.VENDOR_METRICS[metric][0]}
        },
        shown=min(VENDOR_CHART_CHIPS, total),
        holding=total,
        form=form,
        rows_url=reverse("catalog:hardware-list") + f"?ordering=-{metric}",
        api_url=reverse("api:vendor-stats"),
    )


def ppa(request):
    chips = Hardware.objects.accelerators().with_derived_metrics()
    fields = ["pk", "bf16_flops_per_mm2", "bf16_flops_per_watt", "die_area_mm2", "tdp_watts", "bf16_flops"]
    rows = [dict(zip(fields, row, strict=True)) for row in chips.values_list(*fields)]
    drawn = [row for row in rows if row["bf16_flops_per_watt"] and row["bf16_flops_per_mm2"]]
    keep = thinning.thinned((row["pk"], row["bf16_flops_per_mm2"], row["bf16_flops_per_watt"]) for row in drawn)
    return chart_page(
        request,
        "catalog/charts/ppa.html",
        title=_("Power, performance, area"),
        description=_(
            "Power, performance and area of AI accelerators: BF16 throughput per watt against throughput per mm² "
            "of die, chip by chip."
        ),
        concept_slugs=["ppa", "dennard-scaling"],
        figures={"ppa": charts.ppa(thinning.narrowed(chips, keep, len(drawn)).select_related("vendor"))},
        captions={"ppa": _("Performance per watt against performance per area, one point per chip")},
        coverage=charts.ppa_coverage(SimpleNamespace(**row) for row in rows),
        sampled={"shown": len(keep), "holding": len(drawn)},
        missing_url=reverse("catalog:hardware-list") + "?ordering=die_area_mm2",
        rows_url=reverse("catalog:hardware-list") + "?ordering=-bf16_flops_per_watt",
        api_url=reverse("api:hardware-list") + "?ordering=-bf16_flops_per_watt&format=csv",
    )


def default_roofline_chips():
    """``DEFAULT_ROOFLINE_CHIPS`` where the catalog has them, else the newest chip with a roofline from each
    of the vendors with the most such chips."""
    candidates = comparable_hardware().with_roofline()
    chosen = {chip.slug: chip for chip in candidates.filter(slug__in=DEFAULT_ROOFLINE_CHIPS)}
    if len(chosen) >= 2:
        return [chosen[slug] for slug in DEFAULT_ROOFLINE_CHIPS if slug in chosen]
    by_vendor = {}
    for chip in candidates.order_by("vendor__name", F("release_date").desc(nulls_last=True)):
        by_vendor.setdefault(chip.vendor_id, []).append(chip)
    largest = sorted(by_vendor.values(), key=lambda chips: (-len(chips), chips[0].vendor.name))
    return [chips[0] for chips in largest[:DEFAULT_ROOFLINE_VENDORS]]


def default_roofline_model():
    """Llama 3 70B, else the newest dense open-weights model with a known size: a typical self-hosted workload."""
    known = FoundationModel.objects.filter(slug=DEFAULT_ROOFLINE_MODEL).exclude(parameters=None).first()
    if known is not None:
        return known
    dense = FoundationModel.objects.filter(access="open-weights", active_parameters=None).exclude(parameters=None)
    return dense.order_by(F("release_date").desc(nulls_last=True)).first()


def roofline(request):
    form, values = valid_or_initial(forms.RooflineForm, request)
    chips = list(values.get("chips") or []) or default_roofline_chips()
    model = values.get("model") or default_roofline_model()
    if not form.is_bound:  # show the defaults in the pickers too
        form = forms.RooflineForm(initial={"model": model, "chips": chips, "prompt_tokens": 2048, "batch": 1})
    workloads = []
    if model is not None:
        workloads = charts.transformer_workloads(
            model, prompt_tokens=values.get("prompt_tokens") or 2048, batch=values.get("batch") or 1
        )
    return chart_page(
        request,
        "catalog/charts/roofline.html",
        title=_("Roofline: where prefill and decode fall"),
        description=_(
            "Is serving a model compute-bound or memory-bound? The rooflines of AI chips, with where a model's "
            "prefill and decode fall on each."
        ),
        concept_slugs=["roofline-model", "arithmetic-intensity", "prefill-and-decode", "memory-wall"],
        figures={"roofline": charts.roofline(chips, workloads)},
        captions={
            "roofline": _("The rooflines of the chips picked, with the model's prefill and decode as dashed lines")
        },
        form=form,
        subject=model,
        workloads=workloads,
        rows_url=reverse("catalog:hardware-list") + "?ordering=-ridge_point",
        api_url=reverse("api:compare-hardware") + "?slugs=" + ",".join(chip.slug for chip in chips),
    )


def default_price_models(task):
    """For chat, ``DEFAULT_CHAT_PRICE_MODELS`` where the catalog has their prices; else the task's models
    with the most price periods."""
    if task == Task.CHAT:
        known = {
            model.slug: model
            for model in FoundationModel.objects.filter(
                slug__in=DEFAULT_CHAT_PRICE_MODELS, task=task, prices__currency=Currency.USD
            ).distinct()
        }
        if len(known) >= 2:
            return [known[slug] for slug in DEFAULT_CHAT_PRICE_MODELS if slug in known]
    return list(
        FoundationModel.objects.filter(task=task, prices__currency=Currency.USD)
        .annotate(periods=Count("prices"))
        .filter(periods__gt=1)
        .order_by("-periods", "name")[:DEFAULT_PRICE_MODELS]
    )


def cheapest_figure(prices, kind="blended"):
    """The cheapest-price line of ``prices`` (JSON data), built once per write: the price chart keeps its class's
    line whichever models are picked, and the home page draws the chat models' line."""

    def build():
        steps = price_charts.cheapest_steps_in(prices, kind)
        return charts.figure_json(price_charts.cheapest_price_figure(steps=steps, kind=kind))

    return figure_cache.cached("cheapest", (figure_cache.rows_read(prices), kind), build)


# Ready-made capability classes: any model filter works, these are shortcuts shown on the page.
PRICE_CLASS_PRESETS = [
    (gettext_lazy("Every model"), ""),
    (gettext_lazy("About GPT-3 on MMLU (≥ 42)"), "capability=mmlu-42"),
    (gettext_lazy("GPT-4 level on MMLU"), "capability=gpt-4-mmlu"),
    (gettext_lazy("Open-weights models"), "access=open-weights"),
    (gettext_lazy("100B+ parameters"), "parameters_min=100000000000"),
    (gettext_lazy("GPT family"), "family=GPT"),
    (gettext_lazy("Claude family"), "family=Claude"),
    (gettext_lazy("Gemini family"), "family=Gemini"),
    (gettext_lazy("Korean developers"), "country=KR"),
]


def prices(request):
    form, values = valid_or_initial(forms.PriceChartForm, request)
    task = values.get("task") or Task.CHAT
    kind = values.get("kind") or "blended"
    group = values.get("group") or "model"
    picked = list(values.get("models") or [])
    models = [model for model in picked if model.task == task] or default_price_models(task)
    other_task = [model for model in picked if model.task != task]
    in_task = (
        PricePoint.objects.comparable(task).select_related("model", "provider").prefetch_related("model__organizations")
    )
    if group == "family":
        families = {model.family for model in models if model.family}
        lines = in_task.filter(Q(model__in=models) | Q(model__family__in=families))
    else:
        lines = in_task.filter(model__in=models)
    # The capability class is whatever the model filters select (the same FilterSet as the models list).
    capability_class = filters.FoundationModelFilterSet(
        request.GET, queryset=FoundationModel.objects.all(), request=request
    )
    class_models = capability_class.qs if capability_class.is_valid() else FoundationModel.objects.none()
    class_prices = in_task.filter(model__in=class_models.values("pk")).only(*price_charts.STEP_LINE_FIELDS)
    lines = list(lines)
    # The class's rows, cheapest first (the model filters other than the capability have no price-list twin).
    cheapest_rows = {"task": task, "ordering": f"{kind}_per_mtok"}
    if capability_class.is_valid() and capability_class.form.cleaned_data.get("capability"):
        cheapest_rows["capability"] = request.GET["capability"]
    model_query = "&".join(f"model={m.slug}" for m in models)
    return chart_page(
        request,
        "catalog/charts/prices.html",
        title=_("Price per million tokens over time"),
        description=_(
            "How fast are token prices falling? The API price per million tokens of foundation models over time, "
            "and the cheapest price in force on each date."
        ),
        concept_slugs=["token", "inference"],
        figures={
            "price-history": price_charts.price_history(lines, kind=kind, group=group),
            "cheapest": cheapest_figure(class_prices.prefetch_related(None), kind),
        },
        captions={
            "price-history": _("Price per 1M tokens of each model drawn, over time"),
            "cheapest": _("Cheapest price in force among the class's models, over time"),
        },
        tables={"cheapest": reverse("catalog:price-list") + "?" + urlencode(cheapest_rows)},
        form=form,
        capability_class=capability_class,
        fall=price_charts.price_fall(lines, kind),
        class_presets=PRICE_CLASS_PRESETS,
        subject_models=models,
        other_task=other_task,
        task_label=Task(task).label,
        kind_label=price_charts.PRICE_KINDS[kind],
        rows_url=reverse("catalog:price-list") + "?" + model_query,
        api_url=reverse("api:pricepoint-list") + "?format=csv&" + model_query,
    )


def model_scale(request):
    form, values = valid_or_initial(forms.ModelScaleForm, request)
    metric = values.get("metric") or "parameters"
    holding = FoundationModel.objects.exclude(release_date=None).filter(**{f"{metric}__gt": 0})
    points = list(holding.values_list("pk", "release_date", metric))
    keep = thinning.thinned(points)
    models = thinning.narrowed(holding, keep, len(points)).prefetch_related(
        "organizations", Prefetch("training_runs", queryset=TrainingRun.objects.select_related("hardware"))
    )
    return chart_page(
        request,
        "catalog/charts/chart.html",
        title=_("Model scale over time"),
        description=_(
            "How fast are foundation models growing? Parameters, training compute and training tokens of notable "
            "models by release date."
        ),
        concept_slugs=["foundation-model", "large-language-model", "training"],
        figures={"model-scale": charts.model_scale(models, metric)},
        captions={
            "model-scale": _("%(metric)s of each model by release date") % {"metric": charts.SCALE_METRICS[metric]}
        },
        sampled={"shown": len(keep), "holding": len(points)},
        form=form,
        rows_url=reverse("catalog:model-list") + f"?ordering=-{metric}",
        api_url=reverse("api:foundationmodel-list") + f"?ordering=-{metric}&format=csv",
    )


def compare(request):
    hardware_form = forms.CompareHardwareForm(request.GET or None)
    models_form = forms.CompareModelsForm(request.GET or None)
    comparison, compared_models, figures, unscored = None, [], {}, []
    if hardware_form.is_bound and hardware_form.is_valid() and hardware_form.cleaned_data["chips"]:
        slugs = [chip.slug for chip in hardware_form.cleaned_data["chips"]]
        chips = sorted(comparable_hardware().filter(slug__in=slugs), key=lambda chip: chip.slug)
        comparison = compare_hardware(chips)
        figures["compare-hardware"] = compare_charts.hardware_comparison(comparison)
        unscored = figures["compare-hardware"].layout.meta["unscored"]
    if models_form.is_bound and models_form.is_valid() and models_form.cleaned_data["models"]:
        compared_models = list(
            FoundationModel.objects.filter(pk__in=models_form.cleaned_data["models"])
            .prefetch_related("organizations", "sources")
            .order_by("release_date")
        )
        figures["compare-models"] = compare_charts.model_comparison(compared_models)
    errors = bool(hardware_form.errors or models_form.errors)
    concepts = {c.slug: c for c in Concept.objects.filter(slug__in=["ppa", "roofline-model"])}
    context = {
        "title": _("Compare chips or models"),
        "description": _(
            "AI chips or foundation models side by side: every figure with its confidence and sources, and the best "
            "value marked."
        ),
        "hardware_form": hardware_form if hardware_form.is_bound else forms.CompareHardwareForm(),
        "models_form": models_form if models_form.is_bound else forms.CompareModelsForm(),
        "comparison": comparison,
        "compared_models": compared_models,
        "unscored": unscored,
        "figures": figure_context(
            figures,
            captions={
                "compare-hardware": _("The chips picked, each figure scored against the best"),
                "compare-models": _("The models picked, figure by figure"),
            },
            tables={"compare-hardware": "#chips-compared", "compare-models": "#models-compared"},
        ),
        "concepts": list(concepts.values()),
        "rows_url": reverse("catalog:hardware-list"),
        "api_url": reverse("api:compare-hardware"),
    }
    return render(request, "catalog/compare.html", context, status=400 if errors else 200)
