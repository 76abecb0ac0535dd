import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from tongban.cases.models import Case
from tongban.cases.services import case_transition
from tongban.core.actors import SYSTEM
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.supervision import report
from tongban.supervision.charts import bar_svg
from tongban.supervision.models import MonthlyReport

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    monkeypatch.setattr(report, "_archive_dir", lambda: folder)
    return folder


def test_bar_svg_escapes_and_scales() -> None:
    svg = bar_svg([("<b>局</b>", 50.0), ("乙", 100.0)], unit="%", max_value=100, title="按时率")
    assert "&lt;b&gt;局&lt;/b&gt;" in svg and "<b>" not in svg
    assert 'width="150.0"' in svg and 'width="300.0"' in svg and "50%" in svg
    assert "本期无数据" in bar_svg([], title="空")


def test_generate_archive_and_download(late, _archive: Path) -> None:  # type: ignore[no-untyped-def]
    # Finish the late case in March so the month has a ranking.
    case = late.case
    for to in ("under_review", "approved", "result_issued"):
        case = case_transition(actor=SYSTEM, case=case, to=to, today=date(2026, 3, 12))
    Case.objects.filter(pk=case.pk).update(result_issued_at="2026-03-12T10:00:00+08:00")
    r = report.report_generate(
        actor=late.supervisor, month="2026-03", region_code=None, today=date(2026, 4, 2)
    )
    assert (r.month, r.region_id) == (date(2026, 3, 1), "140400")
    assert r.figures["submitted"] == 1 and r.figures["finished"] == 1
    assert r.figures["on_time_rate"] == "0.0"  # due 03-09, result on 03-12
    assert r.figures["cards"]["红牌"] == 1
    pdf = (_archive.parent / r.pdf_path).read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) == r.pdf_size
    html = (_archive.parent / r.html_path).read_text(encoding="utf-8")
    assert "长治市人力资源和社会保障局" in html and "<svg" in html
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(_archive.parent / r.pdf_path), "-"], capture_output=True, check=True
        ).stdout.decode()
        assert "政务服务电子监察月通报" in text and "长治市人力资源和社会保障局" in text
    # Regenerating replaces the month's archive, never duplicates it.
    report.report_generate(
        actor=late.supervisor, month="2026-03", region_code="140400", today=date(2026, 4, 2)
    )
    assert MonthlyReport.objects.count() == 1
    sup = Client()
    sup.force_login(late.supervisor)
    assert "2026年3月" in sup.get("/workbench/supervision/reports/").content.decode()
    got = sup.get(f"/workbench/supervision/reports/{r.pk}.pdf")
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    assert b"".join(got.streaming_content).startswith(b"%PDF")
    assert sup.get(f"/workbench/supervision/reports/{r.pk}.exe").status_code == 404


def test_bad_report_requests(late) -> None:  # type: ignore[no-untyped-def]
    for month in ("2026-13", "soon", "2026-04"):
        with pytest.raises(ValidationFailed) as e:
            report.report_generate(
                actor=late.supervisor, month=month, region_code=None, today=date(2026, 4, 2)
            )
        assert e.value.code == "report_month_invalid"
    with pytest.raises(PermissionDenied) as e2:
        report.report_generate(
            actor=late.supervisor, month="2026-03", region_code="510400", today=date(2026, 4, 2)
        )
    assert e2.value.code == "region_scope"
    with pytest.raises(PermissionDenied):
        report.report_generate(
            actor=late.world.approver, month="2026-03", region_code=None, today=date(2026, 4, 2)
        )


def test_scheduled_job_makes_last_months_reports_once(late) -> None:  # type: ignore[no-untyped-def]
    made = report.reports_generate_due(today=date(2026, 4, 1))
    assert [(r.month, r.region_id) for r in made] == [(date(2026, 3, 1), "140400")]
    assert report.reports_generate_due(today=date(2026, 4, 2)) == []
