"""A notice from freezing to the public page: the regulator freezes a quarter, sends it
for review and publishes it; nobody sees it at /notices before; once published anyone
does, in JSON and CSV too, and ``manyi publication verify`` accepts the download and
refuses a touched one; a correction is version 2, linked from version 1."""

import io
import json
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.cli import app
from survey.models import Publication
from survey.regulation.publications import quarter_label
from tests.api.regulator.conftest import SECRET_COMMENT, Setting
from tests.api.regulator.test_pages import table_rows
from tests.factories import FixedClock, local_day
from tests.web import csrf_of, log_in


def test_freeze_review_publish_correct_and_read_it_in_public(
    client: TestClient, session: Session, setting: Setting, clock: FixedClock, tmp_path: Path
) -> None:
    log_in(client, "miit")
    page = client.get("/regulator/publications?lang=en")
    token = csrf_of(page.text)
    period = quarter_label(local_day(clock()))
    refused = client.post(
        "/regulator/publications?lang=en",
        data={"csrf_token": token, "evaluation": str(setting.evaluation.id), "period": "2026-Q9"},
    )
    assert refused.status_code == 422 and "Write a quarter as 2026-Q4." in refused.text
    made = client.post(
        "/regulator/publications",
        data={"csrf_token": token, "evaluation": str(setting.evaluation.id), "period": period},
        follow_redirects=False,
    )
    assert made.status_code == 303
    draft = made.headers["location"]
    publication_id = int(draft.rsplit("/", 1)[1])
    assert client.get(f"/notices/{publication_id}").status_code == 404  # a draft is not public
    html = client.get(f"{draft}?lang=en").text
    assert "Draft" in html and "Send for review" in html
    assert table_rows(html, "notice-operators")[0][1].startswith("1 Org op-a 35 82.9 ")

    for _ in range(2):
        step = client.post(f"{draft}/advance", data={"csrf_token": token}, follow_redirects=False)
        assert step.status_code == 303
    assert client.post(f"{draft}/advance", data={"csrf_token": token}).status_code == 409
    assert client.post(f"{draft}/discard", data={"csrf_token": token}).status_code == 409

    client.cookies.clear()
    public = client.get(f"/notices/{publication_id}?lang=en")
    assert public.status_code == 200
    assert table_rows(public.text, "notice-operators")[1][1] == "— Org op-b 5 — — — —"
    assert SECRET_COMMENT not in public.text and "李娜" not in public.text
    assert f'href="/notices/{publication_id}"' in client.get("/notices").text
    csv_text = client.get(f"/notices/{publication_id}/operators.csv?lang=en").text
    assert "Org op-a,35,82.857" in csv_text
    download = client.get(f"/notices/{publication_id}/notice.json")
    notice = tmp_path / "notice.json"
    notice.write_bytes(download.content)
    runner = CliRunner()
    assert runner.invoke(app, ["publication", "verify", str(notice)]).exit_code == 0
    touched = json.loads(download.content)
    touched["content"]["operators"][0]["n"] = 350
    notice.write_text(json.dumps(touched), encoding="utf-8")
    result = runner.invoke(app, ["publication", "verify", str(notice)])
    assert result.exit_code == 1 and "changed" in result.output

    log_in(client, "miit")
    token = csrf_of(client.get(draft).text)
    empty = client.post(f"{draft}/correct?lang=en", data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 422 and "Say why the notice is corrected." in empty.text
    fixed = client.post(
        f"{draft}/correct",
        data={"csrf_token": token, "reason": "Operator b's paper answers"},
        follow_redirects=False,
    )
    second = fixed.headers["location"]
    for _ in range(2):
        client.post(f"{second}/advance", data={"csrf_token": token})
    session.rollback()
    versions = session.exec(select(Publication).order_by(Publication.version)).all()  # type: ignore[arg-type]
    assert [(p.version, p.corrects_id) for p in versions] == [(1, None), (2, publication_id)]
    client.cookies.clear()
    old = client.get(f"/notices/{publication_id}?lang=en").text
    assert re.search(rf'href="/notices/{versions[1].id}">Read version 2', old)
    new = client.get(f"/notices/{versions[1].id}?lang=en").text
    assert "This version corrects version 1." in new and "Operator b&#39;s paper answers" in new


def frozen_on_the_page(client: TestClient, setting: Setting, clock: FixedClock) -> str:
    """The regulator ``miit`` freezes this quarter of the evaluation; the draft's URL."""
    log_in(client, "miit")
    token = csrf_of(client.get("/regulator/publications").text)
    made = client.post(
        "/regulator/publications",
        data={
            "csrf_token": token,
            "evaluation": str(setting.evaluation.id),
            "period": quarter_label(local_day(clock())),
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    return str(made.headers["location"])


def test_another_authority_and_other_roles_reach_no_publication(
    client: TestClient, setting: Setting, clock: FixedClock
) -> None:
    draft = frozen_on_the_page(client, setting, clock)
    log_in(client, "other")
    assert client.get(draft).status_code == 404
    assert client.get(f"{draft}/notice.json").status_code == 404
    token = csrf_of(client.get("/regulator").text)
    assert client.post(f"{draft}/advance", data={"csrf_token": token}).status_code == 404
    refused = client.post(
        "/regulator/publications",
        data={"csrf_token": token, "evaluation": str(setting.evaluation.id), "period": "2026-Q4"},
    )
    assert refused.status_code == 422  # not its evaluation
    log_in(client, "wang")
    assert client.get(draft, follow_redirects=False).status_code == 403


def pdf_fonts(reader: PdfReader) -> list[Any]:
    """Every font the pages use."""
    fonts = []
    for page in reader.pages:
        resources = page["/Resources"]
        if "/Font" in resources:
            fonts += [font.get_object() for font in resources["/Font"].values()]
    return fonts


def descriptor(font: Any) -> Any:
    """A font's descriptor (a composite font's is its descendant's), where its embedded
    file would be."""
    if "/DescendantFonts" in font:
        font = font["/DescendantFonts"][0].get_object()
    return font.get("/FontDescriptor", {}).get_object() if "/FontDescriptor" in font else {}


def test_the_notice_pdf_holds_the_figures_and_embeds_its_cjk_font(
    client: TestClient, session: Session, setting: Setting, clock: FixedClock
) -> None:
    """The PDF a regulator files: A4, the operators' figures as text (the same rounding
    as the page), the ranking chart, and the CJK font embedded (a reader without it sees
    the same glyphs). A draft's PDF is for the regulator only."""
    draft = frozen_on_the_page(client, setting, clock)
    publication_id = int(draft.rsplit("/", 1)[1])
    pdf = client.get(f"{draft}/notice.pdf?lang=zh_Hans")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    page = reader.pages[0]
    assert [round(float(v)) for v in page.mediabox[2:]] == [595, 842]  # A4 in points
    text = "".join(p.extract_text() for p in reader.pages)
    assert "各运营者满意度指数" in text and "Org op-a" in text and "82.9" in text
    embedded = {
        str(font["/BaseFont"])
        for font in pdf_fonts(reader)
        if any(key in descriptor(font) for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    }
    assert any("Noto-Sans-CJK-SC" in name for name in embedded), embedded  # a subset
    assert SECRET_COMMENT not in text
    client.cookies.clear()
    assert client.get(f"/notices/{publication_id}/notice.pdf").status_code == 404  # a draft
