"""The served page: local by default, guarded when auth is set, strict about uploads, and no
route that hands out files from the disk."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes import FakeEmbedder
from gradio_client import Client, handle_file
from reliability_helpers import REPO, TINY_CORPUS, launched, write_corpus

from qa.assistant import Assistant
from qa.settings import Settings

pytestmark = pytest.mark.slow

SECRET = "top-secret-token-5b1f"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Assistant, Path]]:
    """The page over a small corpus, uploads capped at 4,000 bytes; (url, assistant, root)."""
    root = tmp_path_factory.mktemp("site")
    corpus = write_corpus(root / "corpus", TINY_CORPUS)
    (root / "secret.txt").write_text(SECRET, encoding="utf-8")  # next to the corpus
    settings = Settings(corpus_dir=corpus, data_dir=root / "data", max_file_bytes=4000)
    bot = Assistant(settings, embedder=FakeEmbedder())
    bot.snapshot()
    with launched(bot) as url:
        yield url, bot, root


def corpus_files(bot: Assistant) -> set[str]:
    return {p.name for p in Path(bot.settings.corpus_dir).iterdir()}


def call(url: str, api: str, data: list[Any]) -> str:
    """POST to gradio's call API without a client (as any script could); the SSE reply text."""
    with httpx.Client(base_url=url, timeout=60) as http:
        r = http.post(f"gradio_api/call/{api}", json={"data": data})
        assert r.status_code == 200, r.text
        event = r.json()["event_id"]
        return http.get(f"gradio_api/call/{api}/{event}").text


def outside_ip() -> str | None:
    """This machine's address on its default route (no packet is sent), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
            ip = str(s.getsockname()[0])
        except OSError:
            return None
    return None if ip.startswith("127.") else ip


def test_served_on_loopback_only_by_default(site: tuple[str, Assistant, Path]) -> None:
    url, _, _ = site
    assert Settings().host == "127.0.0.1"
    assert url.startswith("http://127.0.0.1:")
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    ip = outside_ip()
    if ip is not None:
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://{ip}:{port}/config", timeout=5)
    assert httpx.get(url + "config").status_code == 200


def test_auth_refuses_every_route_without_credentials(site: tuple[str, Assistant, Path]) -> None:
    _, bot, _ = site
    with launched(bot, auth="ana:s3cret") as url:
        with httpx.Client(base_url=url, timeout=30) as http:
            assert http.get("config").status_code == 401
            r = http.post("gradio_api/call/ask", json={"data": ["Who?", "", "", "", 5, False]})
            assert r.status_code in (401, 403), r.status_code
            r = http.post("gradio_api/upload", files={"files": ("a.txt", b"Hi.\n")})
            assert r.status_code in (401, 403), r.status_code
            assert http.get("gradio_api/info").status_code in (401, 403)
            bad = http.post("login", data={"username": "ana", "password": "wrong"})
            assert bad.status_code in (400, 401), bad.status_code
        with pytest.raises(Exception):  # noqa: B017 - gradio_client's error type varies
            Client(url, auth=("ana", "wrong"), verbose=False)
        assert Client(url, auth=("ana", "s3cret"), verbose=False).view_api(
            print_info=False, return_format="dict"
        )


def test_oversized_upload_is_refused(site: tuple[str, Assistant, Path], tmp_path: Path) -> None:
    url, bot, _ = site
    before = corpus_files(bot)
    r = httpx.post(
        url + "gradio_api/upload", files={"files": ("big.txt", b"word " * 2000)}, timeout=30
    )
    assert r.status_code == 413, (r.status_code, r.text[:200])
    big = tmp_path / "big.txt"
    big.write_text("Big\n\n" + "word " * 2000, encoding="utf-8")
    with pytest.raises(Exception):  # noqa: B017 - refused by the server during the upload
        Client(url, verbose=False).predict(handle_file(big), "", "", "", api_name="/add_article")
    assert corpus_files(bot) == before


@pytest.mark.parametrize("name", ["page.html", "run.sh", "notes.pdf", "article.txt.exe"])
def test_wrong_file_types_are_refused(
    site: tuple[str, Assistant, Path], tmp_path: Path, name: str
) -> None:
    url, bot, _ = site
    before = corpus_files(bot)
    path = tmp_path / name
    path.write_text("Title\n\nCARACAS, 5 June 2013 — A story.\n", encoding="utf-8")
    try:
        Client(url, verbose=False).predict(handle_file(path), "", "", "", api_name="/add_article")
    except Exception as e:  # gradio may refuse the type itself; the page refuses it anyway
        assert "Traceback" not in str(e)
    assert corpus_files(bot) == before


def upload(url: str, filename: str, content: bytes) -> str:
    r = httpx.post(url + "gradio_api/upload", files={"files": (filename, content)}, timeout=30)
    assert r.status_code == 200, r.text
    (path,) = r.json()
    return str(path)


def test_path_traversal_in_uploaded_names_stays_in_the_corpus(
    site: tuple[str, Assistant, Path],
) -> None:
    url, bot, root = site
    corpus = Path(bot.settings.corpus_dir)
    for i, name in enumerate(("../../escape.txt", "..\\..\\escape2.txt", "/etc/escape3.txt")):
        content = f"Escape attempt {i}\n\nCARACAS, 5 June 2013 — Escape story {i} ran.\n"
        stored = upload(url, name, content.encode())
        assert ".." not in Path(stored).parts, stored
        file_data = {"path": stored, "orig_name": name, "meta": {"_type": "gradio.FileData"}}
        call(url, "add_article", [file_data, "", "", ""])
    added = corpus_files(bot) - set(f"{n}.txt" for n in TINY_CORPUS)
    assert added and all((corpus / n).is_file() for n in added), added
    assert not list(root.glob("escape*")) and not list(root.parent.glob("escape*"))
    assert not Path("/etc/escape3.txt").exists()


def leaked(text: str, secrets: dict[str, str]) -> list[str]:
    return [name for name, marker in secrets.items() if marker in text]


def test_no_route_reads_files_from_the_disk(site: tuple[str, Assistant, Path]) -> None:
    url, bot, root = site
    targets = {
        "/etc/passwd": "root:",
        str(REPO / "pyproject.toml"): "[tool.pytest.ini_options]",
        str(root / "secret.txt"): SECRET,
        str(Path(bot.settings.corpus_dir) / "bridge.txt"): "Orinoco",
        str(Path(bot.settings.data_dir) / "chroma" / "chroma.sqlite3"): "SQLite format",
    }
    relative = {"../../../../../../etc/passwd": "root:", "pyproject.toml": "[tool.pytest"}
    prefixes = ("file=", "gradio_api/file=", "gradio_api/file/", "static/", "assets/")
    with httpx.Client(base_url=url, timeout=30) as http:
        for prefix in prefixes:
            for target, marker in {**targets, **relative}.items():
                for form in (target, target.replace("/", "%2F"), target.replace(".", "%2E")):
                    r = http.get(prefix + form)
                    assert r.status_code != 200 or marker not in r.text, (prefix, form)


def test_the_page_api_does_not_index_files_it_did_not_receive(
    site: tuple[str, Assistant, Path],
) -> None:
    url, bot, root = site
    before = corpus_files(bot)
    for path in ("/etc/passwd", str(root / "secret.txt"), str(REPO / "README.md")):
        file_data = {
            "path": path,
            "orig_name": Path(path).name,
            "meta": {"_type": "gradio.FileData"},
        }
        reply = call(url, "add_article", [file_data, "", "", ""])
        assert SECRET not in reply and "root:" not in reply, reply[:300]
    assert corpus_files(bot) == before
    snap = bot.snapshot()
    assert not any(SECRET in a.body or "root:" in a.body for a in snap.articles.values())
    assert json.dumps(sorted(snap.articles)) == json.dumps(sorted(before_ids(before)))


def before_ids(files: set[str]) -> list[str]:
    return [Path(f).stem for f in files if f.endswith((".txt", ".md"))]
