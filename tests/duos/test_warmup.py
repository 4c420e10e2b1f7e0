"""A web worker warms up before it serves (duos/ops/warmup.py, gunicorn.conf.py)."""

import runpy
from pathlib import Path
from unittest import mock

from django.template import Engine, engines
from django.urls import get_resolver
from django.utils.translation import trans_real

from duos.ops import warmup

ROOT = Path(__file__).resolve().parents[2]


def _compiled_templates() -> set[str]:
    loader = engines["django"].engine.template_loaders[0]
    return set(loader.get_template_cache) if hasattr(loader, "get_template_cache") else set()


def test_warm_up_loads_catalogs_urls_and_templates_without_the_database(settings):
    """No django_db mark: a query would raise (a database that is down must not stop a start)."""
    trans_real._translations.clear()
    get_resolver()._reverse_dict.clear()
    engines["django"].engine.template_loaders[0].reset()

    warmup.warm_up()

    languages = [code for code, _name in settings.LANGUAGES]
    assert set(languages) <= set(trans_real._translations)
    assert set(languages) <= set(get_resolver()._reverse_dict)
    assert {"base.html", "home.html", "duos/staff/followup.html"} <= _compiled_templates()


def test_warm_up_logs_a_broken_template_and_goes_on(tmp_path, caplog):
    (tmp_path / "broken.html").write_text("{% if %}", encoding="utf-8")
    (tmp_path / "fine.html").write_text("fine", encoding="utf-8")

    assert warmup._compile(tmp_path, Engine(dirs=[tmp_path]).get_template) == 1
    assert "broken.html not compiled at warm-up" in caplog.text


def test_gunicorn_workers_warm_up_before_serving():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    worker = mock.Mock()

    with (
        mock.patch.object(warmup, "warm_up") as warm_up,
        mock.patch("gc.freeze") as freeze,
    ):
        config["post_worker_init"](worker)
    warm_up.assert_called_once_with()
    freeze.assert_called_once_with()  # after the warm-up: what it loaded is kept out of GC walks

    with (
        mock.patch.object(warmup, "warm_up", side_effect=RuntimeError("no catalog")),
        mock.patch("gc.freeze") as freeze,
    ):
        config["post_worker_init"](worker)  # the worker serves anyway
    worker.log.exception.assert_called_once()
    freeze.assert_called_once_with()
