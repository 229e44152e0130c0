"""Every periodic command has its systemd timer, and the deployment guide lists it: a command
added to docs/OPERATIONS.md's "Periodic commands" without a timer would never run in
production (the `make run` loop is only the embedded default's)."""

import re
from pathlib import Path

from django.core.management import get_commands

import pytest

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "deploy" / "systemd"
# The "when" of a command run on a schedule (the others run after a change, or once).
SCHEDULED = re.compile(r"^(daily|hourly|every minute|monthly|weekly)")


def _services():
    """command name -> unit stem, from each timer's service's ExecStart."""
    commands = {}
    for timer in sorted(SYSTEMD.glob("*.timer")):
        unit = re.search(r"^Unit=(\S+)$", timer.read_text(), re.M).group(1)
        service = SYSTEMD / unit
        assert service.exists(), f"{timer.name} starts {unit}, which is missing"
        assert unit == timer.with_suffix(".service").name
        command = re.search(r"^ExecStart=\S+ manage\.py (\S+)", service.read_text(), re.M)
        commands[command.group(1)] = timer.stem
    return commands


def _operations_periodic_commands():
    text = (ROOT / "docs" / "OPERATIONS.md").read_text()
    section = text.split("## Periodic commands", 1)[1].split("\n## ", 1)[0]
    commands = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not SCHEDULED.match(cells[0]):
            continue
        commands.append(re.search(r"manage\.py (\S+)", cells[1]).group(1).strip("`"))
    return commands


def test_every_timer_runs_an_existing_command():
    known = get_commands()
    for command in _services():
        assert command in known, command


@pytest.mark.parametrize("command", _operations_periodic_commands())
def test_every_periodic_command_has_a_timer_listed_in_the_deployment_guide(command):
    services = _services()
    assert command in services, f"{command} has no timer in deploy/systemd"
    assert f"`{services[command]}.timer`" in (ROOT / "docs" / "DEPLOY.md").read_text()


def test_the_directory_commands_are_scheduled_everywhere():
    makefile = (ROOT / "Makefile").read_text()
    for command in ("directory_purge", "directory_yearly_check"):
        assert command in _operations_periodic_commands()
        assert f"$(MANAGE) {command}" in makefile


def test_the_help_requests_commands_are_scheduled_everywhere():
    # The expiry frees a request whose volunteer never answered: hourly, or a neighbour
    # waits a day more. The retention is daily, like the other apps'.
    makefile = (ROOT / "Makefile").read_text()
    services = _services()
    timers = {
        "helprequests_expire": "OnCalendar=hourly",
        "helprequests_anonymise": "OnCalendar=*-*-* ",
    }
    for command, schedule in timers.items():
        assert command in _operations_periodic_commands()
        assert f"$(MANAGE) {command}" in makefile
        timer = (SYSTEMD / f"{services[command]}.timer").read_text()
        assert schedule in timer, command
    loop = makefile.split("n % 60", 1)[1]
    hourly, daily = loop.split("n % 1440", 1)
    assert "helprequests_expire" in hourly and "helprequests_anonymise" in daily
