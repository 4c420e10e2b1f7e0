"""The pages behind the links of an introduction email, and the team's list of silent duos.

An answer link opens a page with one button: mail scanners follow links, so a GET changes
nothing. No login: the signed link is the proof, as in accounts/handover.py.
"""

from http import HTTPStatus

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from duos.lib.access import VIEW_DUO, require_staff
from duos.lib.links import ANSWER_ACCEPT, ANSWER_DECLINE, opens_link
from duos.lifecycle import links, services
from duos.models import Answer, DuoState

WAITING_PAGE_SIZE = 50


@never_cache
@require_http_methods(["GET", "POST"])
@opens_link(ANSWER_ACCEPT, ANSWER_DECLINE, resolve=links.answer_link)
def answer(request: HttpRequest, link: links.AnswerLink) -> HttpResponse:
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


@login_required
@require_GET
def waiting(request: HttpRequest) -> HttpResponse:
    """Waiting duos with an answer missing after a week: the team calls them."""
    require_staff(request.user, VIEW_DUO)
    # After a large run, hundreds of duos can wait at once: a page at a time.
    page_obj = Paginator(services.duos_waiting_without_answer(), WAITING_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "duos/waiting.html",
        {"page_obj": page_obj, "days": services.NO_ANSWER_AFTER_DAYS},
    )
