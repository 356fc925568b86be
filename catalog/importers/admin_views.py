"""The admin's import page: upload and preview, then confirm; every run lands in the change log."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from catalog.importers.records import IMPORTABLE
from catalog.importers.service import confirm_preview, import_file, pending_previews
from catalog.models import ImportRun
from catalog.models.imports import ImportFormat

IMPORT_PERMISSION = "catalog.add_importrun"


class UploadForm(forms.Form):
    file = forms.FileField(help_text="JSON or YAML fixture, or CSV; UTF-8.")
    format = forms.ChoiceField(choices=ImportFormat.choices)
    table = forms.ChoiceField(
        choices=[("", "—"), *[(label, model._meta.verbose_name) for label, model in IMPORTABLE.items()]],
        required=False,
        help_text="For CSV: the catalog table the file holds.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:  # refused before it is read into memory
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; the limit is {settings.IMPORT_MAX_BYTES:,} (IMPORT_MAX_BYTES)."
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("format") == ImportFormat.CSV and not cleaned.get("table"):
            self.add_error("table", "A CSV file holds one table: pick it.")
        return cleaned


def check_permission(request):
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied


def upload_view(request):
    """GET: the form. POST: a dry run, shown as a preview with a Confirm button when nothing failed."""
    check_permission(request)
    report, status = None, 200
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = import_file(
                fmt=form.cleaned_data["format"],
                data=upload.read(),
                file_name=upload.name,
                dry_run=True,
                user=request.user,
                table=form.cleaned_data["table"],
                keep_for_confirmation=True,
            )
            if not report.ok:
                form.add_error("file", report.run.file_error or f"{report.run.errors} record(s) have errors.")
                status = 400
        else:
            status = 400
    context = {
        **admin.site.each_context(request),
        "title": "Import data",
        "form": form,
        "report": report,
        "opts": ImportRun._meta,
    }
    return TemplateResponse(request, "admin/catalog/import_upload.html", context, status=status)


def confirm_view(request, run_id):
    check_permission(request)
    if request.method != "POST":
        return redirect("admin:catalog_importrun_import")
    # Only its own user may confirm a preview; anyone else is told there is no such preview.
    run = get_object_or_404(pending_previews(), pk=run_id, user=request.user)
    report = confirm_preview(run, user=request.user)
    if report.ok:
        messages.success(
            request, f"Imported {run.file_name}: {report.run.created} created, {report.run.updated} updated."
        )
    elif report.run.file_error:
        messages.error(request, report.run.file_error)
    else:
        messages.error(request, "Nothing was written: the file no longer validates (see the run's rows).")
    return redirect(reverse("admin:catalog_importrun_change", args=[report.run.pk]))
