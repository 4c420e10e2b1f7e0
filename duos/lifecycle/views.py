"""The pages behind the links of an introduction email, and the team's list of silent duos.

An answer link opens a page with one button: mail scanners follow links, so a GET changes
nothing. No login: the signed link is the proof, as in accounts/handover.py.
"""

from http import HTTPStatus

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from duos.lifecycle import links, services
from duos.models import Answer, DuoState


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = links.read_answer_token(token)
    except links.InvalidAnswerLink as error:
        status = HTTPStatus.GONE if error.expired else HTTPStatus.BAD_REQUEST
        return render(
            request, "duos/answer_invalid.html", {"expired": error.expired}, status=status
        )
    outcome = None
    if request.method == "POST":
        outcome = services.duo_answer(duo=link.duo, side=link.side, answer=link.answer)
    context = {
        "link": link,
        "duo": link.duo,
        "person": getattr(link.duo, link.side),
        "other": getattr(link.duo, "refugee" if link.side == "sponsor" else "sponsor"),
        "outcome": outcome,
        "accepting": link.answer == Answer.ACCEPTED,
        "current": getattr(link.duo, f"{link.side}_answer"),
        "open": link.duo.state == DuoState.WAITING,
    }
    status = HTTPStatus.CONFLICT if outcome == services.AnswerOutcome.CLOSED else HTTPStatus.OK
    return render(request, "duos/answer.html", context, status=status)


def _require_duo_viewer(request: HttpRequest) -> None:
    if not (request.user.is_active and request.user.has_perm("duos.view_duo")):
        raise Http404


@login_required
@require_GET
def waiting(request: HttpRequest) -> HttpResponse:
    """Waiting duos with an answer missing after a week: the team calls them."""
    _require_duo_viewer(request)
    return render(
        request,
        "duos/waiting.html",
        {
            "duos": services.duos_waiting_without_answer(),
            "days": services.NO_ANSWER_AFTER_DAYS,
        },
    )
