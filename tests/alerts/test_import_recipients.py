"""`manage.py import_alert_recipients`: a good file imports every row; a bad row imports nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from alerts.models import Recipient
from protect.delivery.signing import new_webhook_secret

pytestmark = pytest.mark.django_db


def run(tmp_path, text):
    path = tmp_path / "recipients.csv"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_alert_recipients", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_good_file_imports_every_row_and_prints_a_generated_secret_once(tmp_path):
    given = new_webhook_secret()
    out, _ = run(tmp_path, "name,channel,address,language,tier,secret\n"
                           "UN Special Rapporteur,email,sr-hrd@example.org,fr,un,\n"
                           "Partner A,webhook,https://a.example.org/hook,en,partners,\n"
                           f"Partner B,webhook,https://b.example.org/hook,es,partners,{given}\n")
    assert Recipient.objects.count() == 3
    un = Recipient.objects.get(tier="un")
    assert (un.name, un.email, un.language, un.channel) == ("UN Special Rapporteur", "sr-hrd@example.org", "fr", "email")
    lines = [line for line in out.splitlines() if "secret" in line]
    assert len(lines) == 1 and lines[0].startswith("line 3:")
    printed = lines[0].rsplit(" ", 1)[1]
    secrets = {r.endpoint.secret for r in Recipient.objects.filter(channel="webhook")}
    assert secrets == {printed, given} and given not in out
    assert "Imported 3 recipients." in out


def test_a_bad_row_is_reported_by_line_and_nothing_is_imported(tmp_path):
    with pytest.raises(CommandError, match="Nothing was imported"):
        run(tmp_path, "name,channel,address,language,tier,secret\n"
                      "Ministry,email,ministry@example.org,en,authorities,\n"
                      "Newsroom,email,not-an-address,en,media,\n"
                      "Plain hook,webhook,http://hooks.example.org/x,en,partners,\n"
                      "Embassy,fax,+1 555,en,diplomatic,\n")
    assert Recipient.objects.count() == 0


def test_the_refusal_names_each_bad_line(tmp_path, capsys):
    from alerts.services.recipients import ImportRefused, recipients_import, recipients_read_csv

    rows = recipients_read_csv(io.StringIO("name,channel,address,language,tier,secret\n"
                                           "Ministry,email,ministry@example.org,en,authorities,\n"
                                           "Newsroom,email,not-an-address,en,media,\n"
                                           "Hook,webhook,https://h.example.org/x,de,partners,whsec_short\n"))
    with pytest.raises(ImportRefused) as refused:
        recipients_import(rows=rows)
    assert refused.value.problems == ["line 3: the address is not an e-mail address",
                                      "line 4: the language must be one of ar, en, es, fr, ru"]
    assert Recipient.objects.count() == 0


def test_a_file_with_other_columns_is_refused(tmp_path):
    with pytest.raises(CommandError):
        run(tmp_path, "name,email,tier\nMinistry,ministry@example.org,authorities\n")
    assert Recipient.objects.count() == 0
