"""The downloads report: counts per kit and file over a period, as a chart, a table, CSV and
XLSX."""

import csv
import datetime
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from openpyxl import Workbook

from campaign.exports import neutralise_row

from . import services
from .forms import ReportPeriodForm
from .models import EngagedCommune, PersonalisedPoster

CHART_WIDTH = 600  # SVG user units; the bars scale to the largest count


def _period(request):
    today = timezone.localdate()
    default = {"start": today - datetime.timedelta(days=29), "end": today}
    form = ReportPeriodForm(request.GET if "start" in request.GET else None, initial=default)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default["start"], default["end"]


def _flat_rows(kits):
    for kit in kits:
        for kit_file in kit["files"]:
            yield [
                kit["title"],
                kit_file["label"],
                kit_file["document"],
                kit_file["language"],
                kit_file["type"],
                kit_file["count"],
            ]


def _headings():
    return [_("Kit"), _("Format"), _("Document"), _("Langue"), _("Type"), _("Téléchargements")]


REPORT_PERMISSION = "kits.view_downloadcount"


def may_see_download_report(user) -> bool:
    """Staff who keep the kits (Editors, superusers), not every admin user."""
    return user.is_active and user.has_perm(REPORT_PERMISSION)


def download_report(request):
    if not may_see_download_report(request.user):
        raise PermissionDenied
    form, start, end = _period(request)
    kits = services.download_report(start=start, end=end)
    export = request.GET.get("export")
    filename = f"telechargements-{start.isoformat()}-{end.isoformat()}"
    if export == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
        writer = csv.writer(response)
        writer.writerow(_headings())
        writer.writerows(neutralise_row(row) for row in _flat_rows(kits))
        return response
    if export == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Téléchargements")
        sheet.append(_headings())
        for row in _flat_rows(kits):
            sheet.append(neutralise_row(row))
        out = io.BytesIO()
        workbook.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response

    largest = max((kit["total"] for kit in kits), default=0)
    bars = []
    for index, kit in enumerate(kits):
        bars.append(
            {
                "title": kit["title"],
                "total": kit["total"],
                "y": index * 32,
                "width": round(CHART_WIDTH * kit["total"] / largest) if largest else 0,
            }
        )
    query = request.GET.copy()
    query.pop("export", None)
    return render(
        request,
        "kits/admin/download_report.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "kits": kits,
            "bars": bars,
            "chart_height": max(len(bars), 1) * 32,
            "chart_width": CHART_WIDTH,
            "grand_total": sum(kit["total"] for kit in kits),
            "query": query.urlencode(),
            "header_title": _("Téléchargements des kits"),
        },
    )


# Moderation of engaged communes and posters ----------------------------------------------


def _engagement_details(engagement):
    return [
        (_("Commune"), str(engagement.commune)),
        (_("Nom du contact"), engagement.contact_name),
        (_("Fonction"), engagement.role),
        (_("Adresse électronique"), engagement.email),
        (_("État"), engagement.get_status_display()),
    ]


def _poster_details(poster):
    return [
        (_("Commune"), str(poster.commune)),
        (_("Ligne de contact"), poster.contact_line),
        (_("Ligne d'événement"), poster.event_line or "–"),
        (_("État"), poster.get_status_display()),
    ]


MODERATION = {
    # model name -> permission, queryset, the actions (service, question, button, success)
    "engagedcommune": {
        "permission": "kits.moderate_engagedcommune",
        "queryset": lambda: EngagedCommune.objects.select_related("commune__department"),
        "details": _engagement_details,
        "icon": "group",
        "actions": {
            "approve": (
                lambda obj: services.engaged_commune_approve(engagement=obj),
                lambda obj: (
                    _("Publier %(commune)s sur la liste des communes engagées ?")
                    % {"commune": obj.commune}
                ),
                lambda: _("Oui, approuver"),
                lambda obj: (
                    _("%(commune)s est désormais listée parmi les communes engagées.")
                    % {"commune": obj.commune}
                ),
            ),
            "withdraw": (
                lambda obj: services.engaged_commune_withdraw(engagement=obj),
                lambda obj: (
                    _("Retirer %(commune)s ? La commune disparaîtra de toutes les pages publiques.")
                    % {"commune": obj.commune}
                ),
                lambda: _("Oui, retirer"),
                lambda obj: (
                    _("%(commune)s est retirée des pages publiques.") % {"commune": obj.commune}
                ),
            ),
        },
    },
    "personalisedposter": {
        "permission": "kits.moderate_personalisedposter",
        "queryset": lambda: PersonalisedPoster.objects.select_related("commune__department"),
        "details": _poster_details,
        "icon": "doc-full",
        "actions": {
            "approve": (
                lambda obj: services.poster_approve(poster=obj),
                lambda obj: (
                    _(
                        "Afficher cette affiche, avec ses lignes de contact et d'événement, sur la "
                        "page de %(commune)s ?"
                    )
                    % {"commune": obj.commune}
                ),
                lambda: _("Oui, approuver"),
                lambda obj: (
                    _("L'affiche apparaît sur la page de %(commune)s.") % {"commune": obj.commune}
                ),
            ),
            "withdraw": (
                lambda obj: services.poster_withdraw(poster=obj),
                lambda obj: (
                    _(
                        "Retirer cette affiche de la page de %(commune)s ? La mairie garde ses "
                        "fichiers."
                    )
                    % {"commune": obj.commune}
                ),
                lambda: _("Oui, retirer"),
                lambda obj: (
                    _("L'affiche est retirée de la page de %(commune)s.") % {"commune": obj.commune}
                ),
            ),
        },
    },
}


def moderate(request, pk, action, *, model_name, list_url_name):
    """Approve or withdraw one engaged commune or poster: a confirmation page (GET), then the
    change (POST). Only staff holding the moderation permission; mairie users never have it."""
    config = MODERATION[model_name]
    if not request.user.has_perm(config["permission"]):
        raise PermissionDenied
    if action not in config["actions"]:
        raise Http404
    obj = get_object_or_404(config["queryset"](), pk=pk)
    run, question, button, success = config["actions"][action]
    list_url = reverse(list_url_name)
    next_url = request.POST.get("next") or request.GET.get("next") or list_url
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = list_url
    if request.method == "POST":
        try:
            run(obj)
        except services.ModerationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, success(obj))
        return redirect(next_url)
    return render(
        request,
        "kits/admin/moderate.html",
        {
            "header_title": _("Approuver") if action == "approve" else _("Retirer"),
            "icon": config["icon"],
            "question": question(obj),
            "button_label": button(),
            "details": config["details"](obj),
            "action": action,
            "next_url": next_url,
        },
    )
