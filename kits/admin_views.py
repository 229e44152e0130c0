"""The downloads report: counts per kit and file over a period, as a chart, a table, CSV and
XLSX."""

import csv
import datetime
import io

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from openpyxl import Workbook

from . import services
from .forms import ReportPeriodForm

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


def download_report(request):
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
        writer.writerows(_flat_rows(kits))
        return response
    if export == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Téléchargements")
        sheet.append(_headings())
        for row in _flat_rows(kits):
            sheet.append(row)
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
