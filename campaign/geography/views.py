from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .forms import CommuneSearchForm
from .models import Commune
from .selectors import with_postcodes

MAX_RESULTS = 50


@require_GET
def commune_search(request):
    """Find communes by postcode or name; HTML for people, JSON (`?format=json`) for a future
    script. Three queries at most, whatever the number of results."""
    form = CommuneSearchForm(request.GET or None)
    query, communes, total = "", [], 0
    if form.is_valid() and form.cleaned_data["q"]:
        query = form.cleaned_data["q"]
        matches = Commune.objects.search(query)
        total = matches.count()
        communes = list(with_postcodes(matches[:MAX_RESULTS]))

    if request.GET.get("format") == "json":
        if form.errors:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        return JsonResponse(
            {
                "query": query,
                "count": total,
                "results": [_as_json(commune) for commune in communes],
            }
        )
    return render(
        request,
        "geography/commune_search.html",
        {
            "form": form,
            "query": query,
            "communes": communes,
            "total": total,
            "truncated": total > len(communes),
        },
    )


def _as_json(commune):
    return {
        "insee_code": commune.insee_code,
        "name": commune.name,
        "kind": commune.kind,
        "department": {"code": commune.department.code, "name": commune.department.name},
        "postcodes": [postcode.code for postcode in commune.postcodes.all()],
    }
