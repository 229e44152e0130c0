"""The apps' imports run one way, as the design's "Layout" draws them (DESIGN.md), so that each
app can be read on its own. Every `import` statement of every module of each app counts,
those inside functions and in migrations included (a migration naming another app's model
by string, in its dependencies or a relation, is no import and is fine)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "campaign",
    "home",
    "stories",
    "gestures",
    "kits",
    "volunteers",
    "mailings",
    "directory",
    "network",
    "helprequests",
)

# Which apps each app may import, `campaign` aside (every app may use it).
ALLOWED = {
    "campaign": set(),
    "home": {"stories", "gestures", "kits", "helprequests"},
    "stories": {"gestures"},
    "gestures": set(),
    "kits": {"volunteers"},
    "volunteers": {"gestures"},
    "mailings": {"volunteers", "gestures", "stories"},
    # Issue 15's apps, which nothing imports back: the directory files its actors under the
    # gestures' categories, shows a commune's stories and volunteer count, scopes its admin
    # to the mairie users' communes, tells the staff kits already tells and maps the engaged
    # communes kits lists; the officials' network files its sheets under the categories, puts
    # them under the stories' workflow and scopes its admin to the mairie users' communes.
    "directory": {"gestures", "stories", "volunteers", "kits", "helprequests"},
    "network": {"gestures", "stories", "volunteers"},
    # Issue 16's help requests: volunteers who agreed to be proposed requests, their
    # interests, consents and forms' shared checks. Home and the directory's commune page
    # show its public figure of hours given, through its selector only.
    "helprequests": {"volunteers"},
}
# kits asks volunteers for a commune's volunteer count through a selector function only; the
# new apps reach the others through their selectors, services and the mairie access model.
ONLY_MODULES = {
    ("kits", "volunteers"): {"volunteers.selectors"},
    ("directory", "stories"): {"stories.selectors"},
    ("directory", "volunteers"): {"volunteers.selectors", "volunteers.models.access"},
    ("directory", "kits"): {
        "kits.services.moderator_addresses",
        "kits.selectors.engaged_communes",
    },
    ("network", "stories"): {"stories.services"},
    ("network", "volunteers"): {"volunteers.selectors", "volunteers.models.access"},
    ("home", "helprequests"): {"helprequests.selectors"},
    ("directory", "helprequests"): {"helprequests.selectors"},
}
# The project's settings and URL files name every app; they are the one exception.
EXEMPT = {Path("campaign/settings"), Path("campaign/urls.py")}
PRIVATE_PARTS = {"views", "templatetags"}


def _modules_of(app):
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT)
        if any(relative == e or e in relative.parents for e in EXEMPT):
            continue
        yield relative


def _package_of(relative):
    # The package a module's relative imports start from: its folder, for __init__ too.
    return list(relative.parts[:-1])


def imported_modules(relative):
    """Every module an `import` or `from … import` names, relative imports resolved; `from x
    import y` gives `x.y` (y may be a submodule, as in `from volunteers import selectors`)."""
    tree = ast.parse((ROOT / relative).read_text(encoding="utf-8"), filename=str(relative))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package_of(relative)
                base = package[: len(package) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            for alias in node.names:
                yield node.lineno, module if alias.name == "*" else f"{module}.{alias.name}"


def violations(app):
    found = []
    for relative in _modules_of(app):
        for lineno, module in imported_modules(relative):
            parts = module.split(".")
            target = parts[0]
            if target not in APPS or target == app:
                continue
            where = f"{relative}:{lineno} imports {module}"
            if target == "mailings":
                found.append(f"{where} (nothing imports mailings)")
            elif PRIVATE_PARTS & set(parts[1:]):
                found.append(f"{where} (another app's views or template tags)")
            elif target == "campaign":
                continue
            elif target not in ALLOWED[app]:
                found.append(f"{where} ({app} may not use {target})")
            elif (app, target) in ONLY_MODULES and not any(
                module == allowed or module.startswith(allowed + ".")
                for allowed in ONLY_MODULES[(app, target)]
            ):
                found.append(f"{where} ({app} uses {target} through its selectors only)")
    return sorted(set(found))


def test_every_app_is_checked():
    # A new app must be placed in the graph before it can import anything.
    present = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert present <= set(APPS), present - set(APPS)


@pytest.mark.parametrize("app", APPS)
def test_imports_run_one_way(app):
    # An app not written yet has no module, hence no violation.
    assert violations(app) == []


def test_the_checker_sees_an_import_hidden_in_a_function(tmp_path, monkeypatch):
    # The guarded imports this test replaced were inside functions: make sure ast.walk
    # finds those, and relative imports resolve to the module's own app.
    app = tmp_path / "gestures"
    app.mkdir()
    (app / "apps.py").write_text("")
    (app / "selectors.py").write_text(
        "from .models import GesturePage\n"
        "def f():\n"
        "    try:\n"
        "        from stories.models import StoryPage\n"
        "    except ImportError:\n"
        "        return None\n"
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert violations("gestures") == [
        "gestures/selectors.py:4 imports stories.models.StoryPage (gestures may not use stories)",
    ]
