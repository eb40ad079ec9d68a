"""The widget's files go out compressed and cacheable; /docs needs nothing from the internet."""

import re
from collections.abc import Iterator

import httpx
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=30) as c:
        yield c


@pytest.mark.parametrize(("path", "media"), [("/widget.js", "text/javascript"),
                                              ("/widget.css", "text/css")])
def test_widget_files_are_gzipped_with_etag(client: httpx.Client, path: str, media: str) -> None:
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["content-type"].startswith(media)
    assert int(zipped.headers["content-length"]) < len(plain.content) / 2
    assert zipped.content == plain.content  # httpx has un-gzipped it
    assert zipped.headers["etag"] == plain.headers["etag"]
    assert "max-age" in zipped.headers["cache-control"]


def test_matching_etag_gets_304(client: httpx.Client) -> None:
    etag = client.get("/widget.js").headers["etag"]
    again = client.get("/widget.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/widget.js", headers={"If-None-Match": '"stale"'}).status_code == 200


def test_docs_load_only_same_origin_assets(client: httpx.Client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(assets) >= 2
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset
        assert client.get(asset).status_code == 200, asset
    assert "cdn" not in page.text.lower()
