"""A Python client generated from the schema, as an integrator would make one (``docs/api.md``).

The schema is written to a temporary directory and openapi-python-client (a dev
dependency) generates a package there, offline. Its post-generation hooks run
ruff, which is found next to the interpreter. The package is then importable as
``cascade_client``.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from django.core.management import call_command

PACKAGE = "cascade_client"


@dataclass
class GeneratedClient:
    schema: dict
    output: str  # what the generator printed
    returncode: int
    package: ModuleType | None


def generate(directory: Path) -> GeneratedClient:
    schema_path = directory / "schema.json"
    call_command("spectacular", format="openapi-json", file=str(schema_path))
    schema = json.loads(schema_path.read_text())
    bin_directory = str(Path(sys.executable).parent)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(schema_path),
            "--output-path",
            str(directory / PACKAGE),
            "--meta",
            "none",
            "--fail-on-warning",
        ],
        cwd=directory,
        env={**os.environ, "PATH": f"{bin_directory}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    package = None
    if run.returncode == 0:
        sys.path.insert(0, str(directory))
        package = importlib.import_module(PACKAGE)
        importlib.import_module(f"{PACKAGE}.models")
    return GeneratedClient(
        schema=schema,
        output=run.stdout + run.stderr,
        returncode=run.returncode,
        package=package,
    )
