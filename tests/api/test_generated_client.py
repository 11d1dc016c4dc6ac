"""A client generated from the OpenAPI document (openapi-python-client) builds without warnings
and reads the live API into its typed models, refusals included."""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from pytest_django.live_server_helper import LiveServer

from komunigi.community.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture
def generated_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(Client().get("/api/v1/openapi.json").json()))
    made = subprocess.run(  # noqa: S603 - our own generator, on our own document
        [str(GENERATOR), "generate", "--path", str(document), "--meta", "none",
         "--output-path", str(tmp_path / "komunigi_client")],
        capture_output=True,
        text=True,
        # The generator formats its code with ruff, found on PATH beside it.
        env={**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ['PATH']}"},
        check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    assert "Warning" not in made.stdout + made.stderr, made.stdout + made.stderr
    monkeypatch.syspath_prepend(str(tmp_path))
    return importlib.import_module("komunigi_client")


def test_a_generated_client_reads_the_api(generated_client, live_server: LiveServer) -> None:
    OrganisationFactory(name="BEES coop", slug="bees-coop")
    client = generated_client.Client(base_url=live_server.url)
    community = importlib.import_module("komunigi_client.api.community")
    listed = importlib.import_module(
        f"{community.__name__}.komunigi_community_api_list_organisations"
    ).sync(client=client)
    assert [o.slug for o in listed.items] == ["bees-coop"]
    assert listed.count == 1
    one = importlib.import_module(f"{community.__name__}.komunigi_community_api_get_organisation")
    missing = one.sync_detailed(client=client, slug="nobody")
    assert missing.status_code == 404
    assert missing.parsed.detail  # the refusal, read into the document's Detail model
