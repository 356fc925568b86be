"""The curator's queue in the admin: offerings awaiting review, settled with three actions.

Each action asks for what it needs on an intermediate page (the model to link to, the reason to ignore, the
model to create), calls ``catalog.importers.review`` per offering, and writes each step to the admin's
history (LogEntry), so who settled what, and how, stays on record.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from catalog.choices import Access, Task
from catalog.importers import review
from catalog.importers.litellm import billed_id, task_of
from catalog.importers.offering_names import canonical_name, display_name, product_name
from catalog.models import FoundationModel, Organization, UnmatchedOffering


class SlugsField(forms.CharField):
    """Slugs of existing rows of ``model``, comma-separated."""

    def __init__(self, model, *args, **kwargs):
        self.model = model
        super().__init__(*args, **kwargs)

    def clean(self, value):
        slugs = [slug.strip() for slug in super().clean(value).split(",") if slug.strip()]
        found = {row.slug: row for row in self.model.objects.filter(slug__in=slugs)}
        missing = [slug for slug in slugs if slug not in found]
        if missing or not slugs:
            raise ValidationError(_("No such row: %(slugs)s") % {"slugs": ", ".join(missing) or "—"})
        return [found[slug] for slug in slugs]


class LinkForm(forms.Form):
    model = SlugsField(
        FoundationModel, label=_("Model (slug)"), help_text=_("The catalog model these offerings serve.")
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class IgnoreForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, help_text=_("e.g. a fine-tune, a router alias."))


class CreateForm(forms.Form):
    slug = forms.SlugField(label=_("Slug"), max_length=80)
    name = forms.CharField(label=_("Name"), max_length=150)
    organizations = SlugsField(Organization, label=_("Developers (slugs, comma-separated)"))
    access = forms.ChoiceField(label=_("Access"), choices=Access.choices)
    task = forms.ChoiceField(label=_("Task"), choices=Task.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if FoundationModel.objects.filter(slug=slug).exists():
            raise ValidationError(_("A model with this slug exists: link to it instead."))
        return slug


class UnmatchedOfferingAdmin(admin.ModelAdmin):
    """Prices from imported price maps that name no catalog model: link, create the model, or ignore."""

    list_display = [
        "provider_name",
        "api_model_id",
        "mode",
        "context_tier",
        "input_per_mtok",
        "output_per_mtok",
        "status",
    ]
    list_filter = ["status", "provider_name", "mode"]
    search_fields = ["api_model_id", "provider_name"]
    readonly_fields = ["import_run", "details", "status", "price", "review_note"]
    autocomplete_fields = ["provider"]
    actions = ["link_to_model", "create_model", "ignore"]

    def ask(self, request, queryset, form, title, action):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "offerings": queryset,
            "action": action,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/catalog/review_action.html", context)

    def settle(self, request, queryset, step, message):
        """Run ``step`` on each open offering; log each success, report each refusal."""
        done = 0
        for offering in queryset:
            try:
                result = step(offering)
            except ValidationError as error:
                self.message_user(request, f"{offering}: {' '.join(error.messages)}", messages.ERROR)
                continue
            self.log_change(request, offering, message(result))
            done += 1
        if done:
            self.message_user(request, _("%(count)d offering(s) settled.") % {"count": done}, messages.SUCCESS)

    # Settling an offering writes price points (and a model): the curator needs those rights too, not only
    # the right to change the queue.
    def has_link_permission(self, request):
        return self.has_change_permission(request) and request.user.has_perm("catalog.add_pricepoint")

    def has_create_model_permission(self, request):
        return self.has_link_permission(request) and request.user.has_perm("catalog.add_foundationmodel")

    @admin.action(description=_("Link to an existing model…"), permissions=["link"])
    def link_to_model(self, request, queryset):
        form = LinkForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self.ask(request, queryset, form, _("Link offerings to a model"), "link_to_model")
        (model,) = form.cleaned_data["model"][:1]
        note = form.cleaned_data["note"]
        self.settle(
            request,
            queryset,
            lambda offering: review.link_offering(offering, model, note=note),
            lambda price: f"Linked to {model.slug}: price point {price.pk}. {note}".strip(),
        )
        return None

    @admin.action(description=_("Create the model it names, and link…"), permissions=["create_model"])
    def create_model(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Pick one offering to create a model from."), messages.ERROR)
            return None
        offering = queryset.get()
        # Suggested as the importer would make it: the product's canonical name and readable name, the task.
        product = product_name(canonical_name(billed_id(offering.api_model_id)))
        initial = {
            "slug": product[:80],
            "name": display_name([billed_id(offering.api_model_id)]),
            "task": task_of(offering.mode),
        }
        form = CreateForm(request.POST if "apply" in request.POST else None, initial=initial)
        if not form.is_valid():
            return self.ask(request, queryset, form, _("Create a model from an offering"), "create_model")
        values = form.cleaned_data
        self.settle(
            request,
            queryset,
            lambda offering: review.create_model_and_link(offering, **values),
            lambda created: f"Created model {created[0].slug} and linked: price point {created[1].pk}.",
        )
        return None

    @admin.action(description=_("Ignore, with a reason…"), permissions=["change"])
    def ignore(self, request, queryset):
        form = IgnoreForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self.ask(request, queryset, form, _("Ignore offerings"), "ignore")
        reason = form.cleaned_data["reason"]
        self.settle(
            request,
            queryset,
            lambda offering: review.ignore_offering(offering, reason=reason),
            lambda _offering: f"Ignored: {reason}",
        )
        return None


__all__ = ["UnmatchedOffering", "UnmatchedOfferingAdmin"]
