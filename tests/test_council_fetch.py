"""``councilqa fetch`` takes the council from the site's address (issue #22, item 3)."""
from __future__ import annotations

import json

from ui.cli import main


def test_fetch_takes_the_council_from_the_site_s_address(capsys, tmp_path, monkeypatch):
    """The test site is served on 127.0.0.1; its address is read as democracy.kent.gov.uk's."""
    from ingest import council_sites
    from tests.fetch_site import Site

    real = council_sites.by_url
    monkeypatch.setattr(council_sites, "by_url",
                        lambda url: real("https://democracy.kent.gov.uk/" if "127.0.0.1" in url else url))
    site = Site(tmp_path)
    try:
        code = main(["fetch", site.url, "--from", "2025-01-01", "--to", "2025-02-28", "--index", str(tmp_path / "idx"),
                     "--model", "hash:384", "--rate", "1000", "--max-bytes", "200000", "--json"])
        out = json.loads(capsys.readouterr().out)
    finally:
        site.close()
    assert code in (0, 3) and out["council"] == "Kent County Council" and out["council_from"] == "the site's address"
    main(["decisions", "--json", "--index", str(tmp_path / "idx")])
    decisions = json.loads(capsys.readouterr().out)["decisions"]
    market = next(d for d in decisions if d["title"] == "Market Hall Roof Repairs")
    assert market["council"] == "Kent County Council"
