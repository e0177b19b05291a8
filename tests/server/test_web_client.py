"""The web app's typed client is generated from the API's OpenAPI document, and both are
committed: regenerating them changes nothing."""

import shutil
import subprocess
import sys
from pathlib import Path

FRONTEND = Path(__file__).parents[2] / "frontend"


def test_the_committed_openapi_document_is_the_apis() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "launcher", "openapi"], capture_output=True, check=True, text=True
    )
    assert printed.stdout == (FRONTEND / "openapi.json").read_text(), (
        "the API changed: `fastship openapi > frontend/openapi.json`, then `npm run generate`"
    )


def test_the_committed_client_is_what_the_generator_makes(tmp_path: Path) -> None:
    for config in ("openapi.json", "openapi-ts.config.ts", "package.json"):
        shutil.copy(FRONTEND / config, tmp_path / config)
    shutil.copytree(FRONTEND / "scripts", tmp_path / "scripts")
    (tmp_path / "node_modules").symlink_to(FRONTEND / "node_modules")
    subprocess.run(["npm", "run", "--silent", "generate"], cwd=tmp_path, check=True)

    committed = FRONTEND / "src" / "client"
    generated = tmp_path / "src" / "client"
    names = sorted(path.relative_to(generated) for path in generated.rglob("*") if path.is_file())
    assert names == sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    for name in names:
        assert (generated / name).read_text() == (committed / name).read_text(), (
            f"src/client/{name} differs from the generator's: run `npm run generate`"
        )
