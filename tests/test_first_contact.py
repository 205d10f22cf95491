"""What a newcomer meets first: a quiet install, a favicon, and where e-mails go."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.contrib.staticfiles import finders

ROOT = Path(__file__).resolve().parent.parent


def test_it_declares_the_licence_as_an_spdx_string_for_a_setuptools_that_reads_it():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "MIT"  # a table is deprecated and warns on install
    assert "setuptools>=77" in project["build-system"]["requires"]


def test_it_installs_quietly():
    makefile = (ROOT / "Makefile").read_text()
    assert "--quiet --disable-pip-version-check" in makefile
    assert "migrate --noinput --verbosity 0" in makefile


def test_it_links_a_favicon_that_exists(db, client):
    html = client.get("/accounts/login/").content.decode()
    assert 'rel="icon" href="/static/img/favicon.svg" type="image/svg+xml"' in html
    assert finders.find("img/favicon.svg")


def test_the_readme_says_where_development_e_mails_go():
    readme = (ROOT / "README.md").read_text()
    assert "console backend" in readme and "sent_emails" in readme
